#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# build-image.sh SUITE CACHE_DIR
#
# Builds (or finds cached) the root filesystem of a node image: Debian SUITE
# made by mmdebstrap --variant=minbase with the packages of
# scripts/node/packages.SUITE, from the Debian archive the host's own apt
# sources name (scripts/lib/host-mirror.sh; NODE_MIRROR overrides). Prints
# the image directory on stdout:
#
#   CACHE_DIR/SUITE-HASH/root/          the root filesystem (a directory)
#   CACHE_DIR/SUITE-HASH/vmlinuz        the image's own kernel and initrd
#   CACHE_DIR/SUITE-HASH/initrd.img
#   CACHE_DIR/SUITE-HASH/release        its kernel release
#   CACHE_DIR/SUITE-HASH/systemd        its systemd version
#
# HASH covers the package list and this script: the image is rebuilt only
# when one of them changes (older SUITE-* builds are then removed).
# The root filesystem gets: root without a password, /etc/fstab for
# /dev/vda, the timers that would only compete with the scenario masked,
# no getty on the serial console (the scenario writes there), and
# /opt/node/busybox.tar, a busybox root filesystem for docker/podman import,
# ctr --rootfs and lxc (no registry is reachable).
# cgtrack itself and the scenario are installed per run by run-node.sh.
#
# Environment: NODE_MIRROR, NODE_BUILD_TIMEOUT (seconds for mmdebstrap, 1200).
set -Eeuo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)
log() { printf 'node-image: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ $# -eq 2 ] || die "usage: build-image.sh SUITE CACHE_DIR"
SUITE=$1
CACHE=$2
PKGS=$SCRIPT_DIR/packages.$SUITE
[ -f "$PKGS" ] || die "no package list $PKGS"
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap --mode=root, chroot)"
command -v mmdebstrap >/dev/null || die "mmdebstrap missing (make node-deps)"

HASH=$(cat "$PKGS" "$0" | sha256sum | cut -c1-12)
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
DIR=$CACHE/$SUITE-$HASH
if [ -f "$DIR/ok" ]; then
	log "$SUITE: cached ($DIR)"
	echo "$DIR"
	exit 0
fi

MIRROR=${NODE_MIRROR:-$("$REPO_DIR/scripts/lib/host-mirror.sh")} ||
	die "no Debian mirror: the host's apt sources name none and NODE_MIRROR is unset"

# one build at a time per cache
exec 9>"$CACHE/.lock-$SUITE"
flock 9
if [ -f "$DIR/ok" ]; then echo "$DIR"; exit 0; fi

for old in "$CACHE/$SUITE"-*; do
	[ -d "$old" ] || continue
	log "$SUITE: removing the outdated image $old"
	rm -rf --one-file-system "$old"
done
mkdir -p "$DIR"
ROOT=$DIR/root
INCLUDE=$(grep -v -e '^#' -e '^[[:space:]]*$' "$PKGS" | paste -sd, -)
START=$(date +%s)
log "$SUITE: mmdebstrap --variant=minbase ($(tr ',' '\n' <<<"$INCLUDE" | wc -l) packages and their dependencies)"
if ! timeout -k 10 "${NODE_BUILD_TIMEOUT:-1200}" mmdebstrap --mode=root --variant=minbase \
	--components=main --include="$INCLUDE" \
	--aptopt='Acquire::http::Timeout "30"' --aptopt='Acquire::Retries "2"' \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	"$SUITE" "$ROOT" "$MIRROR" >"$DIR/mmdebstrap.log" 2>&1; then
	tail -n 15 "$DIR/mmdebstrap.log" | sed 's/^/  /' >&2
	mv "$DIR/mmdebstrap.log" "$CACHE/mmdebstrap-$SUITE-failed.log" 2>/dev/null || true
	rm -rf --one-file-system "$DIR"
	die "$SUITE: mmdebstrap failed or timed out (a package that cannot be fetched? log: $CACHE/mmdebstrap-$SUITE-failed.log)"
fi
log "$SUITE: mmdebstrap done in $(($(date +%s) - START)) s"

# --- the image's settings -------------------------------------------------------
sed -i 's/^root:[^:]*:/root::/' "$ROOT/etc/shadow"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$ROOT/etc/fstab"
echo node >"$ROOT/etc/hostname"
# mmdebstrap copies the build host's resolver; the VM has no network
: >"$ROOT/etc/resolv.conf"
printf '127.0.0.1 localhost\n127.0.1.1 node\n' >"$ROOT/etc/hosts"
# timers that would only compete with the scenario for the 2 vCPUs
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
	dpkg-db-backup.timer logrotate.timer man-db.timer e2scrub_reap.service \
	serial-getty@ttyS0.service getty@tty1.service; do
	ln -sfn /dev/null "$ROOT/etc/systemd/system/$u"
done

# --- a busybox image for the runtimes -------------------------------------------
BB=$(mktemp -d "${TMPDIR:-/tmp}/node-bb.XXXXXX")
trap 'rm -rf "$BB"' EXIT
mkdir -p "$BB"/{bin,proc,sys,dev,etc,tmp,root,run,var}
cp "$ROOT/bin/busybox" "$BB/bin/busybox"
chroot "$BB" /bin/busybox --install -s /bin
echo 'root:x:0:0:root:/root:/bin/sh' >"$BB/etc/passwd"
echo 'root:x:0:' >"$BB/etc/group"
mkdir -p "$ROOT/opt/node"
tar -C "$BB" -cf "$ROOT/opt/node/busybox.tar" .

# --- kernel and initrd ----------------------------------------------------------
kernel=$(find "$ROOT/boot" -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -n 1)
[ -n "$kernel" ] || die "$SUITE: no kernel in $ROOT/boot"
rel=${kernel##*/vmlinuz-}
[ -s "$ROOT/boot/initrd.img-$rel" ] || die "$SUITE: no initrd for $rel in $ROOT/boot"
cp "$kernel" "$DIR/vmlinuz"
cp "$ROOT/boot/initrd.img-$rel" "$DIR/initrd.img"
echo "$rel" >"$DIR/release"
chroot "$ROOT" dpkg-query -W -f '${Version}\n' systemd >"$DIR/systemd"
du -sm "$ROOT" | cut -f1 >"$DIR/size-mb"
touch "$DIR/ok"
log "$SUITE: image ready in $(($(date +%s) - START)) s: kernel $rel, systemd $(cat "$DIR/systemd"), $(cat "$DIR/size-mb") MB ($DIR)"
echo "$DIR"
