// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpfload.h"
#include "cgtrack.skel.h"
#include "log.h"
#include "pindir.h"
#include "pins.h"
#include "pinset.h"
#include "timeutil.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* FNV-1a of the embedded BPF object: tells builds apart. */
static uint64_t object_hash(void)
{
	size_t len = 0, i;
	const unsigned char *data = cgtrack__elf_bytes(&len);
	uint64_t h = 1469598103934665603ull;

	for (i = 0; i < len; i++)
		h = (h ^ data[i]) * 1099511628211ull;
	return h;
}

/*
 * Remove what is pinned under our names: every pin when force (--replace:
 * the operator asked for these names), else only what is provably
 * cgtrack's; the rest is named and left. Through the directories'
 * descriptors: a path swapped meanwhile cannot redirect the unlink.
 */
static int unpin_all(const struct pindir *pd, bool force, int *left)
{
	char path[PATH_MAX], why[200];
	struct pin_users users = { .n = 0 };
	int n = 0, err = 0;
	size_t i;

	*left = 0;
	for (i = 0; i < pinset_len; i++) {
		const struct pin_spec *s = &pinset[i];
		int at = pin_is_link(s) ? pd->links : pd->dir;
		const char *base = pin_basename(s);
		enum pin_verdict v;

		if (at < 0)
			continue;
		pins_path(path, sizeof(path), pd->path, s->pin);
		v = pin_check(path, s, &users, why, sizeof(why));
		if (v == PIN_ABSENT)
			continue;
		if (v != PIN_OURS && !force) {
			log_warn("left %s in place: it is not cgtrack's (%s)", path, why);
			(*left)++;
			continue;
		}
		if (!unlinkat(at, base, 0)) {
			n++;
			continue;
		}
		if (errno == ENOENT || err)
			continue;
		err = -errno;
		log_err("cannot remove %s: %s%s", path, strerror(errno),
			errno == EACCES || errno == EPERM ?
			" (removing pins needs write permission on their directory, "
			"no capability)" : "");
	}
	return err ? err : n;
}

/* Remove a directory by its parent's descriptor; a mount point stays. */
static void remove_dir(int at, const char *name)
{
	if (at >= 0 && unlinkat(at, name, AT_REMOVEDIR) && errno != ENOENT &&
	    errno != EBUSY && errno != ENOTEMPTY)
		log_warn("cannot remove directory %s: %s", name, strerror(errno));
}

int bpfload_unload(const char *pin_dir, bool force, int *left)
{
	struct pindir pd;
	int r, n;

	*left = 0;
	r = pindir_open(&pd, pin_dir, false, (gid_t)-1);
	if (r)
		return r > 0 ? 0 : -EPERM;
	n = unpin_all(&pd, force, left);
	if (n >= 0 && !*left) {
		remove_dir(pd.dir, "links");
		remove_dir(pd.parent, pd.name);
	}
	pindir_close(&pd);
	return n;
}

/*
 * Every pin under our names must be cgtrack's before anything is reused:
 * a look-alike would feed readers, or swallow our entries.
 */
static int check_pins_ours(const char *pin_dir, int *links, int *maps, bool *own_config)
{
	char path[PATH_MAX], why[200];
	struct pin_users users = { .n = 0 };
	size_t i;

	*links = *maps = 0;
	for (i = 0; i < pinset_len; i++) {
		const struct pin_spec *s = &pinset[i];
		enum pin_verdict v;

		pins_path(path, sizeof(path), pin_dir, s->pin);
		v = pin_check(path, s, &users, why, sizeof(why));
		if (v == PIN_ABSENT)
			continue;
		if (v != PIN_OURS) {
			log_err("%s is not cgtrack's: %s. Move it away, or run `cgtrack "
				"run --replace` to replace every pin under cgtrack's names",
				path, why);
			return -1;
		}
		if (pin_is_link(s))
			(*links)++;
		else
			(*maps)++;
	}
	*own_config = users.own_config;
	return 0;
}

