#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Print the Debian archive mirror the host's apt configuration uses (the
# URI of its first `deb` source that is neither a security nor an updates
# archive), so that scripts that fetch Debian packages go where the host's
# apt goes. Reads /etc/apt/sources.list (one-line format) and
# /etc/apt/sources.list.d/*.list and *.sources (deb822 `URIs:` lines); other
# file names there are ignored, as apt ignores them.
#
#   host-mirror.sh            prints e.g. http://<host>/debian, exit 0
#                             exit 1 (and a message on stderr) if none found
# Environment: HOST_MIRROR_APT_DIR (default /etc/apt) for tests.
#
# Can also be sourced: defines host_mirror (prints, returns 1 if none).

host_mirror() {
	hm_dir=${HOST_MIRROR_APT_DIR:-/etc/apt}
	hm_files=""
	[ -f "$hm_dir/sources.list" ] && hm_files="$hm_dir/sources.list"
	for hm_f in "$hm_dir"/sources.list.d/*.list "$hm_dir"/sources.list.d/*.sources; do
		[ -f "$hm_f" ] && hm_files="$hm_files $hm_f"
	done
	[ -n "$hm_files" ] || return 1
	for hm_f in $hm_files; do
		awk -v deb822="$(case $hm_f in *.sources) echo 1 ;; *) echo 0 ;; esac)" '
		function ok(uri, suites) {
			# the main archive: not the security archive, and at least
			# one suite that is not an add-on (-security, -updates, ...)
			if (uri !~ /^(https?|ftp|file):/) return 0
			if (uri ~ /security/) return 0
			if (suites != "" && suites !~ /(^|[ \t])[a-z]+([ \t]|$)/) return 0
			return 1
		}
		function flush() {
			if (deb && enabled && ok(uri, suites)) { print uri; exit }
			deb = 0; uri = ""; suites = ""; enabled = 1
		}
		BEGIN { enabled = 1 }
		deb822 && /^[ \t]*$/ { flush(); next }
		deb822 && /^[ \t]*#/ { next }
		deb822 && tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1; next }
		deb822 && tolower($1) == "uris:" { uri = $2; next }
		deb822 && tolower($1) == "suites:" { $1 = ""; suites = $0; next }
		deb822 && tolower($1) == "enabled:" { if (tolower($2) == "no") enabled = 0; next }
		deb822 { next }
		$1 == "deb" {
			i = 2
			if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
			if (ok($i, $(i + 1))) { print $i; exit }
		}
		END { if (deb822) flush() }
		' "$hm_f"
	done | sed -e 's|/*$||' -e q | grep . || return 1
}

# run, unless sourced
case ${0##*/} in
host-mirror.sh)
	host_mirror || {
		echo "host-mirror.sh: no Debian archive found in ${HOST_MIRROR_APT_DIR:-/etc/apt}/sources.list{,.d/*.list,.d/*.sources}" >&2
		exit 1
	}
	;;
esac
