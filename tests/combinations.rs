//! Every architecture choice composes: Fargate or ASG x RDS or Aurora x given or provisioned
//! certificates x each add-on. Each combination is generated with the real binary and its
//! tree checked against the module contract.
//!
//! With TGFORGE_COMBINATIONS_DIR set, the trees are kept there (one folder per combination)
//! so `.ci/run` can run the oracles (hcl-fmt-check, tf-schema-check, checkov) over them.

mod common;

use std::path::PathBuf;

use common::after_apply::after_apply_violations;
use common::contract::contract_violations;
use common::{generate_tree, write_spec};

#[derive(Debug, Clone, Copy)]
struct Combination {
    asg: bool,
    aurora: bool,
    provisioned: bool,
    addon: Option<&'static str>,
}

impl Combination {
    fn name(&self) -> String {
        format!(
            "{}-{}-{}-{}",
            if self.asg { "asg" } else { "fargate" },
            if self.aurora { "aurora" } else { "rds" },
            if self.provisioned { "acm" } else { "certs" },
            self.addon.unwrap_or("plain")
        )
    }

    fn spec(&self) -> String {
        let certificates = if self.provisioned {
            "    route53_zone_id: Z0123456789ABCDEFGHIJ\n    domain: app.example.com\n    origin_domain: origin.example.com\n"
        } else {
            "    domain: app.example.com\n    certificate_arn: arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555\n    cloudfront_certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555\n"
        };
        let compute = if self.asg {
            "    compute:\n      platform: asg\n    packer:\n      app_repository: https://github.com/example/app\n    migrations:\n      repository: https://github.com/example/app\n"
        } else {
            // Fargate migrations run in the app's own image.
            "    migrations:\n      enabled: true\n"
        };
        let database = if self.aurora {
            "    database:\n      engine: aurora_serverless\n      data_api: true\n"
        } else {
            "    database:\n      master_password: managed\n"
        };
        let addon = match self.addon {
            Some("redis") => "    addons:\n      redis: {}\n",
            Some("memcached") => "    addons:\n      memcached: {}\n",
            Some("efs") => "    addons:\n      efs: {}\n",
            Some("all") => "    addons:\n      redis: {}\n      memcached: {}\n      efs: {}\n",
            _ => "",
        };
        format!(
            "project: combo\ntooling:\n  github_actions:\n    enabled: false\nstate:\n  bucket: combo-state\n  region: eu-west-1\nenvironments:\n  test:\n    region: eu-west-1\n    profile: combo\n    account_id: \"123456789012\"\n{certificates}    network:\n      azs: 2\n      database_subnets: true\n    app:\n      settings_module: app.settings.cloud\n      generated_secrets:\n        DJANGO_SECRET_KEY: django_secret_key\n{compute}{database}{addon}"
        )
    }
}

fn combinations() -> Vec<Combination> {
    let mut out = Vec::new();
    for asg in [false, true] {
        for aurora in [false, true] {
            for provisioned in [false, true] {
                for addon in [
                    None,
                    Some("redis"),
                    Some("memcached"),
                    Some("efs"),
                    Some("all"),
                ] {
                    out.push(Combination {
                        asg,
                        aurora,
                        provisioned,
                        addon,
                    });
                }
            }
        }
    }
    out
}

fn output_root() -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os("TGFORGE_COMBINATIONS_DIR") {
        Some(dir) => (None, PathBuf::from(dir)),
        None => {
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().to_path_buf();
            (Some(tmp), path)
        }
    }
}

#[test]
fn every_combination_generates_and_keeps_the_module_contract() {
    let (_guard, root) = output_root();
    let specs = root.join("specs");
    std::fs::create_dir_all(&specs).unwrap();
    let mut problems = Vec::new();
    for combination in combinations() {
        let name = combination.name();
        let spec = write_spec(&specs, &format!("{name}.yaml"), &combination.spec());
        let tree = generate_tree(&spec, &root.join("trees").join(&name));
        let units =
            |unit: &str| tree.contains_key(&format!("test/infrastructure/{unit}/terragrunt.hcl"));

        // The choices are the ones asked for.
        assert_eq!(units("asg"), combination.asg, "{name}");
        assert_eq!(units("ecs_fargate"), !combination.asg, "{name}");
        assert_eq!(units("aurora"), combination.aurora, "{name}");
        assert_eq!(units("db_instance"), !combination.aurora, "{name}");
        assert_eq!(units("acm_alb"), combination.provisioned, "{name}");
        assert_eq!(units("acm_cloudfront"), combination.provisioned, "{name}");
        assert_eq!(units("dns"), combination.provisioned, "{name}");
        for addon in ["redis", "memcached", "efs"] {
            let wanted = combination.addon == Some(addon) || combination.addon == Some("all");
            assert_eq!(units(addon), wanted, "{name}: {addon}");
        }
        assert_eq!(
            tree.contains_key("Packer/build.sh"),
            combination.asg,
            "{name}"
        );

        problems.extend(
            after_apply_violations(&tree)
                .into_iter()
                .map(|p| format!("{name}: {p}")),
        );
        problems.extend(
            contract_violations(&tree)
                .into_iter()
                .map(|p| format!("{name}: {p}")),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
