#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# install-deps.sh: what `make cross-arm64` needs, the Debian way, from the
# system's own apt sources, skipping what is there: the cross compiler
# (gcc-aarch64-linux-gnu) and, through multiarch (`dpkg --add-architecture
# arm64`, once), the arm64 builds of libbpf, libelf, zlib and zstd, whose
# static archives land in /usr/lib/aarch64-linux-gnu. The :arm64 libraries
# are Multi-Arch: same, so they sit beside the amd64 ones at the same
# version (apt may upgrade an amd64 library to keep them in step).
# Also qemu-system-arm (qemu-system-aarch64) for booting arm64 kernels.
# For the arm64 .deb (`make deb-arm64`, dynamically linked, with
# enrichment): libjson-c-dev:arm64 and pkg-config:arm64 (its aarch64-linux-gnu-pkg-config), what
# `dpkg-checkbuilddeps -a arm64` asks for beyond the above; and
# qemu-user-static, with which tests/test_deb_arm64.sh runs the packaged
# aarch64 binary (qemu-aarch64-static -L /).
set -euo pipefail

PKGS=(
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu
    libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64 libzstd-dev:arm64
    clang llvm bpftool debian-archive-keyring
    qemu-system-arm cpio gzip
    libjson-c-dev:arm64 pkg-config:arm64
    qemu-user-static
)

SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
added=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "cross install-deps: dpkg --add-architecture arm64"
    $SUDO dpkg --add-architecture arm64
    added=1
fi
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
        || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && [ "$added" = 0 ]; then
    echo "cross install-deps: all present"
    exit 0
fi
echo "cross install-deps: installing ${missing[*]}"
timeout 600 $SUDO apt-get update -q
[ ${#missing[@]} -eq 0 ] ||
    timeout 900 $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
