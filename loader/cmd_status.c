// SPDX-License-Identifier: Apache-2.0
/*
 * `cgtrack status`: what is loaded, how full, what was counted, whether a
 * daemon runs, how often each program ran. Exit 0 when tracking works
 * (the DaemonSet readiness check): pins of this map ABI, every program
 * attached, and room left in the map. Warnings do not fail it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "clierr.h"
#include "bpfload.h"
#include "cmd_query.h"
#include "jsonw.h"
#include "options.h"
#include "pindir.h"
#include "pinset.h"
#include "populate.h"
#include "query.h"
#include "status.h"
#include "textsafe.h"
#include "timeutil.h"
#include "procfs.h"

const char *const stat_names[CGTRACK_STAT_MAX] = {
	[CGTRACK_STAT_MKDIR_SEEN]	= "mkdir_seen",
	[CGTRACK_STAT_ADDED]		= "added",
	[CGTRACK_STAT_RMDIR_SEEN]	= "rmdir_seen",
	[CGTRACK_STAT_MARKED_DEAD]	= "marked_dead",
	[CGTRACK_STAT_SWEPT]		= "swept",
	[CGTRACK_STAT_INSERT_FAILED]	= "insert_failed",
	[CGTRACK_STAT_PATH_REJECTED]	= "path_rejected",
	[CGTRACK_STAT_STARTED]		= "started",
	[CGTRACK_STAT_EVENTS_LOST]	= "events_lost",
	[CGTRACK_STAT_EXISTED_ADDED]	= "existed_added",
	[CGTRACK_STAT_ENRICH_FAILED]	= "enrich_failed",
	[CGTRACK_STAT_RECOVERED]	= "recovered",
	[CGTRACK_STAT_NAMED_AT_MKDIR]	= "named_at_mkdir",
};

static void __attribute__((format(printf, 3, 4)))
note(char (*list)[256], int *n, const char *fmt, ...)
{
	va_list ap;

	if (*n >= MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(list[(*n)++], 256, fmt, ap);
	va_end(ap);
}

#define problem(s, ...)	note((s)->problems, &(s)->n_problems, __VA_ARGS__)
#define warning(s, ...)	note((s)->warnings, &(s)->n_warnings, __VA_ARGS__)

static int count_entry(void *ctx, uint32_t key, const struct cgtrack_container *e)
{
	struct status *s = ctx;

	(void)key;
	s->entries++;
	if (e->removed_ns) {
		s->dead++;
		return 0;
	}
	s->alive++;
	s->roots += e->root;
	return 0;
}

static void read_prog(struct prog_status *ps, const char *pin_dir)
{
	struct bpf_link_info li;
	struct bpf_prog_info pi;
	__u32 len = sizeof(li);
	char path[PATH_MAX];
	int lfd, pfd;

	pins_path(path, sizeof(path), pin_dir, ps->pin);
	lfd = bpf_obj_get(path);
	if (lfd < 0) {
		/*
		 * Opening a link needs write access to its pin (and, before
		 * 5.19 or with the sysctl, a capability): a reader without it
		 * cannot tell, which is not an outage. Pinned is all we know.
		 */
		if (errno != ENOENT && access(path, F_OK) == 0) {
			ps->attached = LINK_UNKNOWN;
			ps->err = errno;
		}
		return;
	}
	memset(&li, 0, sizeof(li));
	if (!bpf_obj_get_info_by_fd(lfd, &li, &len)) {
		ps->attached = LINK_ATTACHED;
		ps->id = li.prog_id;
	}
	close(lfd);
	/* by id: needs CAP_SYS_ADMIN; without it no run counts, nothing worse */
	pfd = ps->attached == LINK_ATTACHED ? bpf_prog_get_fd_by_id(ps->id) : -1;
	if (pfd < 0)
		return;
	memset(&pi, 0, sizeof(pi));
	len = sizeof(pi);
	if (!bpf_obj_get_info_by_fd(pfd, &pi, &len)) {
		snprintf(ps->name, sizeof(ps->name), "%s", pi.name);
		ps->run_cnt = pi.run_cnt;
		ps->run_time_ns = pi.run_time_ns;
	}
	close(pfd);
}

