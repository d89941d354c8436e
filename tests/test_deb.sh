#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The Debian packages (make deb, debian/): built by dpkg-buildpackage
# (scripts/deb/build-deb.sh, into a temporary directory unless
# CGTRACK_DEB_DIR names one holding the built .debs), lintian clean, the
# right files at the right paths, conffiles, maintainer scripts that
# enable/start, restart on upgrade, unload on remove and clean on purge;
# VERSION and debian/changelog must agree. Then the metrics writer
# (/usr/lib/cgtrack/write-metrics, from the package) with the package's own
# binary against a private pin directory and a private collector directory:
# the file appears, parses with the Prometheus client, is readable by the
# node exporter, is only ever replaced by a rename (strace), a concurrent
# reader never sees it partial, and nothing is written without the
# directory. Installing the package for real is tested in the VMs
# (make node-pkg). Leaves nothing behind.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init deb
REPO=$(cd "$TESTS_DIR/.." && pwd)
VER=$(cat "$REPO/VERSION")
PY=/usr/bin/python3

for t in dpkg-buildpackage dh lintian; do
	command -v "$t" >/dev/null || { t_skip all "$t is missing (make deb-deps)"; exit 0; }
done

# --- the packages ---------------------------------------------------------------
DEBS=${CGTRACK_DEB_DIR:-}
if [ -z "$DEBS" ]; then
	DEBS=$T_TMP/deb
	t0=$(date +%s)
	if "$REPO/scripts/deb/build-deb.sh" "$DEBS" >"$T_TMP/build.log" 2>&1; then
		t_ok "make deb: dpkg-buildpackage and lintian pass ($(($(date +%s) - t0)) s)"
	else
		t_fail "make deb" "$(tail -n 8 "$T_TMP/build.log" | tr '\n' ' ')"
		exit 1
	fi
fi
DEBVER=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version)
ARCH=$(dpkg --print-architecture)
DEB=$DEBS/cgtrack_${DEBVER}_$ARCH.deb
DEV=$DEBS/cgtrack-dev_${DEBVER}_all.deb
for f in "$DEB" "$DEV"; do
	[ -f "$f" ] || { t_fail "packages" "no $f"; exit 1; }
done
t_ok "cgtrack ${DEBVER} and cgtrack-dev built"
t_eq "changelog's upstream version is VERSION" "$VER" "${DEBVER%-*}"

if TMPDIR=$T_TMP lintian --fail-on error,warning "$DEBS/cgtrack_${DEBVER}_$ARCH.changes" >"$T_TMP/lintian" 2>&1; then
	t_ok "lintian: no error, no warning ($(grep -c '^[IPX]:' "$T_TMP/lintian") info/pedantic tags)"
else
	t_fail "lintian" "$(grep -E '^[EW]:' "$T_TMP/lintian" | tr '\n' ' ')"
