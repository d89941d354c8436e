#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The tables of list/get/find cut long names, images and pods: a cut value
# ends with an ellipsis (it must never look whole), columns stay aligned,
# `libvirt-lxc` fits its column, and --wide prints every value whole.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init table_output
cp "$CGTRACK" "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack
command -v bpftool >/dev/null || { t_skip all "no bpftool"; exit 0; }
[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }

cgt load --cgroup-mode v2 >/dev/null 2>&1 || { t_fail load "failed"; exit 1; }
id=$(printf 'tbl-%s' "$$" | sha256sum | cut -c1-64)
dir=$(t_mkdir v2 "docker/$id")
key=$(t_ino "$dir")
name=web-frontend-with-a-long-name-0123456789
image=registry.example.test/team/project/image-name:v1.2.3-long-tag
pod_name=frontend-deployment-7d9f8b6c5d-x2x4z
pod_ns=production
t_write_info "$key" 2 "$name" "$image" "$pod_name" "$pod_ns" ||
	{ t_fail "write the info entry" "bpftool failed"; exit 1; }
lxc=$(t_mkdir v2 "machine/lxc-$$.libvirt-lxc")

row=$(cgt find "$id" | tail -1)
t_true "a cut name ends with an ellipsis" grep -q "web-frontend-with-a… " <<<"$row"
t_true "a cut image too" grep -q "registry.example.test/team/project/… " <<<"$row"
t_true "and a cut pod" grep -q "production/frontend-deploym… " <<<"$row"
t_false_whole=$(grep -c "$image" <<<"$row")
t_eq "the cut image is not printed whole" 0 "$t_false_whole"
# the PATH column starts where the header says, in every row
hdr=$(cgt list | head -1)
col=$(awk '{ print index($0, "PATH") }' <<<"$hdr")
bad=$(cgt list | tail -n +2 | awk -v c="$col" '{
	# characters, not bytes: the ellipsis is one column
	s = $0; gsub(/\xe2\x80\xa6/, "~", s)
	if (substr(s, c, 1) != "/" && substr(s, c, 1) != "-") print }' | head -3)
t_eq "every row's PATH starts under the header's (aligned)" "" "$bad"
lxcrow=$(cgt get "$(t_ino "$lxc")" | tail -1)
t_eq "libvirt-lxc fits its column" libvirt-lxc "$(awk '{ print $3 }' <<<"$lxcrow")"

wide=$(cgt find --wide "$id" | tail -1)
t_true "--wide prints the whole name" grep -q -- "$name" <<<"$wide"
t_true "--wide prints the whole image" grep -q -- "$image" <<<"$wide"
t_true "--wide prints the whole pod" grep -q -- "$pod_ns/$pod_name" <<<"$wide"
t_true "--wide prints the whole id" grep -q -- "$id" <<<"$wide"
t_eq "--wide does not apply to parse" 2 "$("$CGTRACK" parse --wide /x >/dev/null 2>&1; echo $?)"