/* Does process pid hold an fd of BPF map map_id? (via /proc/PID/fdinfo) */
static int holds_map(int pid, __u32 map_id)
{
	char dir[64], line[128];
	struct dirent *de;
	int found = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", pid);
	d = opendir(dir);
	if (!d)
		return errno == EACCES ? -1 : 0;
	while (!found && (de = readdir(d))) {
		int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
		FILE *f;

		if (de->d_name[0] == '.' || fd < 0 || !(f = fdopen(fd, "r"))) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		while (!found && fgets(line, sizeof(line), f))
			found = !strncmp(line, "map_id:", 7) &&
				strtoul(line + 7, NULL, 10) == map_id;
		fclose(f);
	}
	closedir(d);
	return found;
}

/*
 * The daemon is whoever reads the pinned event ring buffer: readers of the
 * other maps (list, consumers) never open it.
 */
static void find_daemon(struct status *s)
{
	LIBBPF_OPTS(bpf_obj_get_opts, ro, .file_flags = BPF_F_RDONLY);
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	struct dirent *de;
	int fd, self = getpid();
	DIR *d;

	pins_path(path, sizeof(path), s->pin_dir, CGTRACK_PIN_EVENTS);
	fd = bpf_obj_get_opts(path, &ro);
	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	d = opendir("/proc");
	if (!d)
		return;
	while (s->n_holders < MAX_HOLDERS && (de = readdir(d))) {
		int pid = atoi(de->d_name);

		if (pid <= 0 || pid == self)
			continue;
		switch (holds_map(pid, info.id)) {
		case 1:
			s->holders[s->n_holders++] = pid;
			break;
		case -1:
			/* another user's (root sees every daemon there is) */
			s->unseen_procs += geteuid() != 0;
			break;
		}
	}
	closedir(d);
}

/*
 * Who fills the map: container-like cgroups in directories a user owns
 * are a delegated subtree (rootless containers, or a user faking them).
 * Named when the map is nearly full or something is missing.
 */
static void note_owners(struct status *s)
{
	const struct populate_result *w = &s->walk;
	int i, top = -1;

	if (!s->walked || (!w->missing && s->entries * 10 <= s->p.max_entries * 9ull))
		return;
	for (i = 0; i < POPULATE_OWNERS; i++)
		if (w->owners[i].n && (top < 0 || w->owners[i].n > w->owners[top].n))
			top = i;
	if (top >= 0)
		warning(s, "uid %u owns %llu of the %llu container cgroups (a delegated "
			"subtree): a user can fill the map with look-alike cgroups; limit "
			"it with cgroup.max.descendants on that subtree (README: a full map)",
			(unsigned)w->owners[top].uid, (unsigned long long)w->owners[top].n,
			(unsigned long long)w->tracked);
}

/* Walk the tracked hierarchy (read only) for live cgroups the map lacks. */
static void walk_check(struct status *s)
{
	const struct cgtrack_config *c = &s->p.cfg;
	struct tracked_hierarchy th = {
		.mode = c->mode, .hierarchy_id = (int)c->hierarchy_id,
		.ssid = c->subsys_id,
	};

	if (!c->mount[0] || c->abi_version != CGTRACK_ABI_VERSION)
		return;
	snprintf(th.mount, sizeof(th.mount), "%.*s", (int)sizeof(c->mount), c->mount);
	s->walked = !populate(WALK_CHECK, &th, &s->p, &s->walk);
}