fi
# every override carries its reason (a comment above it)
for o in "$REPO"/debian/*.lintian-overrides; do
	awk 'NF && !/^#/ { if (prev !~ /^#/) bad = 1 } { prev = $0 } END { exit bad }' "$o" &&
		t_ok "$(basename "$o"): every override has a reason" ||
		t_fail "$(basename "$o")" "an override without a comment above it"
done

# --- contents ---------------------------------------------------------------------
dpkg-deb -c "$DEB" | awk '{ print $1, $6 }' >"$T_TMP/contents"
has() {	# MODE PATH
	if grep -qxF -e "$1 ./$2" "$T_TMP/contents"; then t_ok "cgtrack ships /$2 ($1)"
	else t_fail "cgtrack ships /$2" "not as $1: $(grep -F "./$2" "$T_TMP/contents" || echo absent)"; fi
}
has -rwxr-xr-x usr/sbin/cgtrack
has -rw-r--r-- lib/systemd/system/cgtrack.service
has -rw-r--r-- lib/systemd/system/cgtrack-metrics.service
has -rw-r--r-- lib/systemd/system/cgtrack-metrics.timer
has -rwxr-xr-x etc/init.d/cgtrack
has -rw-r--r-- etc/default/cgtrack
has -rw-r--r-- etc/cron.d/cgtrack
has -rwxr-xr-x usr/lib/cgtrack/write-metrics
has -rw-r--r-- usr/share/man/man8/cgtrack.8.gz
has -rw-r--r-- usr/share/doc/cgtrack/copyright
t_eq "nothing under /usr/local" "" "$(grep -F ./usr/local "$T_TMP/contents")"
t_eq "no headers in cgtrack (cgtrack-dev has them)" "" "$(grep -F ./usr/include "$T_TMP/contents")"
want_h=$(cd "$REPO/include/cgtrack" && ls ./*.h | sed 's|^\./|./usr/include/cgtrack/|' | sort)
got_h=$(dpkg-deb -c "$DEV" | awk '{ print $6 }' | grep '\.h$' | sort)
t_eq "cgtrack-dev ships every consumer header in /usr/include/cgtrack" "$want_h" "$got_h"
t_eq "cgtrack-dev: Architecture all" all "$(dpkg-deb -f "$DEV" Architecture)"

mkdir -p "$T_TMP/root" "$T_TMP/ctl"
dpkg-deb -x "$DEB" "$T_TMP/root"
dpkg-deb -e "$DEB" "$T_TMP/ctl"
R=$T_TMP/root
t_eq "conffiles" "/etc/cron.d/cgtrack /etc/default/cgtrack /etc/init.d/cgtrack" \
	"$(sort "$T_TMP/ctl/conffiles" | paste -sd ' ')"
for s in preinst postinst prerm postrm; do
	if [ -x "$T_TMP/ctl/$s" ] && sh -n "$T_TMP/ctl/$s"; then t_ok "$s present, parses"
	else t_fail "$s" "missing, not executable or a syntax error"; fi
done
ctl() { grep -qE -- "$2" "$T_TMP/ctl/$1"; }
t_true "postinst enables cgtrack.service (deb-systemd-helper)" ctl postinst "deb-systemd-helper enable 'cgtrack.service'"
t_true "postinst enables cgtrack-metrics.timer" ctl postinst "deb-systemd-helper enable 'cgtrack-metrics.timer'"
t_true "postinst starts, or restarts on upgrade, under systemd" ctl postinst "deb-systemd-invoke \\\$_dh_action .*'cgtrack.service'"
t_true "postinst: update-rc.d cgtrack defaults" ctl postinst "update-rc.d cgtrack defaults"
t_true "postinst starts the init script (invoke-rc.d)" ctl postinst "invoke-rc.d --skip-systemd-native cgtrack \\\$_dh_action"
t_true "prerm stops only on remove (not on upgrade)" ctl prerm "\"\\\$1\" = remove \\] && \\[ -d /run/systemd/system"
t_true "prerm unloads on remove, after the stop" \
	awk '/deb-systemd-invoke stop/ { s = NR } /cgtrack unload/ { u = NR } END { exit !(s && u > s) }' "$T_TMP/ctl/prerm"
t_true "prerm: no unload on upgrade" \
	awk '/^[[:space:]]+\/usr\/sbin\/cgtrack unload/ { exit !(cond ~ /"\$1" = remove \]/) } /^if / { cond = $0 }' "$T_TMP/ctl/prerm"
t_true "postrm purge: deb-systemd-helper purge, update-rc.d remove" \
	sh -c "grep -q 'deb-systemd-helper purge' '$T_TMP/ctl/postrm' && grep -q 'update-rc.d cgtrack remove' '$T_TMP/ctl/postrm'"
t_eq "unit and init script: no /usr/local/sbin/cgtrack" "" \
	"$(grep -l /usr/local/sbin/cgtrack "$R/lib/systemd/system/cgtrack.service" "$R/etc/init.d/cgtrack")"
t_true "unit: ExecStart=/usr/sbin/cgtrack run" grep -q '^ExecStart=/usr/sbin/cgtrack run' "$R/lib/systemd/system/cgtrack.service"
t_true "init script: DAEMON defaults to /usr/sbin/cgtrack" grep -q 'DAEMON=${DAEMON:-/usr/sbin/cgtrack}' "$R/etc/init.d/cgtrack"
if command -v systemd-analyze >/dev/null; then
	if (cd "$R/lib/systemd/system" && systemd-analyze verify --man=no --recursive-errors=no \
		./cgtrack-metrics.service ./cgtrack-metrics.timer) >"$T_TMP/verify" 2>&1 ||
		! grep -v -e 'not executable' -e 'No such file' -e 'cgtrack.service' -e '^$' "$T_TMP/verify" | grep -q .; then
		t_ok "systemd-analyze verify: metrics service and timer"
	else
		t_fail "systemd-analyze verify" "$(tr '\n' ' ' <"$T_TMP/verify")"
	fi
fi
t_eq "cron entry: every minute, as root, only without systemd" \
	"* * * * * root [ -d /run/systemd/system ] || [ ! -x /usr/lib/cgtrack/write-metrics ] || /usr/lib/cgtrack/write-metrics" \
	"$(grep -v -e '^#' -e '=' -e '^$' "$R/etc/cron.d/cgtrack")"
v=$("$R/usr/sbin/cgtrack" --version 2>&1 | head -n 1)
case "$v" in *"$DEBVER"*) t_ok "the packaged binary says its version ($v)" ;; *) t_fail "--version" "'$v' does not name $DEBVER" ;; esac

# --- VERSION and debian/changelog must agree ------------------------------------------
mkdir -p "$T_TMP/mismatch"
cp -r "$REPO/debian" "$T_TMP/mismatch/"
echo 9.9.9 >"$T_TMP/mismatch/VERSION"
out=$(cd "$T_TMP/mismatch" && make -s -f debian/rules override_dh_auto_configure 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q "VERSION says '9.9.9'" <<<"$out"; then
	t_ok "debian/rules refuses a changelog that disagrees with VERSION"
else
	t_fail "version mismatch" "rc $rc: $out"
fi

# --- the metrics writer -------------------------------------------------------------
W=$R/usr/lib/cgtrack/write-metrics
CG=$R/usr/sbin/cgtrack
COL=$T_TMP/collector
wm() { METRICS_DIR=$COL PIN_DIR=$T_PIN CGTRACK=$CG CGTRACK_DEFAULTS=/nonexistent "$W"; }
parse() {
	$PY -c '
import sys
from prometheus_client.parser import text_string_to_metric_families
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in fam.samples:
        print(s.name, s.value)' "$1"
}

wm
t_eq "no collector directory: exit 0" 0 "$?"
t_eq "no collector directory: nothing made" no "$([ -e "$COL" ] && echo yes || echo no)"

mkdir -m 0755 "$COL"
wm
rc=$?
t_eq "no pins: written all the same, exit 0" 0 "$rc"
if $PY -c 'import prometheus_client' 2>/dev/null; then
	t_eq "no pins: cgtrack_up 0" "cgtrack_up 0.0" "$(parse "$COL/cgtrack.prom" | grep '^cgtrack_up ')"
fi

"$CG" load --pin-dir "$T_PIN" --cgroup-mode auto >"$T_TMP/load.log" 2>&1 ||
	{ t_fail "load" "$(tail -n 3 "$T_TMP/load.log")"; exit 1; }
wm
t_eq "loaded: exit 0" 0 "$?"
t_eq "cgtrack.prom: mode 0644 (the node exporter's own user reads it)" 644 "$(stat -c %a "$COL/cgtrack.prom")"
t_eq "no temporary file left" "cgtrack.prom" "$(ls -A "$COL" | paste -sd ' ')"
if $PY -c 'import prometheus_client' 2>/dev/null; then
	if parse "$COL/cgtrack.prom" >"$T_TMP/parsed" 2>"$T_TMP/parse.err"; then
		t_ok "cgtrack.prom parses with the Prometheus client ($(wc -l <"$T_TMP/parsed") samples)"
	else
		t_fail "cgtrack.prom parses" "$(head -c 300 "$T_TMP/parse.err")"
	fi
	t_eq "loaded: cgtrack_up 1" "cgtrack_up 1.0" "$(grep '^cgtrack_up ' "$T_TMP/parsed")"
else
	t_skip "Prometheus parser" "no python3-prometheus-client (scripts/setup.sh installs it)"
fi

# only ever created by a rename: the final name is never opened for writing
if command -v strace >/dev/null; then
	METRICS_DIR=$COL PIN_DIR=$T_PIN CGTRACK=$CG CGTRACK_DEFAULTS=/nonexistent \
		strace -f -qq -e trace=open,openat,creat,rename,renameat,renameat2 -o "$T_TMP/strace" "$W"
	opened=$(grep -E 'open(at)?\(.*cgtrack\.prom"' "$T_TMP/strace" | grep -E 'O_WRONLY|O_RDWR|O_CREAT' |
		grep -v '\.cgtrack\.prom\.' || true)
	renamed=$(grep -E 'rename(at2?)?\(.*\.cgtrack\.prom\.[^"]*".*"[^"]*/cgtrack\.prom"' "$T_TMP/strace" || true)
	t_eq "strace: cgtrack.prom never opened for writing" "" "$opened"
	if [ -n "$renamed" ]; then t_ok "strace: cgtrack.prom replaced by a rename from a temporary file in the same directory"
	else t_fail "strace: rename" "$(grep -E 'rename|cgtrack' "$T_TMP/strace" | tr '\n' ' ' | cut -c1-400)"; fi