/* The config pin carries no ABI stamp: who made these maps? */
static void explain_unstamped(const char *pin_dir, int links)
{
	if (links)
		log_err("the pins in %s hold no cgtrack configuration (the config map "
			"is missing or all zeros) although program links are pinned: "
			"a load was interrupted or the config was overwritten; run "
			"`cgtrack run --replace`", pin_dir);
	else
		log_err("the maps pinned in %s are cgtrack's layout but were not made by "
			"cgtrack: no program links are pinned and the config map is missing "
			"or holds no ABI stamp (all zeros). A BPF program using cgtrack's maps (the "
			"consumer kit) was probably started before cgtrack and created "
			"them. Stop it, run `cgtrack run --replace` (or `cgtrack unload`), "
			"and start it again after cgtrack: cgtrack_consumer_use_pins() "
			"refuses to create pins", pin_dir);
}

/*
 * Can the pinned programs be adopted? 1 yes, 0 nothing pinned, -1 pinned
 * but incompatible (message logged), -2 cgtrack's of another map ABI with
 * o->replace_other_abi (the caller replaces them).
 */
static int check_adoptable(const struct load_opts *o, struct cgtrack_config *cfg)
{
	bool own_config = false;
	struct pinned p;
	int links, maps;

	if (check_pins_ours(o->pin_dir, &links, &maps, &own_config))
		return -1;
	if (!links && !maps)
		return 0;
	if (pins_open(o->pin_dir, false, &p))
		return -1;
	*cfg = p.cfg;
	pins_close(&p);
	if (!cfg->abi_version && !links && own_config) {
		/*
		 * cgtrack's own maps, pinned by a load that was stopped before
		 * it stamped the config (a start timeout, a kill): load again
		 * into them.
		 */
		log_warn("the pins in %s are from a load that did not finish; loading "
			 "again", o->pin_dir);
		return 0;
	}
	if (!cfg->abi_version) {
		explain_unstamped(o->pin_dir, links);
		return -1;
	}
	if (cfg->abi_version != CGTRACK_ABI_VERSION) {
		if (o->replace_other_abi)
			return -2;	/* the caller replaces them */
		log_err("the pins in %s were made by an incompatible cgtrack (map ABI "
			"v%u, this build is v%u): run `cgtrack unload` to remove them, "
			"or `cgtrack run --replace` to replace them", o->pin_dir,
			cfg->abi_version, CGTRACK_ABI_VERSION);
		return -1;
	}
	if ((int)cfg->hierarchy_id != o->th->hierarchy_id || cfg->mode != o->th->mode) {
		log_err("the pinned programs in %s track %s (hierarchy %u), this run "
			"asks for %s (hierarchy %d): run `cgtrack unload` first, or "
			"`cgtrack run --replace`", o->pin_dir, cfg->controller,
			cfg->hierarchy_id, o->th->controller, o->th->hierarchy_id);
		return -1;
	}
	if (links != N_LINK_PINS)
		return 0;	/* maps only (e.g. after a crash mid-load): reload */
	if (o->containers_map && !(cfg->flags & CGTRACK_CONFIG_CONTAINERS_MAP)) {
		/* adopting would leave empty the map this run was asked to keep */
		log_err("the pinned programs in %s do not keep containers_map "
			"(loaded without --containers-map): run `cgtrack run --replace "
			"--containers-map`, or `cgtrack unload` first", o->pin_dir);
		return -1;
	}
	return 1;
}

/*
 * The pinset says which maps are pinned, where, and which follow
 * --max-entries: size them and point them at their pins. Returns -1 if
 * the object lacks a map the pinset names (a build out of step).
 */