static void check(struct status *s)
{
	const struct cgtrack_config *cfg = &s->p.cfg;
	int unknown = 0;
	size_t i;

	if (cfg->abi_version != CGTRACK_ABI_VERSION)
		problem(s, "the config pin says map ABI v%u, this cgtrack is v%u: "
			"`cgtrack run --replace` reloads", cfg->abi_version,
			CGTRACK_ABI_VERSION);
	for (i = 0; i < N_LINKS; i++) {
		if (s->progs[i].attached == LINK_MISSING)
			problem(s, "%s/%s is not pinned: that program is not attached "
				"(`cgtrack load` attaches it)", s->pin_dir, s->progs[i].pin);
		else if (s->progs[i].attached == LINK_UNKNOWN && !unknown++)
			warning(s, "the link pins exist but cannot be opened as uid %u (%s: "
				"opening a link needs write access to its pin): whether the "
				"programs are attached is unknown; run status as root to "
				"know", (unsigned)geteuid(), strerror(s->progs[i].err));
	}
	if (s->p.max_entries && s->entries >= s->p.max_entries)
		problem(s, "the map is full (%llu of %u entries): new containers are "
			"not tracked; restart with a larger --max-entries",
			(unsigned long long)s->entries, s->p.max_entries);
	else if (s->p.max_entries && s->entries * 10 > s->p.max_entries * 9ull)
		warning(s, "the map is over 90%% full (%llu of %u entries)",
			(unsigned long long)s->entries, s->p.max_entries);
	if (s->walk.missing)
		problem(s, "%llu live container cgroups are not in the map (%llu inserts "
			"failed since loading, %llu recovered): a running daemon re-walks "
			"once the sweep frees entries; for room, `cgtrack run --replace "
			"--max-entries %u`", (unsigned long long)s->walk.missing,
			(unsigned long long)s->stats[CGTRACK_STAT_INSERT_FAILED],
			(unsigned long long)s->stats[CGTRACK_STAT_RECOVERED],
			s->p.max_entries ? s->p.max_entries * 2 : CGTRACK_DEFAULT_MAX_ENTRIES);
	else if (s->stats[CGTRACK_STAT_INSERT_FAILED])
		warning(s, "%llu inserts failed since loading (map full at the time; "
			"every live container is in the map now)",
			(unsigned long long)s->stats[CGTRACK_STAT_INSERT_FAILED]);
	note_owners(s);
	if (s->stats[CGTRACK_STAT_EVENTS_LOST])
		warning(s, "%llu events lost (the daemon reads too slowly; the map "
			"is still right)", (unsigned long long)s->stats[CGTRACK_STAT_EVENTS_LOST]);
	if (s->n_holders > 1)
		problem(s, "%d processes read the event ring buffer (pids %d and %d...): "
			"two daemons split the kernel's events between them; stop all but "
			"one", s->n_holders, s->holders[0], s->holders[1]);
	if (!s->n_holders && s->unseen_procs)
		warning(s, "whether a daemon runs is unknown: %d processes of other users "
			"cannot be looked at as uid %u; run status as root to know",
			s->unseen_procs, (unsigned)geteuid());
	else if (!s->n_holders)
		warning(s, "no daemon is running: tracking goes on, but removed "
			"entries are not swept (run `cgtrack run`, or `cgtrack sweep` "
			"from a timer)");
}

static int gather(struct status *s)
{
	struct pindir pd;
	size_t i;

	/* pins in a directory others control prove nothing: say so first */
	if (pindir_open(&pd, s->pin_dir, false, (gid_t)-1) < 0)
		return -1;
	pindir_close(&pd);
	if (pins_open(s->pin_dir, false, &s->p))
		return -1;
	entries_each(&s->p, count_entry, s);
	for (i = 0; i < CGTRACK_STAT_MAX; i++)
		s->stats[i] = pins_stat(&s->p, i);
	for (i = 0; i < N_LINKS; i++) {
		s->progs[i].pin = pinset[i].pin;
		read_prog(&s->progs[i], s->pin_dir);
	}
	s->bpf_stats = procfs_read_int("/proc/sys/kernel/bpf_stats_enabled", -1);
	find_daemon(s);
	walk_check(s);
	check(s);
	return 0;
}

static const char *comm_of(int pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	buf[0] = 0;
	f = fopen(path, "re");
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
	return buf;
}

