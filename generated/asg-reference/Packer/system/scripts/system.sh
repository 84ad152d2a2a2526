#!/usr/bin/env bash
# System layer: OS updates and the AWS agents every instance of the project needs.
# Runs on the Packer build instance (Amazon Linux 2023) as ec2-user and re-executes itself as root.
set -euo pipefail

if [[ ${EUID} -ne 0 ]]; then
  exec sudo -E bash "$0" "$@"
fi

# AL2023 locks dnf to the release the AMI shipped with; --releasever=latest moves the image to
# the newest release so every rebake carries all published fixes. Updates are applied here, by
# rebaking, not on running instances: an instance stays identical to its AMI.
dnf -y --releasever=latest upgrade

# amazon-ssm-agent is the only way into the instances (Session Manager, no SSH);
# amazon-cloudwatch-agent ships memory and disk metrics that EC2 does not see;
# amazon-efs-utils provides the efs mount helper (TLS and IAM authorization for EFS mounts);
# awscli-2 lets user data fetch configuration and secrets at boot.
dnf -y install amazon-ssm-agent amazon-cloudwatch-agent amazon-efs-utils awscli-2

systemctl enable amazon-ssm-agent.service

# A default CloudWatch agent configuration: memory and root-disk usage per Auto Scaling group.
# User data can replace or extend it (amazon-cloudwatch-agent-ctl -a fetch-config / append-config),
# e.g. to ship log files to a log group Terraform created. The instance role needs
# cloudwatch:PutMetricData for the metrics to arrive.
install -d -m 0755 /opt/aws/amazon-cloudwatch-agent/etc
cat > /opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json <<'JSON'
{
  "agent": {
    "metrics_collection_interval": 60,
    "run_as_user": "cwagent"
  },
  "metrics": {
    "namespace": "CWAgent",
    "append_dimensions": {
      "AutoScalingGroupName": "${aws:AutoScalingGroupName}",
      "InstanceId": "${aws:InstanceId}"
    },
    "aggregation_dimensions": [["AutoScalingGroupName"]],
    "metrics_collected": {
      "mem": {
        "measurement": ["mem_used_percent"]
      },
      "disk": {
        "measurement": ["used_percent"],
        "resources": ["/"],
        "drop_device": true
      }
    }
  }
}
JSON
# Translate the JSON into the agent's runtime configuration now, so the service started at boot
# has a configuration, then enable it without starting it on the build instance.
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 \
  -c file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a stop -m ec2
systemctl enable amazon-cloudwatch-agent.service

# Print what was baked into the build log.
rpm -q system-release amazon-ssm-agent amazon-cloudwatch-agent amazon-efs-utils awscli-2
