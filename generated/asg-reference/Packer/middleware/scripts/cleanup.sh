#!/usr/bin/env bash
# Runs last in every layer: removes build-time and per-instance state so each instance launched
# from the AMI (and the next layer's build) starts fresh.
set -euo pipefail

if [[ ${EUID} -ne 0 ]]; then
  exec sudo -E bash "$0" "$@"
fi

# Package caches only make the AMI larger.
dnf clean all
rm -rf /var/cache/dnf

# cloud-init runs its per-instance modules again on the next boot of a new instance.
cloud-init clean --logs

# Packer's throwaway public key: its private half is already gone, but no key stays in the image.
rm -f /home/ec2-user/.ssh/authorized_keys /root/.ssh/authorized_keys

# An empty machine-id is regenerated at first boot, so instances do not share one (journald,
# DHCP client IDs).
truncate -s 0 /etc/machine-id

# Build logs and shell history.
journalctl --rotate
journalctl --vacuum-time=1s
rm -f /root/.bash_history /home/ec2-user/.bash_history
