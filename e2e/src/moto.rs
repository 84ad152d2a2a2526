//! Talking to the emulator: moto's own API (`/moto-api/reset` between environments) and
//! the AWS Resource Groups Tagging API, to prove that destroy left nothing behind.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};

/// A moto server at `endpoint` (`http://127.0.0.1:PORT`).
#[derive(Debug, Clone)]
pub struct Moto {
    host_port: String,
}

impl Moto {
    pub fn new(endpoint: &str) -> Result<Moto> {
        let host_port = endpoint
            .strip_prefix("http://")
            .ok_or_else(|| anyhow!("AWS_ENDPOINT_URL must be http://HOST:PORT, got {endpoint}"))?
            .trim_end_matches('/')
            .to_string();
        Ok(Moto { host_port })
    }

    /// Forgets every resource (each environment starts from an empty account).
    pub fn reset(&self) -> Result<()> {
        self.request("POST", "/moto-api/reset").map(|_| ())
    }

    /// The ARNs of every tagged resource in `region` of `account`, through the Resource
    /// Groups Tagging API (GetResources), which works the same against AWS. Every resource a
    /// generated tree creates carries the provider's default tags. (moto's `/moto-api/data.json`
    /// cannot be used: it also lists deleted objects Python has not collected yet.)
    pub fn tagged_resources(&self, region: &str, account: &str) -> Result<Vec<String>> {
        let mut arns = Vec::new();
        let mut token = String::new();
        loop {
            let body = if token.is_empty() {
                "{}".to_string()
            } else {
                format!("{{\"PaginationToken\":{}}}", serde_json::to_string(&token)?)
            };
            let headers = [
                (
                    "X-Amz-Target",
                    "ResourceGroupsTaggingAPI_20170126.GetResources".to_string(),
                ),
                ("Content-Type", "application/x-amz-json-1.1".to_string()),
                // moto routes by the credential scope and does not check the signature.
                (
                    "Authorization",
                    format!(
                        "AWS4-HMAC-SHA256 Credential={account}/20260101/{region}/tagging/aws4_request, SignedHeaders=host, Signature=0"
                    ),
                ),
            ];
            let text = self.send("POST", "/", &headers, &body)?;
            let v: serde_json::Value =
                serde_json::from_str(&text).context("GetResources response")?;
            for m in v["ResourceTagMappingList"].as_array().into_iter().flatten() {
                if let Some(arn) = m["ResourceARN"].as_str() {
                    arns.push(arn.to_string());
                }
            }
            match v["PaginationToken"].as_str() {
                Some(t) if !t.is_empty() => token = t.to_string(),
                _ => break,
            }
        }
        arns.sort();
        Ok(arns)
    }

    /// Whether a resource the tagging API still lists is really gone in AWS's terms: a KMS key
    /// pending deletion (keys are never deleted at once), a NAT gateway in state `deleted` or an
    /// EC2 instance in state `terminated` (AWS keeps listing those for about an hour), or an
    /// INACTIVE ECS cluster, service or task definition revision.
    pub fn deleted_but_listed(&self, arn: &str, region: &str, account: &str) -> Result<bool> {
        let auth = |service: &str| {
            format!(
                "AWS4-HMAC-SHA256 Credential={account}/20260101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=0"
            )
        };
        let json_call =
            |service: &str, target: &str, body: serde_json::Value| -> Result<serde_json::Value> {
                let headers = [
                    ("X-Amz-Target", target.to_string()),
                    ("Content-Type", "application/x-amz-json-1.1".to_string()),
                    ("Authorization", auth(service)),
                ];
                let text = self.send("POST", "/", &headers, &body.to_string())?;
                Ok(serde_json::from_str(&text)?)
            };
        // EC2's query protocol: `Action=ACTION&...` in a form body.
        let ec2_query = |action_and_params: &str| -> Result<String> {
            let headers = [
                (
                    "Content-Type",
                    "application/x-www-form-urlencoded".to_string(),
                ),
                ("Authorization", auth("ec2")),
            ];
            let body = format!("Action={action_and_params}&Version=2016-11-15");
            self.send("POST", "/", &headers, &body)
        };
        if arn.contains(":kms:") && arn.contains(":key/") {
            let v = json_call(
                "kms",
                "TrentService.DescribeKey",
                serde_json::json!({ "KeyId": arn }),
            )?;
            return Ok(v["KeyMetadata"]["KeyState"] == "PendingDeletion");
        }
        // ECS keeps deleted clusters and services INACTIVE for a while, and deregistered task
        // definition revisions INACTIVE for good; none of them runs or costs anything.
        const ECS: &str = "AmazonEC2ContainerServiceV20141113";
        if let Some(rest) = arn.split(":ecs:").nth(1) {
            let resource = rest.splitn(3, ':').nth(2).unwrap_or_default();
            let status = if resource.starts_with("cluster/") {
                let v = json_call(
                    "ecs",
                    &format!("{ECS}.DescribeClusters"),
                    serde_json::json!({ "clusters": [arn] }),
                )?;
                v["clusters"][0]["status"].clone()
            } else if let Some(path) = resource.strip_prefix("service/") {
                let cluster = path.split('/').next().unwrap_or_default();
                let v = json_call(
                    "ecs",
                    &format!("{ECS}.DescribeServices"),
                    serde_json::json!({ "cluster": cluster, "services": [arn] }),
                )?;
                v["services"][0]["status"].clone()
            } else if resource.starts_with("task-definition/") {
                let v = json_call(
                    "ecs",
                    &format!("{ECS}.DescribeTaskDefinition"),
                    serde_json::json!({ "taskDefinition": arn }),
                )?;
                v["taskDefinition"]["status"].clone()
            } else {
                serde_json::Value::Null
            };
            return Ok(status == "INACTIVE");
        }
        // A terminated instance (an Auto Scaling group's, after the group is deleted) stays
        // listed by EC2 for about an hour.
        if let Some(id) = arn
            .split(":instance/")
            .nth(1)
            .filter(|_| arn.contains(":ec2:"))
        {
            let text = ec2_query(&format!("DescribeInstances&InstanceId.1={id}"))?;
            return Ok(text.contains("<name>terminated</name>"));
        }
        if let Some(id) = arn.split(":natgateway/").nth(1) {
            let text = ec2_query(&format!("DescribeNatGateways&NatGatewayId.1={id}"))?;
            return Ok(text.contains("<state>deleted</state>"));
        }
        Ok(false)
    }

    fn request(&self, method: &str, path: &str) -> Result<String> {
        self.send(method, path, &[], "")
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: &str,
    ) -> Result<String> {
        let mut stream = TcpStream::connect(&self.host_port)
            .with_context(|| format!("connecting to moto at {}", self.host_port))?;
        stream.set_read_timeout(Some(Duration::from_secs(120)))?;
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.host_port,
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(body);
        stream.write_all(req.as_bytes())?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        let text = String::from_utf8_lossy(&raw);
        let (head, body) = text
            .split_once("\r\n\r\n")
            .ok_or_else(|| anyhow!("moto: malformed HTTP response"))?;
        let status = head.split_whitespace().nth(1).unwrap_or("");
        if !status.starts_with('2') {
            bail!("moto {method} {path}: HTTP {status}");
        }
        if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            return Ok(dechunk(body));
        }
        Ok(body.to_string())
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(dechunk("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), "abcde");
    }
}
