#!/usr/bin/env bash
# install-deps.sh: installs (with apt-get, from the system's own Debian
# sources) what the kmatrix scripts need, skipping what is already there.
# For CI: `bash scripts/kmatrix/install-deps.sh` before run-matrix.sh.
set -euo pipefail

PKGS=(
    qemu-system-x86        # the VMs
    busybox-static         # /init and userland inside the initramfs
    cpio gzip              # initramfs image
    xz-utils zstd binutils # bzImage -> PVH vmlinux (decompress, readelf)
    debian-archive-keyring # Signed-By for the private apt sources
    gcc make libc6-dev     # static bpf_probe
    libbpf-dev libelf-dev zlib1g-dev libzstd-dev
)

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
        || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all present"
    exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
timeout 300 $SUDO apt-get update -q
timeout 900 $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
