#!/bin/sh
# cgtrack_mkdir reads the clock once: the record's time is the entry's
python3 - <<'PY'
p = 'bpf/cgtrack.bpf.c'
s = open(p).read()
for a, b in [
    ('\tev->ts_ns = bpf_ktime_get_boot_ns();', '\tev->ts_ns = ts ? ts : bpf_ktime_get_boot_ns();'),
    ('static __always_inline void notify(__u32 key, __u64 cgid, __u32 type)',
     'static __always_inline void notify_at(__u32 key, __u64 cgid, __u32 type, __u64 ts)'),
    ('\tnotify(key, cgid, CGTRACK_EV_ADDED);', '\tnotify_at(key, cgid, CGTRACK_EV_ADDED, s->entry.created_ns);'),
]:
    assert s.count(a) == 1, a
    s = s.replace(a, b)
s = s.replace('static __always_inline void notify_at(__u32 key, __u64 cgid, __u32 type, __u64 ts)\n{\n',
    'static __always_inline void notify_at(__u32 key, __u64 cgid, __u32 type, __u64 ts)\n{\n', 1)
# the other callers keep notify()
s = s.replace('/* Read the names the parser needs',
    '#define notify(k, c, t) notify_at(k, c, t, 0)\n\n/* Read the names the parser needs', 1)
open(p, 'w').write(s)
PY
