// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
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
#include "pins.h"
#include "timeutil.h"

static const char *const link_pins[] = {
	CGTRACK_PIN_LINK_MKDIR, CGTRACK_PIN_LINK_RMDIR, CGTRACK_PIN_LINK_EXEC,
	CGTRACK_PIN_LINK_EXIT,
};

static const char *const map_pins[] = {
	CGTRACK_PIN_CONTAINERS, CGTRACK_PIN_CONTAINERS_MAP, CGTRACK_PIN_CONFIG,
	CGTRACK_PIN_STATS, CGTRACK_PIN_EVENTS, CGTRACK_PIN_INFO,
	CGTRACK_PIN_MNTNS_PIDS,
};

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

static int pin_exists(const char *pin_dir, const char *name)
{
	char path[PATH_MAX];

	pins_path(path, sizeof(path), pin_dir, name);
	return access(path, F_OK) == 0;
}

/*
 * Remove a pin or a directory; 1 if removed, else the first error logged.
 * A directory that is a mount point (bpffs mounted on the pin directory
 * itself) stays, and that is no error.
 */
static int unpin(const char *path, bool dir, int *err)
{
	if (!(dir ? rmdir(path) : unlink(path)))
		return 1;
	if (errno == ENOENT || (dir && errno == EBUSY) || *err)
		return 0;
	*err = -errno;
	log_err("cannot remove %s: %s%s", path, strerror(errno),
		errno == EACCES || errno == EPERM ?
		" (removing pins needs write permission on their directory, "
		"no capability)" : "");
	return 0;
}

int bpfload_unload(const char *pin_dir)
{
	char path[PATH_MAX];
	int n = 0, err = 0;
	size_t i;

	for (i = 0; i < ARRAY_LEN(link_pins); i++) {
		pins_path(path, sizeof(path), pin_dir, link_pins[i]);
		n += unpin(path, false, &err);
	}
	pins_path(path, sizeof(path), pin_dir, "links");
	unpin(path, true, &err);
	for (i = 0; i < ARRAY_LEN(map_pins); i++) {
		pins_path(path, sizeof(path), pin_dir, map_pins[i]);
		n += unpin(path, false, &err);
	}
	unpin(pin_dir, true, &err);
	return err ? err : n;
}

/*
 * Can the pinned programs be adopted? 1 yes, 0 nothing pinned, -1 pinned
 * but incompatible (message logged).
 */
static int check_adoptable(const struct load_opts *o, struct cgtrack_config *cfg)
{
	struct pinned p;
	size_t i;
	int links = 0;

	for (i = 0; i < ARRAY_LEN(link_pins); i++)
		links += pin_exists(o->pin_dir, link_pins[i]);
	if (!links && !pin_exists(o->pin_dir, CGTRACK_PIN_CONTAINERS))
		return 0;
	if (pins_open(o->pin_dir, false, &p))
		return -1;
	*cfg = p.cfg;
	pins_close(&p);
	if (cfg->abi_version != CGTRACK_ABI_VERSION) {
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
	if (links != (int)ARRAY_LEN(link_pins))
		return 0;	/* maps only (e.g. after a crash mid-load): reload */
	return 1;
}

static void set_pin_paths(struct cgtrack *skel, const char *pin_dir)
{
	struct { struct bpf_map *map; const char *name; } pins[] = {
		{ skel->maps.containers, CGTRACK_PIN_CONTAINERS },
		{ skel->maps.containers_map, CGTRACK_PIN_CONTAINERS_MAP },
		{ skel->maps.config_map, CGTRACK_PIN_CONFIG },
		{ skel->maps.stats, CGTRACK_PIN_STATS },
		{ skel->maps.events, CGTRACK_PIN_EVENTS },
		{ skel->maps.info, CGTRACK_PIN_INFO },
		{ skel->maps.mntns_pids, CGTRACK_PIN_MNTNS_PIDS },
	};
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < ARRAY_LEN(pins); i++) {
		pins_path(path, sizeof(path), pin_dir, pins[i].name);
		bpf_map__set_pin_path(pins[i].map, path);
	}
}

