#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Logging: levels (info by default, debug with --debug), --log-format json
# (one JSON object per line, libbpf's messages included), and the journal:
# when stderr is the stream systemd announced in JOURNAL_STREAM, no
# timestamp but a <N> syslog priority; otherwise timestamps.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init ops_log
# a private copy: a build running meanwhile may relink build/cgtrack
cp "$CGTRACK" "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack

[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }
ERR=$T_TMP/err

# not_json FILE: the lines of FILE that are not one JSON object each
not_json() {
	local l
	while IFS= read -r l; do
		jq -e 'type == "object" and (.time | type) == "string" and
		       (.level | IN("error", "warn", "info", "debug")) and
		       (.msg | type) == "string"' >/dev/null 2>&1 <<<"$l" || echo "$l"
	done <"$1"
}

# ---- levels ---------------------------------------------------------------------
cgt load --cgroup-mode v2 2>"$ERR"
t_true "default level: info lines" grep -q " cgtrack: info: loaded" "$ERR"
t_eq "default level: no debug lines" 0 "$(grep -c " debug: " "$ERR")"
cgt unload >/dev/null
cgt load --cgroup-mode v2 --debug 2>"$ERR"
t_true "--debug: debug lines (libbpf's among them)" grep -q " cgtrack: debug: libbpf" "$ERR"
cgt unload >/dev/null

# ---- JSON ----------------------------------------------------------------------------
cgt load --cgroup-mode v2 --debug --log-format json 2>"$ERR"
t_true "json: lines were written" test -s "$ERR"
t_eq "json: every line (libbpf's debug included) is one JSON object" "" "$(not_json "$ERR" | head -3)"
t_true "json: the info record" jq -e 'select(.level == "info" and (.msg | startswith("loaded")))' "$ERR"
cgt unload >/dev/null
"$CGTRACK" list --pin-dir "$T_PIN" --log-format json 2>"$ERR"
t_eq "json: an error is a JSON record of level error" "error" "$(jq -r .level "$ERR")"
t_true "json: the time is UTC ISO 8601" \
	jq -e '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")' "$ERR"
out=$("$CGTRACK" list --pin-dir "$T_PIN" --log-format yaml 2>&1)
t_eq "bad --log-format: exit 2" 2 "$?"
t_true "bad --log-format: says the choices" grep -q "text or json" <<<"$out"

# ---- the journal --------------------------------------------------------------------
: >"$ERR"
js=$(stat -c '%d:%i' "$ERR")
JOURNAL_STREAM=$js "$CGTRACK" list --pin-dir "$T_PIN" 2>>"$ERR"
t_true "journal: no timestamp, <3> priority for an error" grep -q "^<3>cgtrack: error: " "$ERR"
: >"$ERR"
JOURNAL_STREAM=$js cgt load --cgroup-mode v2 --debug 2>>"$ERR"
t_true "journal: <6> for info" grep -q "^<6>cgtrack: info: loaded" "$ERR"
t_true "journal: <7> for debug" grep -q "^<7>cgtrack: debug: " "$ERR"
t_eq "journal: no line has a timestamp" 0 "$(grep -c "^[0-9]\{4\}-" "$ERR")"
cgt unload >/dev/null
: >"$ERR"
JOURNAL_STREAM=1:2 "$CGTRACK" list --pin-dir "$T_PIN" 2>>"$ERR"
t_true "JOURNAL_STREAM of another stream (stderr redirected): timestamps" \
	grep -q "^[0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}T.* cgtrack: error: " "$ERR"
: >"$ERR"
JOURNAL_STREAM=$js "$CGTRACK" list --pin-dir "$T_PIN" --log-format json 2>>"$ERR"
t_eq "journal and json: json wins" "" "$(not_json "$ERR")"

# ---- the daemon, as systemd runs it ---------------------------------------------------
: >>"$T_TMP/daemon.err"
export JOURNAL_STREAM
JOURNAL_STREAM=$(stat -c '%d:%i' "$T_TMP/daemon.err")
t_daemon_start --cgroup-mode v2 --no-enrich && t_daemon_stop TERM
unset JOURNAL_STREAM
t_true "the daemon in the journal: <6> info lines, no timestamp" \
	grep -q "^<6>cgtrack: info: loaded" "$T_TMP/daemon.err"
t_eq "the daemon in the journal: no line has a timestamp" 0 "$(grep -c "^[0-9]\{4\}-" "$T_TMP/daemon.err")"
exit 0
