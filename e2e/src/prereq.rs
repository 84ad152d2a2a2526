//! What an environment needs before `run-all apply`, which the generated README lists as
//! manual steps and the tree itself does not create: the Parameter Store entries
//! `bootstrap.sh` prompts for, the AMI Packer bakes, and the pre-existing Route 53 zone of
//! `route53_zone_id`, the pre-existing ACM certificates a spec names by ARN. The harness creates them with a small Terraform configuration of its
//! own (so they can be destroyed and do not count as leftovers of the tree).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result};
use hcl::Value;

/// Tag that makes the moto launcher import a certificate under the ARN the spec names.
pub const CERT_ARN_TAG: &str = "tgforge-e2e-arn";

/// Prefix of the hosted-zone comment that the moto launcher (e2e/moto_server.py) reads to
/// give the zone the ID the spec names: AWS never lets a caller choose a zone ID.
pub const ZONE_ID_COMMENT: &str = "tgforge-e2e-zone-id:";

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Prerequisites {
    pub region: String,
    pub parameters: BTreeSet<String>,
    pub ami_names: BTreeSet<String>,
    /// Zone ID -> zone name.
    pub zones: BTreeMap<String, String>,
    /// Certificate ARN -> its region.
    pub certificates: BTreeMap<String, String>,
}

impl Prerequisites {
    /// `inputs`: every unit's inputs (evaluated with mock outputs).
    pub fn collect(
        env_dir: &Path,
        region: &str,
        inputs: &[hcl::Map<String, Value>],
    ) -> Result<Prerequisites> {
        let mut p = Prerequisites {
            region: region.to_string(),
            ..Default::default()
        };
        if let Ok(script) = std::fs::read_to_string(env_dir.join("bootstrap.sh")) {
            p.parameters = bootstrap_parameters(&script);
        }
        let mut zone_names: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for unit in inputs {
            if let Some(Value::String(pattern)) = unit.get("ami_name_pattern") {
                p.ami_names.insert(pattern.replace('*', "20260101000000"));
            }
            if let Some(Value::String(arn)) = unit.get("certificate_arn")
                && let Some(region) = arn
                    .strip_prefix("arn:aws:acm:")
                    .and_then(|r| r.split(':').next())
            {
                p.certificates.insert(arn.clone(), region.to_string());
            }
            if let Some(Value::String(zone)) = unit.get("zone_id") {
                let names = zone_names.entry(zone.clone()).or_default();
                for key in ["name", "domain_name"] {
                    if let Some(Value::String(n)) = unit.get(key) {
                        names.push(n.clone());
                    }
                }
                if let Some(Value::Array(sans)) = unit.get("subject_alternative_names") {
                    names.extend(sans.iter().filter_map(|s| s.as_str().map(str::to_string)));
                }
            }
        }
        for (zone, names) in zone_names {
            p.zones.insert(zone, common_suffix(&names));
        }
        Ok(p)
    }

    pub fn is_empty(&self) -> bool {
        self.parameters.is_empty()
            && self.ami_names.is_empty()
            && self.zones.is_empty()
            && self.certificates.is_empty()
    }