static int prepare_maps(struct cgtrack *skel, const struct load_opts *o)
{
	char path[PATH_MAX];
	size_t i;

	for (i = N_LINK_PINS; i < pinset_len; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(skel->obj, pinset[i].kname);

		if (!m) {
			log_err("the BPF object has no map '%s' (pin %s)", pinset[i].kname,
				pinset[i].pin);
			return -1;
		}
		if (pinset[i].resizable)
			bpf_map__set_max_entries(m, o->max_entries);
		/*
		 * Not kept: the pin stays, so that readers of tracee's map
		 * find it, but it holds nothing; one entry, not a capacity's
		 * preallocated elements (1.3 MB at 16,384).
		 */
		if (m == skel->maps.containers_map && !o->containers_map)
			bpf_map__set_max_entries(m, 1);
		pins_path(path, sizeof(path), o->pin_dir, pinset[i].pin);
		bpf_map__set_pin_path(m, path);
	}
	return 0;
}

/*
 * containers_map holds only what the programs derive from `containers`
 * (tracee's state), and only when kept: a pin of another capacity (kept
 * by an earlier load and not now, or the reverse) is replaced rather than
 * refused, and populate fills the new one if it is kept.
 */
static bool unpin_for_capacity(const char *path, __u32 pinned, const struct bpf_map *m)
{
	if (unlink(path)) {
		log_err("cannot replace %s: %s", path, strerror(errno));
		return false;
	}
	log_info("replaced %s: %u entries wanted, %u pinned", path,
		 bpf_map__max_entries(m), pinned);
	return true;
}

/* A pinned map libbpf would refuse to reuse: say which and why. */
static int check_map_pins(struct cgtrack *skel)
{
	size_t i;

	for (i = N_LINK_PINS; i < pinset_len; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(skel->obj, pinset[i].kname);
		const char *path = bpf_map__pin_path(m);
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		int fd = bpf_obj_get(path);
		bool same_shape;

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		close(fd);
		same_shape = info.type == bpf_map__type(m) &&
			     info.key_size == bpf_map__key_size(m) &&
			     info.value_size == bpf_map__value_size(m) &&
			     info.map_flags == bpf_map__map_flags(m);
		if (same_shape && info.max_entries == bpf_map__max_entries(m))
			continue;
		if (same_shape && m == skel->maps.containers_map &&
		    unpin_for_capacity(path, info.max_entries, m))
			continue;
		log_err("pinned map %s does not fit this cgtrack (type %u/%u, key %u/%u, "
			"value %u/%u bytes, %u/%u entries, flags %#x/%#x: pinned/wanted): run "
			"`cgtrack unload`, or `cgtrack run --replace` (or drop a "
			"--max-entries that differs from the pinned capacity)", path,
			info.type, bpf_map__type(m), info.key_size, bpf_map__key_size(m),
			info.value_size, bpf_map__value_size(m), info.max_entries,
			bpf_map__max_entries(m), info.map_flags, bpf_map__map_flags(m));
		return -1;
	}
	return 0;
}

/* tp_btf needs the tracepoints' btf_trace_<name> typedefs in vmlinux BTF. */
static int has_btf_tracepoints(void)
{
	static const char *const tps[] = {
		"btf_trace_cgroup_mkdir", "btf_trace_cgroup_rmdir",
		"btf_trace_sched_process_exec", "btf_trace_sched_process_exit",
	};
	struct btf *btf = btf__load_vmlinux_btf();
	size_t i;
	int ok = 1;

	if (!btf)
		return 0;
	for (i = 0; i < ARRAY_LEN(tps); i++)
		if (btf__find_by_name_kind(btf, tps[i], BTF_KIND_TYPEDEF) < 0)
			ok = 0;
	btf__free(btf);
	return ok;
}

/*
 * What the kernel must offer; said plainly instead of a verifier dump.
 * The tracepoints' BTF is looked at only when the load failed: parsing
 * the kernel's BTF costs tens of ms, and libbpf parses it for CO-RE anyway.
 */
static int check_kernel(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		log_err("this kernel has no BTF (/sys/kernel/btf/vmlinux): cgtrack needs "
			"CONFIG_DEBUG_INFO_BTF=y (Debian kernels have it from 5.10 on)");
		return -1;
	}
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 0) {
		log_err("this kernel has no BPF ring buffer: cgtrack needs Linux 5.8 or newer");
		return -1;
	}
	return 0;
}

