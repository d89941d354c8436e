#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# deploy/: the Kubernetes manifests and the Dockerfile, checked without a
# cluster or docker:
#  - every manifest parses as YAML (PyYAML, else yq); the DaemonSet has
#    hostPID, the host's bpffs and (read-only) cgroupfs, read-only runtime
#    mounts, capabilities rather than privileged, a readiness probe,
#    requests and limits; its args and its probe work with this build (run
#    here on a private pin dir);
#  - the Dockerfile: hadolint is not in Debian, so by hand: every
#    instruction is a Dockerfile instruction, stages and COPY --from agree,
#    every apt-get package exists in Debian (apt-cache), the runtime
#    packages provide every library the binary needs, and the paths the
#    image uses are where `make install PREFIX=/usr` puts them.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init ops_deploy
# a private copy: a build running meanwhile may relink build/cgtrack
cp "$CGTRACK" "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack

ROOT=$(cd "$(dirname "$0")/.." && pwd)
K8S=$ROOT/deploy/kubernetes
DOCKERFILE=$ROOT/deploy/Dockerfile
CGTRACK_DEFAULT_PIN_DIR=/sys/fs/bpf/cgtrack

# ---- YAML ------------------------------------------------------------------------
json=$T_TMP/manifests.json
if python3 -c 'import yaml' 2>/dev/null; then
	python3 - "$K8S"/*.yaml >"$json" <<'EOF'
import json, sys, yaml
docs = []
for f in sys.argv[1:]:
    docs += [d for d in yaml.safe_load_all(open(f)) if d]
json.dump(docs, sys.stdout)
EOF
	rc=$?
elif command -v yq >/dev/null; then
	yq -s . "$K8S"/*.yaml >"$json"
	rc=$?
else
	t_skip "manifests" "no YAML parser (apt-get install python3-yaml or yq)"
	rc=-1
fi
if [ "$rc" = 0 ]; then
	t_ok "every manifest parses as YAML ($(find "$K8S" -name '*.yaml' | wc -l) files)"
	q() { jq -r "$@" "$json"; }
	DS='.[] | select(.kind == "DaemonSet")'
	C="$DS | .spec.template.spec.containers[0]"
	t_eq "kinds" "DaemonSet Kustomization Namespace ServiceAccount" \
		"$(q '[.[].kind] | sort | join(" ")')"
	t_eq "DaemonSet: apps/v1, selector matches the pod labels" "apps/v1 true" \
		"$(q "$DS | \"\(.apiVersion) \(.spec.selector.matchLabels as \$s | .spec.template.metadata.labels | contains(\$s))\"")"
	t_eq "DaemonSet: hostPID" true "$(q "$DS | .spec.template.spec.hostPID")"
	# mountPath:hostPath:readOnly of every hostPath volume
	mounts=$(q "$DS | .spec.template.spec as \$s | \$s.containers[0].volumeMounts[] |
		. as \$m | (\$s.volumes[] | select(.name == \$m.name) | .hostPath.path) as \$h |
		\"\(\$m.mountPath):\(\$h):\(\$m.readOnly // false)\"")
	t_true "DaemonSet: the host's bpffs at /sys/fs/bpf, writable" grep -qx "/sys/fs/bpf:/sys/fs/bpf:false" <<<"$mounts"
	t_true "DaemonSet: the host's cgroupfs at /sys/fs/cgroup, read-only" grep -qx "/sys/fs/cgroup:/sys/fs/cgroup:true" <<<"$mounts"
	t_eq "DaemonSet: every other host mount (runtime sockets) is read-only" "" \
		"$(grep -v '^/sys/fs/bpf:' <<<"$mounts" | grep -v ':true$')"
	t_true "DaemonSet: a runtime socket directory is mounted" grep -q "^/run/" <<<"$mounts"
	t_eq "DaemonSet: not privileged, drops ALL, adds BPF and PERFMON" "false true true" \
		"$(q "$C | .securityContext | \"\(.privileged // false) \(.capabilities.drop | index(\"ALL\") != null) \(.capabilities.add | contains([\"BPF\", \"PERFMON\"]))\"")"
	t_eq "DaemonSet: no SYS_ADMIN beside allowPrivilegeEscalation: false (the API refuses it)" false \
		"$(q "$C | .securityContext | (.allowPrivilegeEscalation == false and (.capabilities.add | index(\"SYS_ADMIN\") != null))")"
	t_eq "DaemonSet: requests and limits for cpu and memory" "true" \
		"$(q "$C | .resources | (.requests.cpu and .requests.memory and .limits.cpu and .limits.memory) != null")"
	t_eq "DaemonSet: the service account has no token" "false false" \
		"$(q '.[] | select(.kind == "ServiceAccount") | .automountServiceAccountToken') $(q "$DS | .spec.template.spec.automountServiceAccountToken")"
	for f in $(q '.[] | select(.kind == "Kustomization") | .resources[]'); do
		t_true "kustomization: $f exists" test -f "$K8S/$f"
	done

	# The pod's command line, run here against a private pin dir.
	image_bin=$(sed -n 's/^ENTRYPOINT \["\([^"]*\)".*/\1/p' "$DOCKERFILE")
	mapfile -t args < <(q "$C | .args[]")
	mapfile -t probe < <(q "$C | .readinessProbe.exec.command[]")
	t_eq "readiness probe runs the image's binary" "$image_bin" "${probe[0]:-}"
	t_eq "the pod runs \`cgtrack run\`" run "${args[0]:-}"
	# never the host's pin directory: ours, whatever the args say
	run_args=()
	for ((i = 1; i < ${#args[@]}; i++)); do
		case ${args[i]} in
		--pin-dir) run_args+=(--pin-dir "$T_PIN"); i=$((i + 1)) ;;
		--pin-dir=*) run_args+=("--pin-dir=$T_PIN") ;;
		*) run_args+=("${args[i]}") ;;
		esac
	done
	if printf '%s\n' "${run_args[@]}" | grep -E "(^|=)$CGTRACK_DEFAULT_PIN_DIR/?\$" >/dev/null; then
		t_fail "DaemonSet args" "would touch $CGTRACK_DEFAULT_PIN_DIR: ${run_args[*]}"
		exit 1
	fi
	t_daemon_start "${run_args[@]}" --no-enrich
	t_eq "the DaemonSet's args start this build's daemon" 0 "$?"
	t_eq "its logs are JSON lines" "" \
		"$(grep -v '^ *$' "$T_TMP/daemon.err" | while IFS= read -r l; do jq -e . >/dev/null 2>&1 <<<"$l" || echo "$l"; done)"
	cmd=("$CGTRACK" "${probe[@]:1}")
	cmd=("${cmd[@]/#--pin-dir=*/--pin-dir=$T_PIN}")
	t_true "the readiness probe (${probe[*]:1}) succeeds once ready" "${cmd[@]}"
	t_daemon_stop TERM
	cgt unload >/dev/null 2>&1
	t_true "the readiness probe fails when nothing is pinned" sh -c "! \"\$@\"" - "${cmd[@]}"
