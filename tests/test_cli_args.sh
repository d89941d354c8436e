#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The command line, as an operator types it (no pins needed): options
# before the command belong to it, --version names the map ABI, and a
# misplaced option is named by itself, not by its value.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init cli_args

out=$("$CGTRACK" --version)
t_eq "--version exits 0" 0 "$?"
t_true "--version prints the version and the map ABI ($out)" \
	grep -Eq "^cgtrack [0-9]+\.[0-9]+\.[0-9]+.* \(map ABI v[0-9]+\)$" <<<"$out"
out=$("$CGTRACK" --pin-dir /sys/fs/bpf/cgt-none-$$ parse --json /docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef 2>&1)
t_eq "options before the command are the command's" 0 "$?"
t_eq "and the command runs ($out)" docker "$(jq -r .runtime <<<"$out" 2>/dev/null)"
out=$("$CGTRACK" list --expiry 5s 2>&1)
t_eq "a misplaced option: exit 2" 2 "$?"
t_false_value=$(grep -c "'5s'" <<<"$out")
t_eq "is named by itself, not by its value ($out)" 0 "$t_false_value"
out=$("$CGTRACK" run --expiry 2>&1)
t_eq "an option without its value: exit 2" 2 "$?"
t_true "says it needs a value ($out)" grep -q "option '--expiry' needs a value" <<<"$out"
out=$("$CGTRACK" get 1 --expiry 2>&1)
t_true "another command's option, even without a value, does not apply ($out)" \
	grep -q "option '--expiry' does not apply to \`cgtrack get\`" <<<"$out"

# parse: stdin, --explain, and bad input is bad usage (exit 2), as for resolve
I=$(printf 'cli-%s' "$$" | sha256sum | cut -c1-64)
out=$(printf '/docker/%s\n/system.slice/x.service\n' "$I" | "$CGTRACK" parse --json -)
t_eq "parse - reads paths from stdin" "docker none" \
	"$(jq -r 'if .runtime == "" then "none" else .runtime end' <<<"$out" | xargs)"
out=$("$CGTRACK" parse --explain "/kubepods/besteffort/pod12345678-1234-1234-1234-123456789abc/$I/sub")
t_true "parse --explain says which component is the container" \
	grep -Eq "^  $I +a container: containerd $I, pod 12345678-1234-1234-1234-123456789abc$" <<<"$out"
t_true "and what its sub-cgroup is" grep -Eq "^  sub +inside container $I \(containerd\)$" <<<"$out"
t_true "and that the pod directory is not one" \
	grep -Eq "^  pod12345678-1234-1234-1234-123456789abc +not a container" <<<"$out"
"$CGTRACK" parse relative >/dev/null 2>&1
prc=$?
"$CGTRACK" resolve 4026531840 relative >/dev/null 2>&1
t_eq "a relative path: parse and resolve both exit 2" "2 2" "$prc $?"

# bash completion, made from the command table and the option sets
"$CGTRACK" completion bash >"$T_TMP/c.bash" || t_fail "completion bash" "exit $?"
comp() {	# WORDS...: what completing the last word offers
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cgtrack
		printf "%s\n" "${COMPREPLY[@]}"' _ "$T_TMP/c.bash" cgtrack "$@" | sort | xargs
}
t_eq "completion: commands" "list" "$(comp li)"
t_eq "completion: list's own options" "--state" "$(comp list --st)"
t_eq "completion: an option's values" "auto v1 v2" "$(comp run --cgroup-mode '')"
t_eq "completion: parse offers --explain" "--explain" "$(comp parse --ex)"
t_eq "completion: get does not offer list's filters" "" "$(comp get --st)"
t_eq "completion: every command is offered" \
	"$("$CGTRACK" --help | awk '/^  [a-z]/ { print $1 }' | sort | xargs)" \
	"$(comp '' | tr ' ' '\n' | grep -v '^--' | sort | xargs)"

# Help, parser and completion read the same declarations: each command's
# help shows exactly the options it accepts (and every one of them is
# accepted: an option a command does not take is refused with exit 2)
for c in $("$CGTRACK" --help | awk '/^  [a-z]/ { print $1 }'); do
	shown=$("$CGTRACK" "$c" --help | grep -oE '^  (-[a-z], )?--[a-z0-9-]+' |
		grep -oE -- '--[a-z0-9-]+' | sort | xargs)
	offered=$(comp "$c" -- | tr ' ' '\n' | grep -vxE -- '--(help|verbose)' | sort | xargs)
	t_eq "$c --help shows the options it takes" "$offered" "$shown"
done
"$CGTRACK" get --prometheus 1 >/dev/null 2>"$T_TMP/err"
t_eq "an option of another command: exit 2, named" "2 1" \
	"$? $(grep -c -- "'--prometheus' does not apply to \`cgtrack get\`" "$T_TMP/err")"