static void print_text(const struct status *s)
{
	const struct cgtrack_config *c = &s->p.cfg;
	char when[40], comm[32], ctl[4 * sizeof(c->controller)], mnt[4 * sizeof(c->mount)];
	int i;

	/* the config map is writable by whoever may write the pins */
	text_escape(ctl, sizeof(ctl), c->controller, sizeof(c->controller));
	text_escape(mnt, sizeof(mnt), c->mount, sizeof(c->mount));
	format_time(c->loaded_at_ns, when, sizeof(when));
	printf("health:     %s\n", s->n_problems ? "FAILING" : "ok");
	printf("pins:       %s (map ABI v%u)\n", s->pin_dir, c->abi_version);
	printf("mode:       %s, hierarchy %u (%s) at %s\n",
	       c->mode == CGTRACK_MODE_V2 ? "v2" : "v1", c->hierarchy_id, ctl, mnt);
	printf("loaded:     %s (object %016llx)\n", when[0] ? when : "-",
	       (unsigned long long)c->object_hash);
	printf("maps:       containers_map %s\n", pins_keep_containers_map(&s->p) ?
	       "kept (--containers-map)" : "not kept (empty; --containers-map keeps it)");
	printf("entries:    %llu of %u (%.1f%%): %llu live (%llu containers), %llu "
	       "removed awaiting the sweep (expiry %llu ms)\n",
	       (unsigned long long)s->entries, s->p.max_entries,
	       s->p.max_entries ? 100.0 * s->entries / s->p.max_entries : 0.0,
	       (unsigned long long)s->alive, (unsigned long long)s->roots,
	       (unsigned long long)s->dead, (unsigned long long)(c->expiry_ns / 1000000));
	if (s->walked)
		printf("hierarchy:  %llu container cgroups live, %llu of them missing "
		       "from the map\n", (unsigned long long)s->walk.tracked,
		       (unsigned long long)s->walk.missing);
	printf("daemon:     ");
	if (!s->n_holders)
		printf(s->unseen_procs ? "unknown (other users' processes cannot be "
		       "looked at)\n" : "not running\n");
	for (i = 0; i < s->n_holders; i++)
		printf("%srunning, pid %d (%s)\n", i ? "            " : "", s->holders[i],
		       comm_of(s->holders[i], comm, sizeof(comm)));
	printf("programs:%s\n", s->bpf_stats == 1 ? "" :
	       "   (run counts need sysctl kernel.bpf_stats_enabled=1)");
	for (i = 0; i < (int)N_LINKS; i++) {
		const struct prog_status *ps = &s->progs[i];

		printf("  %-26s %-9s", ps->pin, link_state_name(ps->attached));
		if (ps->attached == LINK_ATTACHED)
			printf(" prog %u %-16s runs %llu, avg %llu ns", ps->id, ps->name,
			       (unsigned long long)ps->run_cnt, (unsigned long long)
			       (ps->run_cnt ? ps->run_time_ns / ps->run_cnt : 0));
		putchar('\n');
	}
	printf("counters:\n");
	for (i = 0; i < CGTRACK_STAT_MAX; i++)
		printf("  %-26s %llu\n", stat_names[i] ? stat_names[i] : "?",
		       (unsigned long long)s->stats[i]);
	for (i = 0; i < s->n_warnings; i++)
		printf("warning: %s\n", s->warnings[i]);
	for (i = 0; i < s->n_problems; i++)
		printf("problem: %s\n", s->problems[i]);
}

static void json_config(struct jsonw *w, const struct status *s)
{
	const struct cgtrack_config *c = &s->p.cfg;
	char when[40];

	format_time(c->loaded_at_ns, when, sizeof(when));
	jsonw_u64_field(w, "abi_version", c->abi_version);
	jsonw_str_field(w, "mode", c->mode == CGTRACK_MODE_V2 ? "v2" : "v1");
	jsonw_u64_field(w, "hierarchy_id", c->hierarchy_id);
	jsonw_str_field(w, "controller", c->controller);
	jsonw_str_field(w, "mount", c->mount);
	jsonw_str_field(w, "loaded", when);
	jsonw_u64_field(w, "expiry_ms", c->expiry_ns / 1000000);
	jsonw_bool_field(w, "containers_map", pins_keep_containers_map(&s->p));
	jsonw_u64_field(w, "entries", s->entries);
	jsonw_u64_field(w, "capacity", s->p.max_entries);
	jsonw_u64_field(w, "live", s->alive);
	jsonw_u64_field(w, "containers", s->roots);
	jsonw_u64_field(w, "removed", s->dead);
	if (s->walked)
		jsonw_u64_field(w, "missing", s->walk.missing);
}