fi

# ---- Dockerfile -------------------------------------------------------------------
t_true "Dockerfile: deploy/Dockerfile.dockerignore keeps build/ out" grep -qx "build" "$DOCKERFILE.dockerignore"
if command -v hadolint >/dev/null; then
	t_true "Dockerfile: hadolint" hadolint "$DOCKERFILE"
fi
if ! command -v python3 >/dev/null; then
	t_skip "Dockerfile" "no python3"
	exit 0
fi
# instructions, one per line: "KEYWORD rest" (continuations joined)
python3 - "$DOCKERFILE" >"$T_TMP/instr" <<'EOF'
import sys
line = ""
for raw in open(sys.argv[1]):
    s = raw.rstrip("\n")
    if not line and (not s.strip() or s.lstrip().startswith("#")):
        continue
    if line and s.lstrip().startswith("#"):
        continue
    if s.endswith("\\"):
        line += s[:-1] + " "
        continue
    print(" ".join((line + s).split()))
    line = ""
EOF
valid="FROM RUN CMD LABEL EXPOSE ENV ADD COPY ENTRYPOINT VOLUME USER WORKDIR ARG ONBUILD STOPSIGNAL HEALTHCHECK SHELL"
bad=$(awk '{ print $1 }' "$T_TMP/instr" | while read -r k; do
	[[ " $valid " == *" $k "* ]] || echo "$k"; done)