static void explain_load_failure(int err)
{
	if (!has_btf_tracepoints()) {
		log_err("this kernel's BTF lacks the cgroup_mkdir/cgroup_rmdir/"
			"sched_process_exec/sched_process_exit tracepoints as tp_btf "
			"targets: cgtrack needs Linux 5.5 or newer");
		return;
	}
	log_err("loading the BPF programs failed: %s%s", strerror(-err),
		err == -EPERM ? " (needs CAP_BPF and CAP_PERFMON, or root)" :
		" (run with --debug for the verifier log)");
}

static int write_config(struct cgtrack *skel, const struct load_opts *o)
{
	struct cgtrack_config cfg = {
		.abi_version = CGTRACK_ABI_VERSION,
		.mode = o->th->mode,
		.hierarchy_id = (__u32)o->th->hierarchy_id,
		.subsys_id = o->th->ssid,
		.max_entries = bpf_map__max_entries(skel->maps.containers),
		.flags = o->containers_map ? CGTRACK_CONFIG_CONTAINERS_MAP : 0,
		.expiry_ns = o->expiry_ns,
		.loaded_at_ns = boot_ns(),
		.object_hash = object_hash(),
	};
	__u32 zero = 0;

	snprintf(cfg.controller, sizeof(cfg.controller), "%s", o->th->controller);
	snprintf(cfg.mount, sizeof(cfg.mount), "%.*s", (int)sizeof(cfg.mount) - 1,
		 o->th->mount);
	return bpf_map_update_elem(bpf_map__fd(skel->maps.config_map), &zero, &cfg, BPF_ANY);
}

/* Pins a load made get the directory's group access (pindir_share). */
static void share_pins(const struct pindir *pd)
{
	size_t i;

	for (i = 0; i < pinset_len; i++) {
		pindir_share(pd, pin_is_link(&pinset[i]) ? pd->links : pd->dir,
			     pin_basename(&pinset[i]));
	}
}

/* The attached link of the skeleton's program named name. */
static struct bpf_link *link_of(struct cgtrack *skel, const char *name)
{
	const struct bpf_object_skeleton *s = skel->skeleton;
	int i;

	for (i = 0; i < s->prog_cnt; i++)
		if (!strcmp(s->progs[i].name, name))
			return *s->progs[i].link;
	return NULL;
}

static int pin_links(struct cgtrack *skel, struct pindir *pd)
{
	char path[PATH_MAX];
	size_t i;

	if (pindir_make_links(pd))
		return -1;
	for (i = 0; i < N_LINK_PINS; i++) {
		struct bpf_link *link = link_of(skel, pinset[i].kname);

		pins_path(path, sizeof(path), pd->path, pinset[i].pin);
		/* a stale link pin of a reload */
		unlinkat(pd->links, pin_basename(&pinset[i]), 0);
		if (!link || bpf_link__pin(link, path)) {
			log_err("cannot pin %s: %s", path, link ? strerror(errno) :
				"the BPF object has no such program attached");
			return -1;
		}
		/* the pin keeps it attached when we exit */
		bpf_link__disconnect(link);
	}
	return 0;
}

static enum load_outcome load_fresh(const struct load_opts *o, struct pindir *pd)
{
	struct cgtrack *skel;
	int err;

	if (check_kernel())
		return LOAD_FAILED;
	skel = cgtrack__open();
	if (!skel) {
		log_err("cannot open the BPF object: %s", strerror(errno));
		return LOAD_FAILED;
	}
	skel->rodata->tracked_v2 = o->th->mode == CGTRACK_MODE_V2;
	skel->rodata->tracked_hierarchy = o->th->hierarchy_id;
	skel->rodata->tracked_ssid = o->th->ssid;
	skel->rodata->keep_containers_map = o->containers_map;
	if (prepare_maps(skel, o) || check_map_pins(skel))
		goto fail;

