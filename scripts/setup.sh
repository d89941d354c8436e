#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install the Debian packages cgtrack builds with (only the missing ones)
# and mount bpffs if it is not mounted. Idempotent; quick when nothing to do.
set -eu

PKGS="clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config make \
gcc libjson-c-dev jq busybox-static \
python3-prometheus-client"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "setup: missing packages:$missing (run as root to install)" >&2
		exit 1
	fi
	echo "setup: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=300 update -qq
	# shellcheck disable=SC2086
	apt-get -o DPkg::Lock::Timeout=300 install -y -qq $missing >/dev/null
fi

if ! grep -qs " /sys/fs/bpf bpf " /proc/mounts; then
	if [ "$(id -u)" = 0 ]; then
		mkdir -p /sys/fs/bpf
		mount -t bpf bpf /sys/fs/bpf && echo "setup: mounted bpffs on /sys/fs/bpf"
	fi
fi
exit 0
