#!/bin/sh
# sweep: decide from the values the batched read returned, delete in batches
# (one syscall per 4096 keys per map instead of lookup + 2 deletes per entry)
python3 - <<'PY'
p='loader/sweep.c'
s=open(p).read()
a=s.index('\tfor (i = 0; i < n; i++) {\n\t\tstruct cgtrack_container e;')
b=s.index('\tfree(v);\n\tpins_stat_add')
new='''	for (i = 0; i < n; i += SWEEP_CHUNK) {
		__u32 keys[SWEEP_CHUNK], cnt = 0, k;

		for (k = i; k < n && k < i + SWEEP_CHUNK; k++)
			keys[cnt++] = v[k].key;
		k = cnt;
		if (bpf_map_delete_batch(p->containers, keys, &k, NULL) && errno != ENOENT) {
			/* fall back: one by one */
			for (k = 0; k < cnt; k++)
				if (!bpf_map_delete_elem(p->containers, &keys[k]))
					r->deleted++;
		} else {
			r->deleted += k;
		}
		if (p->containers_map >= 0) {
			k = cnt;
			bpf_map_delete_batch(p->containers_map, keys, &k, NULL);
		}
	}
'''
s=s[:a]+new+s[b:]
open(p,'w').write(s)
PY