	err = cgtrack__load(skel);
	if (err) {
		explain_load_failure(err);
		goto fail;
	}
	err = cgtrack__attach(skel);
	if (err) {
		log_err("attaching to the cgroup tracepoints failed: %s", strerror(-err));
		goto fail;
	}
	if (write_config(skel, o) || pin_links(skel, pd))
		goto fail;
	share_pins(pd);
	cgtrack__destroy(skel);	/* the pins hold maps and links now */
	return LOAD_FRESH;
fail:
	cgtrack__destroy(skel);
	return LOAD_FAILED;
}

/*
 * Load in a child process: parsing the kernel's BTF for CO-RE and the
 * verifier logs take several MiB that a long-running daemon would keep as
 * its peak RSS. Everything the child makes is pinned; the parent adopts it.
 */
static enum load_outcome load_in_child(const struct load_opts *o, struct pindir *pd)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return load_fresh(o, pd);
	if (pid == 0) {
		/*
		 * A stop during the load (systemd signals the whole unit) ends
		 * it at once: the next start loads into what it pinned.
		 */
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		_exit(load_fresh(o, pd) == LOAD_FRESH ? 0 : 1);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return LOAD_FAILED;
		/* our own stop: end the child's load too, then report it failed */
		kill(pid, SIGTERM);
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? LOAD_FRESH : LOAD_FAILED;
}

/* --replace: every pin under our names goes; the directory and its mode stay. */
static enum load_outcome replace(const struct load_opts *o, struct pindir *pd)
{
	int left, n = unpin_all(pd, true, &left);

	if (n < 0)
		return LOAD_FAILED;
	if (n > 0)
		log_warn("--replace: removed the pins in %s; entries are rebuilt "
			 "from the cgroupfs", o->pin_dir);
	return load_in_child(o, pd);
}

static enum load_outcome load_or_adopt(const struct load_opts *o, struct pindir *pd)
{
	struct cgtrack_config cfg = { 0 };
	struct load_opts lo = *o;
	int adopt;

	if (o->replace)
		return replace(o, pd);
	adopt = check_adoptable(o, &cfg);
	if (adopt == -2) {
		/* an upgrade across a map ABI change: a logged, clean replacement */
		log_warn("the pins in %s are cgtrack's with map ABI v%u, this build's is "
			 "v%u: replacing them (--replace-other-abi); entries are rebuilt "
			 "from the cgroupfs", o->pin_dir, cfg.abi_version, CGTRACK_ABI_VERSION);
		if (cfg.max_entries && !o->max_entries_set)
			lo.max_entries = cfg.max_entries;
		return replace(&lo, pd);
	}
	if (adopt < 0)
		return LOAD_FAILED;
	if (!adopt) {
		/* maps kept from an earlier load: their capacity, unless asked */
		if (cfg.max_entries && !o->max_entries_set)
			lo.max_entries = cfg.max_entries;
		return load_in_child(&lo, pd);
	}
	if ((cfg.flags & CGTRACK_CONFIG_CONTAINERS_MAP) && !o->containers_map)
		log_info("the adopted programs keep containers_map (loaded with "
			 "--containers-map)");
	if (cfg.object_hash != object_hash())
		log_warn("adopting programs pinned by another cgtrack build of the "
			 "same map ABI; `cgtrack run --replace` loads this build's");
	if (o->max_entries_set && o->max_entries != cfg.max_entries)
		log_warn("keeping the pinned capacity of %u entries (--max-entries "
			 "%u applies after `cgtrack unload` or with --replace)",
			 cfg.max_entries, o->max_entries);
	share_pins(pd);
	return LOAD_ADOPTED;
}

enum load_outcome bpfload(const struct load_opts *o)
{
	enum load_outcome r;
	struct pindir pd;

	if (pins_ensure_bpffs(o->pin_dir) || pindir_open(&pd, o->pin_dir, true, o->pin_gid))
		return LOAD_FAILED;
	r = load_or_adopt(o, &pd);
	pindir_close(&pd);
	return r;
}
