#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# compare-bpf.sh ARM64_OBJ ARM64_VMLINUX_H WORKDIR
#
# Does one BPF object serve x86-64 and arm64? Three checks, each printed:
#
#  1. __TARGET_ARCH: bpf/cgtrack.bpf.c compiled with -D__TARGET_ARCH_x86 and
#     with -D__TARGET_ARCH_arm64 against the SAME vmlinux.h (the arm64 one)
#     must give byte-identical objects (the macro only selects bpf_tracing.h's
#     PT_REGS_* for kprobes; cgtrack's programs are tp_btf/BPF_PROG, which
#     read the tracepoint's u64 argument array on every architecture).
#  2. vmlinux.h: the x86 object (host BTF, __TARGET_ARCH_x86, as `make`
#     builds it) and ARM64_OBJ (arm64 BTF, as `make cross-arm64` builds it)
#     have the same number of instructions; those that differ differ only in
#     a kernel struct's field offset: a load/store's offset, or the immediate
#     of a mov/add (bpf_core_read's), both CO-RE relocated.
#  3. CO-RE: as root, with bpffs, both are loaded into THIS kernel (bpftool
#     prog loadall, private pins under /sys/fs/bpf, removed afterwards; not
#     attached) and the programs the kernel holds after libbpf's
#     relocations (bpftool prog dump xlated, map ids masked) must be
#     identical. Skipped (said so) when not root.
#
# Exit 0 if every check that ran found them equivalent, 1 otherwise.
# Environment: CLANG, BPFTOOL, LLVM_OBJDUMP.
set -euo pipefail

[ $# -eq 3 ] || { sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
ARM_OBJ=$1 ARM_H=$2 W=$3
CLANG=${CLANG:-clang}
BPFTOOL=${BPFTOOL:-bpftool}
OBJDUMP=${LLVM_OBJDUMP:-llvm-objdump}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
cd "$REPO"
rm -rf "$W"
mkdir -p "$W/host" "$W/arm64"
cp "$ARM_H" "$W/arm64/vmlinux.h"
"$BPFTOOL" btf dump file /sys/kernel/btf/vmlinux format c >"$W/host/vmlinux.h"
bad=0

build() { # build HDRDIR ARCH OUT
    "$CLANG" -g -O2 -target bpf "-D__TARGET_ARCH_$2" -Wall -Wno-unused-function \
        -Iinclude -I"$1" -Ibpf -c bpf/cgtrack.bpf.c -o "$3.tmp.o"
    "$BPFTOOL" gen object "$3" "$3.tmp.o"
    rm -f "$3.tmp.o"
}

echo "== 1. -D__TARGET_ARCH_x86 vs -D__TARGET_ARCH_arm64, same vmlinux.h (arm64's)"
build "$W/arm64" x86 "$W/arm64-h.x86.o"
build "$W/arm64" arm64 "$W/arm64-h.arm64.o"
sha256sum "$W/arm64-h.x86.o" "$W/arm64-h.arm64.o" "$ARM_OBJ" | sed "s|$W/||"
if cmp -s "$W/arm64-h.x86.o" "$W/arm64-h.arm64.o" && cmp -s "$W/arm64-h.arm64.o" "$ARM_OBJ"; then
    echo "identical: __TARGET_ARCH changes nothing in the object"
else
    echo "DIFFERENT: the target architecture changes the object"; bad=1
fi

echo "== 2. x86 object (host BTF, $(uname -r)) vs arm64 object ($ARM_OBJ)"
build "$W/host" x86 "$W/x86.o"
for o in x86 arm64; do
    f=$W/x86.o; [ "$o" = arm64 ] && f=$ARM_OBJ
    "$OBJDUMP" -d "$f" | grep -E '^ *[0-9]+:' | tr -s '\t ' '  ' >"$W/$o.dis"
done
nx=$(wc -l <"$W/x86.dis") na=$(wc -l <"$W/arm64.dis")
ndiff=$(paste "$W/x86.dis" "$W/arm64.dis" | awk -F'\t' '$1 != $2' | wc -l)
# a differing instruction whose opcode byte, registers or kind differ, or
# that is not a memory access with an offset, is not explained by CO-RE
nother=$(paste "$W/x86.dis" "$W/arm64.dis" | awk -F'\t' '$1 != $2 {
        split($1, a, " "); split($2, b, " ")
        # a[2]=opcode byte, a[3]=regs; a load/store (its offset differs) or
        # a mov/add of an immediate (an offset that bpf_core_read adds)
        mem = $1 ~ /\*\(u(8|16|32|64) \*\)\(r[0-9]+ [+-] [0-9]+\)/
        imm = a[2] ~ /^(b7|07|b4|04)$/
        if (a[2] != b[2] || a[3] != b[3] || !(mem || imm)) print }' | wc -l)
echo "instructions: x86 $nx, arm64 $na; differing: $ndiff, of which not a field offset: $nother"
if [ "$nx" != "$na" ] || [ "$nother" != 0 ]; then bad=1; fi

echo "== 3. loaded into this kernel: the programs after CO-RE relocation"
if [ "$(id -u)" != 0 ] || ! grep -qs ' /sys/fs/bpf bpf ' /proc/mounts; then
    echo "skipped (needs root and bpffs on /sys/fs/bpf)"
else
    pins=/sys/fs/bpf/cgtrack-xarch-$$
    trap 'rm -rf "$pins"' EXIT
    mkdir -p "$pins"
    for o in x86 arm64; do
        f=$W/x86.o; [ "$o" = arm64 ] && f=$ARM_OBJ
        "$BPFTOOL" -d prog loadall "$f" "$pins/$o" >"$W/load.$o.log" 2>&1 ||
            { echo "$o object does not load here (log: $W/load.$o.log)"; bad=1; continue; }
        for p in "$pins/$o"/*; do
            "$BPFTOOL" prog dump xlated pinned "$p" |
                sed -E 's/map\[id:[0-9]+\]/map[id:N]/g' >"$W/xlated.$o.$(basename "$p")"
        done
    done
    grep -h 'patched insn' "$W/load.arm64.log" | head -3
    for f in "$W"/xlated.x86.*; do
        p=${f##*/xlated.x86.}
        if cmp -s "$f" "$W/xlated.arm64.$p"; then
            echo "$p: $(wc -l <"$f") xlated instructions, identical"
        else
            echo "$p: DIFFERENT after relocation"; bad=1
        fi
    done
    rm -rf "$pins"
fi
[ "$bad" = 0 ] && echo "RESULT: one BPF object serves both architectures" ||
    echo "RESULT: the objects are NOT equivalent"
exit "$bad"
