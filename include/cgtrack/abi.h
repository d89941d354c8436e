/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * cgtrack map ABI: the layout of every pinned map, shared by the BPF
 * programs, the loader and third-party BPF programs.
 *
 * Changing anything here changes the ABI: bump CGTRACK_ABI_VERSION so that
 * a daemon refuses pins made by an incompatible build.
 */
#ifndef CGTRACK_ABI_H
#define CGTRACK_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * 2: CGTRACK_STAT_RECOVERED; 3: pending; 4: `containers` allocated on
 * insert (BPF_F_NO_PREALLOC), `mntns_pids` of CGTRACK_MNTNS_MAX entries,
 * `filter`; 5: cgtrack_config.flags, `containers_map` kept only with
 * CGTRACK_CONFIG_CONTAINERS_MAP
 */
#define CGTRACK_ABI_VERSION		5

#define CGTRACK_ID_LEN			64	/* container id characters */
#define CGTRACK_POD_UID_LEN		36	/* 8-4-4-4-12 */
#define CGTRACK_DEFAULT_MAX_ENTRIES	16384
#define CGTRACK_DEFAULT_PIN_DIR		"/sys/fs/bpf/cgtrack"

/* Pin names, relative to the pin directory. */
#define CGTRACK_PIN_CONTAINERS		"containers"
#define CGTRACK_PIN_CONTAINERS_MAP	"containers_map"
#define CGTRACK_PIN_CONFIG		"config"
#define CGTRACK_PIN_STATS		"stats"
#define CGTRACK_PIN_INFO		"info"
#define CGTRACK_PIN_MNTNS_PIDS		"mntns_pids"	/* LRU: __u32 mnt ns inum -> __u32 tgid */
#define CGTRACK_PIN_EVENTS		"events"	/* ring buffer: the daemon's hints */
#define CGTRACK_PIN_PENDING		"pending"	/* LRU: names before their cgroup */
#define CGTRACK_PENDING_MAX		256
#define CGTRACK_MNTNS_MAX		4096	/* mntns_pids: container mount namespaces */
#define CGTRACK_PIN_FILTER		"filter"	/* struct cgtrack_filter, mmapable */
#define CGTRACK_FILTER_SLOTS		65536
#define CGTRACK_PIN_LINK_MKDIR		"links/cgroup_mkdir"
#define CGTRACK_PIN_LINK_RMDIR		"links/cgroup_rmdir"
#define CGTRACK_PIN_LINK_EXEC		"links/sched_process_exec"
#define CGTRACK_PIN_LINK_EXIT		"links/sched_process_exit"

/*
 * The pinned maps, the one list that cgtrack's loader (load, adopt, check,
 * status, unload) and the consumer kit (consumer.h) both expand:
 *   X(pin, name in cgtrack's object, name in a consumer's object if not
 *     the same (else NULL), shared with consumers (1/0), map type,
 *     key size, value size, follows --max-entries (1/0))
 * The map types expand only where the includer has them (linux/bpf.h or
 * vmlinux.h). A consumer's object calls config "cgtrack_config", out of
 * the way of its own names.
 */
#define CGTRACK_MAPS(X)								\
	X(CGTRACK_PIN_CONTAINERS, "containers", NULL, 1, BPF_MAP_TYPE_HASH,	\
	  sizeof(__u32), sizeof(struct cgtrack_container), 1)			\
	X(CGTRACK_PIN_CONTAINERS_MAP, "containers_map", NULL, 1, BPF_MAP_TYPE_HASH, \
	  sizeof(__u32), sizeof(__u8), 1)					\
	X(CGTRACK_PIN_CONFIG, "config_map", "cgtrack_config", 1, BPF_MAP_TYPE_ARRAY, \
	  sizeof(__u32), sizeof(struct cgtrack_config), 0)			\
	X(CGTRACK_PIN_STATS, "stats", NULL, 0, BPF_MAP_TYPE_PERCPU_ARRAY,	\
	  sizeof(__u32), sizeof(__u64), 0)					\
	X(CGTRACK_PIN_EVENTS, "events", NULL, 0, BPF_MAP_TYPE_RINGBUF, 0, 0, 0)	\
	X(CGTRACK_PIN_INFO, "info", NULL, 1, BPF_MAP_TYPE_HASH,			\
	  sizeof(__u32), sizeof(struct cgtrack_info), 1)			\
	X(CGTRACK_PIN_MNTNS_PIDS, "mntns_pids", NULL, 1, BPF_MAP_TYPE_LRU_HASH,	\
	  sizeof(__u32), sizeof(__u32), 0)					\
	X(CGTRACK_PIN_PENDING, "pending", NULL, 0, BPF_MAP_TYPE_LRU_HASH,	\
	  sizeof(struct cgtrack_pending_key), sizeof(struct cgtrack_info), 0)	\
	X(CGTRACK_PIN_FILTER, "filter", NULL, 0, BPF_MAP_TYPE_ARRAY,		\
	  sizeof(__u32), sizeof(struct cgtrack_filter), 0)

