#!/bin/sh
# Demo kmatrix payload (runs as /payload/run.sh under busybox sh in the VM).
# Result lines:  KMATRIX: PASS <case>  |  KMATRIX: FAIL <case> <reason>
# Info lines:    KMATRIX: INFO <key> <value...>   (not counted)
layout=${KMATRIX_LAYOUT:-$(cat /run/kmatrix/layout 2>/dev/null || echo v2)}

pass() { echo "KMATRIX: PASS $1"; }
fail() { c=$1; shift; echo "KMATRIX: FAIL $c $*"; }
check() { # check CASE REASON-IF-FALSE COMMAND...
    c=$1 r=$2; shift 2
    if "$@" >/dev/null 2>&1; then pass "$c"; else fail "$c" "$r"; fi
}
# mounted TYPE DIR [OPTION]: is a TYPE filesystem mounted exactly at DIR?
mounted() {
    awk -v t="$1" -v d="$2" -v o="${3:-}" '
        $2 == d && $3 == t && (o == "" || ("," $4 ",") ~ ("," o ",")) { f = 1 }
        END { exit !f }' /proc/mounts
}
count_type() { awk -v t="$1" '$3 == t { n++ } END { print n + 0 }' /proc/mounts; }

echo "KMATRIX: INFO kernel $(uname -r)"
echo "KMATRIX: INFO layout $layout"
echo "KMATRIX: INFO cmdline $(cat /proc/cmdline)"

check btf_vmlinux "/sys/kernel/btf/vmlinux missing" test -s /sys/kernel/btf/vmlinux
check bpffs "no bpf filesystem at /sys/fs/bpf" mounted bpf /sys/fs/bpf

v1_mounted=$(tr '\n' ' ' < /run/kmatrix/v1-mounted 2>/dev/null | sed 's/ $//')
v1_skipped=$(tr '\n' ' ' < /run/kmatrix/v1-skipped 2>/dev/null | sed 's/ $//')
echo "KMATRIX: INFO v1-controllers-mounted ${v1_mounted:-none}"
echo "KMATRIX: INFO v1-controllers-skipped ${v1_skipped:-none}"

n_v1=$(count_type cgroup)
n_v2=$(count_type cgroup2)
case $layout in
    v2)
        if mounted cgroup2 /sys/fs/cgroup && [ "$n_v1" = 0 ] && [ "$n_v2" = 1 ]; then
            pass cgroup_layout_v2
        else
            fail cgroup_layout_v2 "want only cgroup2 at /sys/fs/cgroup, have v1=$n_v1 v2=$n_v2"
        fi
        cg_test_dir=/sys/fs/cgroup
        ;;
    v1|hybrid)
        why=""
        mounted cgroup /sys/fs/cgroup/cpuset cpuset || mounted cgroup /sys/fs/cgroup/pids pids \
            || why="$why no-cpuset-or-pids"
        mounted cgroup /sys/fs/cgroup/systemd name=systemd || why="$why no-name=systemd"
        if [ "$layout" = v1 ]; then
            [ "$n_v2" = 0 ] || why="$why cgroup2-mounted"
        else
            mounted cgroup2 /sys/fs/cgroup/unified || why="$why no-cgroup2-at-unified"
            [ "$n_v2" = 1 ] || why="$why cgroup2-mounts=$n_v2"
        fi
        if [ -z "$why" ]; then pass "cgroup_layout_$layout"; else fail "cgroup_layout_$layout" "$why"; fi
        if [ -n "$v1_mounted" ]; then pass v1_controllers; else fail v1_controllers "none mountable"; fi
        cg_test_dir=/sys/fs/cgroup/systemd
        ;;
    *)
        fail cgroup_layout "unknown layout '$layout'"
        cg_test_dir=/sys/fs/cgroup
        ;;
esac

# what cgtrack's cgroup_mkdir/cgroup_rmdir tracepoints will see
d=$cg_test_dir/kmatrix-test.$$
if mkdir "$d" 2>/dev/null && rmdir "$d" 2>/dev/null; then
    pass cgroup_mkdir_rmdir
else
    fail cgroup_mkdir_rmdir "cannot mkdir/rmdir in $cg_test_dir"
fi

# static libbpf probe (scripts/kmatrix/probe/bpf_probe.c), if built in
if [ -x /payload/bpf_probe ]; then
    /payload/bpf_probe || echo "KMATRIX: INFO bpf_probe exit $?"
else
    echo "KMATRIX: INFO bpf_probe not in payload"
fi
exit 0