fi

# a reader racing 40 writes never sees an empty or partial file
want=$(wc -l <"$COL/cgtrack.prom")
( for _ in $(seq 40); do wm; done ) &
wpid=$!
bad=0 reads=0
while kill -0 "$wpid" 2>/dev/null; do
	n=$(wc -l <"$COL/cgtrack.prom")
	tail -c 1 "$COL/cgtrack.prom" | od -An -c | grep -q '\\n' || bad=$((bad + 1))
	[ "$n" -ge $((want - 5)) ] || bad=$((bad + 1))
	reads=$((reads + 1))
done
wait "$wpid"
t_eq "a concurrent reader ($reads reads of 40 writes) never saw a partial file" 0 "$bad"

# a failing command keeps the previous file
before=$(md5sum <"$COL/cgtrack.prom")
METRICS_DIR=$COL PIN_DIR=$T_PIN CGTRACK=/bin/false CGTRACK_DEFAULTS=/nonexistent "$W" 2>"$T_TMP/fail.err"
t_eq "a command that prints nothing: exit 1" 1 "$?"
t_eq "... the previous file is kept" "$before" "$(md5sum <"$COL/cgtrack.prom")"
t_eq "... and no temporary file is left" "cgtrack.prom" "$(ls -A "$COL" | paste -sd ' ')"

"$CG" unload --pin-dir "$T_PIN" >/dev/null 2>&1
exit 0