/* The pinned links: X(pin, the program it attaches) */
#define CGTRACK_LINKS(X)						\
	X(CGTRACK_PIN_LINK_MKDIR, "cgtrack_mkdir")			\
	X(CGTRACK_PIN_LINK_RMDIR, "cgtrack_rmdir")			\
	X(CGTRACK_PIN_LINK_EXEC, "cgtrack_exec")			\
	X(CGTRACK_PIN_LINK_EXIT, "cgtrack_exit")

/* Same numbers as tracee's container_state_t. */
enum cgtrack_state {
	CGTRACK_STATE_NONE	= 0,
	CGTRACK_STATE_EXISTED	= 1,	/* found when tracking started */
	CGTRACK_STATE_CREATED	= 2,	/* its cgroup appeared while tracking */
	CGTRACK_STATE_STARTED	= 3,	/* a process exec'd in its own mount ns */
};

enum cgtrack_runtime {
	CGTRACK_RT_NONE		= 0,	/* not a container */
	CGTRACK_RT_UNKNOWN	= 1,	/* a container id, runtime unknown */
	CGTRACK_RT_DOCKER	= 2,
	CGTRACK_RT_CONTAINERD	= 3,
	CGTRACK_RT_CRIO		= 4,
	CGTRACK_RT_PODMAN	= 5,
	CGTRACK_RT_GARDEN	= 6,
	CGTRACK_RT_LXC		= 7,
	CGTRACK_RT_LIBVIRT_LXC	= 8,
	CGTRACK_RT_ECS		= 9,
	CGTRACK_RT_BUILDKIT	= 10,
	/*
	 * Added without an ABI bump: new values only, the layouts are
	 * unchanged. To a reader built before them such a runtime is a number
	 * (bpftool) or "invalid" (an older cgtrack); nothing else differs.
	 */
	CGTRACK_RT_KATA		= 11,	/* Kata Containers' sandbox cgroup */
	CGTRACK_RT_MESOS	= 12,	/* Apache Mesos containerizer */
	CGTRACK_RT_NOMAD	= 13,	/* HashiCorp Nomad exec/raw_exec task */
	CGTRACK_RT_NSPAWN	= 14,	/* systemd-nspawn (machinectl) */
	CGTRACK_RT_MAX,
};

enum cgtrack_mode {
	CGTRACK_MODE_V1 = 1,
	CGTRACK_MODE_V2 = 2,
};

/*
 * Value of the `containers` map; key: __u32, the low 32 bits of the cgroup
 * id (the cgroup directory's inode number) in the tracked hierarchy.
 * Times are CLOCK_BOOTTIME nanoseconds (bpf_ktime_get_boot_ns()).
 */
struct cgtrack_container {
	__u64 cgroup_id;		/* full 64-bit cgroup id */
	__u64 root_cgroup_id;		/* the container's own cgroup */
	__u64 created_ns;
	__u64 removed_ns;		/* 0 while the cgroup exists */
	__u32 hierarchy_id;
	enum cgtrack_state state;
	enum cgtrack_runtime runtime;
	_Bool root;			/* this cgroup is the container's own */
	__u8 __pad0[3];
	char container_id[CGTRACK_ID_LEN + 1];
	char pod_uid[CGTRACK_POD_UID_LEN + 1];
	__u8 __pad1[2];
};

/*
 * Value of the `info` map (same key as `containers`), written by the daemon
 * from what the container's runtime says. Valid while cgroup_id equals the
 * `containers` entry's.
 */
struct cgtrack_info {
	__u64 cgroup_id;
	__u64 updated_ns;		/* CLOCK_BOOTTIME */
	/*
	 * The runtime that answered: above CGTRACK_RT_UNKNOWN, the authority
	 * over the `containers` entry's runtime, which is what the path says
	 * (a bare id under a pod directory may be containerd's or
	 * cri-dockerd's, one at the root anyone's).
	 */
	enum cgtrack_runtime runtime;
	_Bool sandbox;			/* a pod's sandbox (pause) container */
	__u8 __pad0[3];
	char name[128];
	char image[256];
	char pod_name[128];
	char pod_namespace[64];
	char pod_uid[CGTRACK_POD_UID_LEN + 1];
	__u8 __pad1[3];
};