    /// The Terraform configuration that creates them. Certificates are self-signed PEM files
    /// in `dir` (made with `openssl`, see [`write_certificate`]).
    pub fn terraform(&self) -> String {
        let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let mut tf = format!("provider \"aws\" {{\n  region = {}\n}}\n", q(&self.region));
        let regions: BTreeSet<&String> = self.certificates.values().collect();
        for r in &regions {
            tf.push_str(&format!(
                "provider \"aws\" {{\n  alias  = \"{r}\"\n  region = {}\n}}\n",
                q(r)
            ));
        }
        for (i, (arn, region)) in self.certificates.iter().enumerate() {
            tf.push_str(&format!(
                "resource \"aws_acm_certificate\" \"c{i}\" {{\n  provider = aws.{region}\n  private_key = file(\"${{path.module}}/cert.key\")\n  certificate_body = file(\"${{path.module}}/cert.pem\")\n  tags = {{ \"{CERT_ARN_TAG}\" = {} }}\n}}\n",
                q(arn)
            ));
        }
        for (i, name) in self.parameters.iter().enumerate() {
            tf.push_str(&format!(
                "resource \"aws_ssm_parameter\" \"p{i}\" {{\n  name  = {}\n  type  = \"SecureString\"\n  value = {}\n}}\n",
                q(name),
                q(parameter_value(name))
            ));
        }
        if !self.ami_names.is_empty() {
            tf.push_str(&format!(
                "resource \"aws_ebs_volume\" \"ami\" {{\n  availability_zone = \"{}a\"\n  size = 8\n}}\nresource \"aws_ebs_snapshot\" \"ami\" {{\n  volume_id = aws_ebs_volume.ami.id\n}}\n",
                self.region
            ));
        }
        for (i, name) in self.ami_names.iter().enumerate() {
            tf.push_str(&format!(
                "resource \"aws_ami\" \"a{i}\" {{\n  name = {}\n  virtualization_type = \"hvm\"\n  root_device_name = \"/dev/xvda\"\n  ena_support = true\n  ebs_block_device {{\n    device_name = \"/dev/xvda\"\n    snapshot_id = aws_ebs_snapshot.ami.id\n    volume_size = 8\n  }}\n}}\n",
                q(name)
            ));
        }
        for (i, (id, name)) in self.zones.iter().enumerate() {
            tf.push_str(&format!(
                "resource \"aws_route53_zone\" \"z{i}\" {{\n  name = {}\n  comment = {}\n  force_destroy = true\n}}\n",
                q(name),
                q(&format!("{ZONE_ID_COMMENT}{id}"))
            ));
        }
        tf
    }
}

/// A throw-away self-signed certificate (`cert.key`, `cert.pem`) for the imported certificates.
pub fn write_certificate(dir: &Path) -> Result<()> {
    let out = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/CN=tgforge-e2e.example.com",
        ])
        .arg("-keyout")
        .arg(dir.join("cert.key"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .output()
        .context("running openssl")?;
    if !out.status.success() {
        anyhow::bail!(
            "openssl req failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// The names `bootstrap.sh` prompts for: its `put_parameter 'NAME' 'DESCRIPTION'` lines.
pub fn bootstrap_parameters(script: &str) -> BTreeSet<String> {
    script
        .lines()
        .filter_map(|l| l.trim().strip_prefix("put_parameter '"))
        .filter_map(|rest| rest.split_once('\'').map(|(name, _)| name.to_string()))
        .collect()
}

/// Values AWS accepts where the modules use them (RDS master user name, password, database).
fn parameter_value(name: &str) -> &'static str {
    if name.ends_with("_username") {
        "appadmin"
    } else if name.ends_with("_password") {
        "E2e-Passw0rd-Not-Secret"
    } else if name.ends_with("_postgres_db") || name.ends_with("_db_name") {
        "appdb"
    } else {
        "e2e-placeholder"
    }
}

/// The longest common label suffix: the smallest zone that holds every name.
fn common_suffix(names: &[String]) -> String {
    let mut labels: Option<Vec<&str>> = None;
    for n in names {
        let l: Vec<&str> = n.trim_end_matches('.').split('.').rev().collect();
        labels = Some(match labels {
            None => l,
            Some(prev) => prev
                .into_iter()
                .zip(l)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect(),
        });
    }
    let mut l = labels.unwrap_or_default();
    l.reverse();
    if l.is_empty() {
        "example.com".to_string()
    } else {
        l.join(".")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_names_are_read_from_the_script() {
        let script = "# put_parameter NAME DESCRIPTION\nput_parameter 'a-b_c' 'desc'\n  put_parameter 'x' 'y z'\n";
        assert_eq!(
            bootstrap_parameters(script),
            BTreeSet::from(["a-b_c".to_string(), "x".to_string()])
        );
    }

    #[test]
    fn the_zone_holds_every_name() {
        assert_eq!(
            common_suffix(&[
                "origin.dashboard.example.org".into(),
                "dashboard.example.org".into()
            ]),
            "dashboard.example.org"
        );
        assert_eq!(
            common_suffix(&["app.example.com".into(), "origin.example.com".into()]),
            "example.com"
        );
    }
}