/* A pinned map libbpf would refuse to reuse: say which and why. */
static int check_map_pins(struct cgtrack *skel, const char *pin_dir)
{
	struct bpf_map *maps[] = {
		skel->maps.containers, skel->maps.containers_map, skel->maps.config_map,
		skel->maps.stats, skel->maps.events, skel->maps.info,
		skel->maps.mntns_pids,
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(maps); i++) {
		const char *path = bpf_map__pin_path(maps[i]);
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		int fd = bpf_obj_get(path);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		close(fd);
		if (info.type == bpf_map__type(maps[i]) &&
		    info.key_size == bpf_map__key_size(maps[i]) &&
		    info.value_size == bpf_map__value_size(maps[i]) &&
		    info.max_entries == bpf_map__max_entries(maps[i]))
			continue;
		log_err("pinned map %s does not fit this cgtrack (type %u/%u, key %u/%u, "
			"value %u/%u bytes, %u/%u entries: pinned/wanted): run "
			"`cgtrack unload`, or `cgtrack run --replace` (or drop a "
			"--max-entries that differs from the pinned capacity)", path,
			info.type, bpf_map__type(maps[i]), info.key_size,
			bpf_map__key_size(maps[i]), info.value_size,
			bpf_map__value_size(maps[i]), info.max_entries,
			bpf_map__max_entries(maps[i]));
		return -1;
	}
	(void)pin_dir;
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

/* What the kernel must offer; said plainly instead of a verifier dump. */
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
	if (!has_btf_tracepoints()) {
		log_err("this kernel's BTF lacks the cgroup_mkdir/cgroup_rmdir/"
			"sched_process_exec/sched_process_exit tracepoints as tp_btf "
			"targets: cgtrack needs Linux 5.5 or newer");
		return -1;
	}
	return 0;
}

static int write_config(struct cgtrack *skel, const struct load_opts *o)
{
	struct cgtrack_config cfg = {
		.abi_version = CGTRACK_ABI_VERSION,
		.mode = o->th->mode,
		.hierarchy_id = (__u32)o->th->hierarchy_id,
		.subsys_id = o->th->ssid,
		.max_entries = bpf_map__max_entries(skel->maps.containers),
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

static int pin_links(struct cgtrack *skel, const char *pin_dir)
{
	struct bpf_link *links[] = {
		skel->links.cgtrack_mkdir, skel->links.cgtrack_rmdir, skel->links.cgtrack_exec,
		skel->links.cgtrack_exit,
	};
	char path[PATH_MAX];
	size_t i;

	pins_path(path, sizeof(path), pin_dir, "links");
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	for (i = 0; i < ARRAY_LEN(links); i++) {
		pins_path(path, sizeof(path), pin_dir, link_pins[i]);
		unlink(path);	/* a stale link pin of a reload */
		if (bpf_link__pin(links[i], path)) {
			log_err("cannot pin %s: %s", path, strerror(errno));
			return -1;
		}
		/* the pin keeps it attached when we exit */
		bpf_link__disconnect(links[i]);
	}
	return 0;
}

static enum load_outcome load_fresh(const struct load_opts *o)
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
	bpf_map__set_max_entries(skel->maps.containers, o->max_entries);
	bpf_map__set_max_entries(skel->maps.containers_map, o->max_entries);
	bpf_map__set_max_entries(skel->maps.info, o->max_entries);
	bpf_map__set_max_entries(skel->maps.mntns_pids, o->max_entries);
	set_pin_paths(skel, o->pin_dir);
	if (check_map_pins(skel, o->pin_dir))
		goto fail;

	err = cgtrack__load(skel);
	if (err) {
		log_err("loading the BPF programs failed: %s%s", strerror(-err),
			err == -EPERM ? " (needs CAP_BPF and CAP_PERFMON, or root)" :
			" (run with --debug for the verifier log)");
		goto fail;
	}
	err = cgtrack__attach(skel);
	if (err) {
		log_err("attaching to the cgroup tracepoints failed: %s", strerror(-err));
		goto fail;
	}
	if (write_config(skel, o) || pin_links(skel, o->pin_dir))
		goto fail;
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
static enum load_outcome load_in_child(const struct load_opts *o)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return load_fresh(o);
	if (pid == 0)
		_exit(load_fresh(o) == LOAD_FRESH ? 0 : 1);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return LOAD_FAILED;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? LOAD_FRESH : LOAD_FAILED;
}

enum load_outcome bpfload(const struct load_opts *o)
{
	struct cgtrack_config cfg;
	int adopt;

	if (pins_ensure_bpffs(o->pin_dir) || pins_make_dir(o->pin_dir))
		return LOAD_FAILED;
	if (o->replace) {
		int n = bpfload_unload(o->pin_dir);

		if (n < 0)
			return LOAD_FAILED;
		if (n > 0)
			log_warn("--replace: removed the pins in %s; entries are rebuilt "
				 "from the cgroupfs", o->pin_dir);
		if (pins_make_dir(o->pin_dir))
			return LOAD_FAILED;
		return load_in_child(o);
	}
	adopt = check_adoptable(o, &cfg);
	if (adopt < 0)
		return LOAD_FAILED;
	if (adopt > 0) {
		if (cfg.object_hash != object_hash())
			log_warn("adopting programs pinned by another cgtrack build of the "
				 "same map ABI; `cgtrack run --replace` loads this build's");
		if (o->max_entries != cfg.max_entries)
			log_warn("keeping the pinned capacity of %u entries (--max-entries "
				 "%u applies after `cgtrack unload` or with --replace)",
				 cfg.max_entries, o->max_entries);
		return LOAD_ADOPTED;
	}
	return load_in_child(o);
}
