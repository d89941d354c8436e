#!/bin/sh
# cut.sh STAGE: cgtrack_mkdir returns early, to split its cost by difference
#   1: before the entry is finished (no clock, no map update, no record)
#   2: before cgtrack_build()      3: before cgtrack_decide() (the parser)
#   4: before the parent lookup    5: before read_names()
python3 - "$1" <<'PY'
import sys
marks = {
    '1': '\ts->entry.cgroup_id = cgid;',
    '2': '\tif (!cgtrack_build(cgid, parent != NULL))',
    '3': '\tmore = cgtrack_decide_more();',
    '4': '\t/* most parents are not containers\': the filter spares their lookup */',
    '5': '\tread_names(&s->names, kn, pkn, level);',
}
m = marks[sys.argv[1]]
p = 'bpf/cgtrack.bpf.c'
s = open(p).read()
assert s.count(m) == 1, m
s = s.replace(m, '\tif (cgrp)\n\t\treturn 0;\n' + m)
open(p, 'w').write(s)
PY