t_eq "Dockerfile: every instruction is valid and upper case" "" "$bad"
t_eq "Dockerfile: only ARG before the first FROM" FROM \
	"$(awk '$1 != "ARG" { print $1; exit }' "$T_TMP/instr")"
release=$(sed -n 's/^ARG DEBIAN_RELEASE=//p' "$T_TMP/instr")
t_eq "Dockerfile: stages (debian packages only)" \
	"debian:bookworm AS build|debian:bookworm-slim" \
	"$(awk '$1 == "FROM" { $1 = ""; print substr($0, 2) }' "$T_TMP/instr" |
		sed "s/\${DEBIAN_RELEASE}/$release/" | paste -sd'|')"
stages=$(awk '$1 == "FROM" && toupper($3) == "AS" { print $4 }' "$T_TMP/instr")
for s in $(grep -o -- '--from=[^ ]*' "$T_TMP/instr" | cut -d= -f2); do
	t_true "Dockerfile: COPY --from=$s names a stage" grep -qx "$s" <<<"$stages"
done
t_true "Dockerfile: ENTRYPOINT in exec form" grep -q '^ENTRYPOINT \[' "$T_TMP/instr"

# packages: "STAGE pkg" for every apt-get install
awk '$1 == "FROM" { st++ } $1 == "RUN" && /apt-get install/ {
	n = split($0, w, " ")
	for (i = 1; i <= n; i++) if (w[i] == "install") break
	for (i++; i <= n && w[i] != "&&"; i++) if (w[i] !~ /^-/) print st, w[i] }' \
	"$T_TMP/instr" >"$T_TMP/pkgs"
# (grep reads it all: with pipefail, grep -q would SIGPIPE apt-cache)
if ! apt-cache policy bash 2>/dev/null | grep Candidate >/dev/null; then
	t_skip "Dockerfile packages" "no apt lists here (apt-get update)"
else
	missing=$(awk '{ print $2 }' "$T_TMP/pkgs" | while read -r p; do
		apt-cache show --no-all-versions "$p" >/dev/null 2>&1 || echo "$p"; done)
	t_eq "Dockerfile: all $(wc -l <"$T_TMP/pkgs") apt packages exist in Debian $(cut -d. -f1 /etc/debian_version)" "" "$missing"
fi
# every library the binary needs comes from a runtime package, one they
# depend on, or a package every Debian image has (Priority: required)
# shellcheck disable=SC2046
runtime_pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests \
	--no-conflicts --no-breaks --no-replaces --no-enhances \
	$(awk '$1 == 2 { print $2 }' "$T_TMP/pkgs") 2>/dev/null | grep -v '^ ' | sort -u)
unprovided=""
for lib in $(objdump -p "$CGTRACK" | awk '/NEEDED/ { print $2 }'); do
	path=$(ldd "$CGTRACK" | awk -v l="$lib" '$1 == l { print $3 }')
	pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1)
	[ -z "$pkg" ] && pkg=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1)
	grep -qx "$pkg" <<<"$runtime_pkgs" && continue
	[ "$(dpkg-query -W -f='${Priority}' "$pkg" 2>/dev/null)" = required ] && continue
	unprovided+="$lib($pkg) "
done
t_eq "Dockerfile: the runtime stage provides every shared library" "" "$unprovided"

# where the build stage installs what the runtime stage copies
dest=$T_TMP/out
if make -s -C "$ROOT" install PREFIX=/usr DESTDIR="$dest" >/dev/null 2>&1; then
	for src in $(awk '$1 == "COPY" && /--from=/ { print $(NF - 1) }' "$T_TMP/instr"); do
		t_true "Dockerfile: COPY --from source ${src#/out} is what make install makes" \
			test -e "$dest${src#/out}"
	done
	t_true "Dockerfile: ENTRYPOINT is the installed binary" test -x "$dest$image_bin"
else
	t_fail "make install PREFIX=/usr" "failed"
fi
exit 0