/* Value of the single-entry `config` array map (key 0). */
struct cgtrack_config {
	__u32 abi_version;
	enum cgtrack_mode mode;
	__u32 hierarchy_id;		/* tracked hierarchy (0: cgroup2) */
	__s32 subsys_id;		/* v1 controller index, -1 if none */
	__u32 max_entries;
	__u32 flags;			/* CGTRACK_CONFIG_* */
	__u64 expiry_ns;
	__u64 loaded_at_ns;		/* CLOCK_BOOTTIME */
	__u64 object_hash;		/* of the BPF object the programs came from */
	char controller[32];		/* v1 controller or "cgroup2" */
	char mount[192];		/* where the tracked hierarchy is */
};

/*
 * cgtrack_config.flags. CONTAINERS_MAP: the programs keep the tracee-
 * compatible `containers_map` (`cgtrack run --containers-map`), then
 * preallocated at the capacity, as tracee defines it. Without it the map
 * is pinned with room for one entry and stays empty: a hash update per
 * container mkdir and start that only tracee-style readers need.
 */
#define CGTRACK_CONFIG_CONTAINERS_MAP	(1u << 0)

/* Indexes of the per-CPU `stats` array. */
/*
 * Key of the `pending` map: a container id, zero-padded (the first
 * CGTRACK_ID_LEN bytes of a `containers` entry's container_id). Its value
 * is the container's cgtrack_info as its runtime's record says, written by
 * the daemon when the runtime writes the record (before the container's
 * cgroup exists); the kernel moves it into `info` at the cgroup's mkdir.
 */
struct cgtrack_pending_key {
	char container_id[CGTRACK_ID_LEN];
};

/*
 * Value of the single-entry `filter` array (key 0): how many `containers`
 * entries have a key in each slot (key % CGTRACK_FILTER_SLOTS). A slot of
 * 0 means no entry has such a key, so rmdir and exec leave at once instead
 * of missing in the hash; that is the common case (cgroups and processes
 * of the host). Exact, not a guess: a slot is raised (atomically) before
 * its entry is inserted and lowered only after it was deleted, by whoever
 * inserts or deletes (the kernel, populate, the sweep; userspace through
 * mmap). Entries written by others leave it low: they may be missed by
 * the rmdir and exec programs.
 */
struct cgtrack_filter {
	__u32 count[CGTRACK_FILTER_SLOTS];
};

#define CGTRACK_FILTER_SLOT(key)	((__u32)(key) & (CGTRACK_FILTER_SLOTS - 1))

enum cgtrack_stat {
	CGTRACK_STAT_MKDIR_SEEN,	/* cgroup_mkdir in the tracked hierarchy */
	CGTRACK_STAT_ADDED,		/* container entries inserted (kernel) */
	CGTRACK_STAT_RMDIR_SEEN,
	CGTRACK_STAT_MARKED_DEAD,
	CGTRACK_STAT_SWEPT,		/* deleted by the sweep (userspace) */
	CGTRACK_STAT_INSERT_FAILED,	/* map full or other update error */
	CGTRACK_STAT_PATH_REJECTED,	/* a name that could not be read */
	CGTRACK_STAT_STARTED,
	CGTRACK_STAT_EVENTS_LOST,	/* ring buffer full */
	CGTRACK_STAT_EXISTED_ADDED,	/* entries added by population */
	CGTRACK_STAT_ENRICH_FAILED,
	CGTRACK_STAT_RECOVERED,		/* inserted by a re-walk after failures */
	CGTRACK_STAT_NAMED_AT_MKDIR,	/* info moved from `pending` at mkdir */
	CGTRACK_STAT_MAX,
};

enum cgtrack_event_type {
	CGTRACK_EV_ADDED	= 1,
	CGTRACK_EV_REMOVED	= 2,
	CGTRACK_EV_STARTED	= 3,
};

/* Ring buffer record: a hint to userspace, the map is the truth. */
struct cgtrack_event {
	__u64 cgroup_id;
	__u64 ts_ns;
	__u32 key;
	enum cgtrack_event_type type;
};

#endif /* CGTRACK_ABI_H */