static void json_lists(struct jsonw *w, const struct status *s)
{
	int i;

	jsonw_name(w, "daemon_pids");
	jsonw_start_array(w);
	for (i = 0; i < s->n_holders; i++)
		jsonw_u64(w, s->holders[i]);
	jsonw_end_array(w);
	jsonw_bool_field(w, "bpf_stats_enabled", s->bpf_stats == 1);
	jsonw_name(w, "programs");
	jsonw_start_array(w);
	for (i = 0; i < (int)N_LINKS; i++) {
		jsonw_start_object(w);
		jsonw_str_field(w, "link", s->progs[i].pin);
		jsonw_bool_field(w, "attached", s->progs[i].attached == LINK_ATTACHED);
		jsonw_str_field(w, "state", link_state_name(s->progs[i].attached));
		jsonw_u64_field(w, "prog_id", s->progs[i].id);
		jsonw_str_field(w, "name", s->progs[i].name);
		jsonw_u64_field(w, "run_cnt", s->progs[i].run_cnt);
		jsonw_u64_field(w, "run_time_ns", s->progs[i].run_time_ns);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_name(w, "counters");
	jsonw_start_object(w);
	for (i = 0; i < CGTRACK_STAT_MAX; i++)
		jsonw_u64_field(w, stat_names[i] ? stat_names[i] : "?", s->stats[i]);
	jsonw_end_object(w);
	jsonw_name(w, "warnings");
	jsonw_start_array(w);
	for (i = 0; i < s->n_warnings; i++)
		jsonw_string(w, s->warnings[i]);
	jsonw_end_array(w);
	jsonw_name(w, "problems");
	jsonw_start_array(w);
	for (i = 0; i < s->n_problems; i++)
		jsonw_string(w, s->problems[i]);
	jsonw_end_array(w);
}

static void print_json(const struct status *s)
{
	struct jsonw *w = jsonw_new(stdout);

	jsonw_start_object(w);
	jsonw_bool_field(w, "healthy", !s->n_problems);
	jsonw_str_field(w, "pin_dir", s->pin_dir);
	json_config(w, s);
	json_lists(w, s);
	jsonw_end_object(w);
	jsonw_destroy(w);
	putchar('\n');
}

/* No pins to read: still one answer in the format asked for. */
static void print_unreadable(const struct status *s, const struct common_opts *co)
{
	struct jsonw *w;

	if (co->prometheus) {
		status_print_prometheus(s);
		return;
	}
	if (!co->json)
		return;		/* the error is on stderr */
	w = jsonw_new(stdout);
	jsonw_start_object(w);
	jsonw_bool_field(w, "healthy", false);
	jsonw_str_field(w, "pin_dir", s->pin_dir);
	jsonw_name(w, "problems");
	jsonw_start_array(w);
	jsonw_string(w, "the pins cannot be read (the reason is on stderr)");
	jsonw_end_array(w);
	jsonw_end_object(w);
	jsonw_destroy(w);
	putchar('\n');
}

int cmd_status(const struct common_opts *co)
{
	struct status *s;
	int ret;

	if (co->argc) {
		cli_error("status", "unexpected argument '%s' (takes no "
			"arguments; see --help)", co->argv[0]);
		return 2;
	}
	if (co->json && co->prometheus) {
		cli_error("status", "--json and --prometheus: choose one");
		return 2;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return 1;
	s->pin_dir = co->pin_dir;
	if (gather(s)) {
		print_unreadable(s, co);
		free(s);
		return 1;
	}
	s->opened = true;
	if (co->prometheus)
		status_print_prometheus(s);
	else if (co->json)
		print_json(s);
	else
		print_text(s);
	ret = s->n_problems ? 1 : 0;
	pins_close(&s->p);
	free(s);
	return ret;
}
