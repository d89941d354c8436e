// SPDX-License-Identifier: Apache-2.0
/*
 * `cgtrack run`: load or adopt, populate, then one loop: the ring buffer's
 * add/remove hints (with a 1 s timeout) and a sweep once a second.
 * Ready means populated: then the pidfile is written and, under systemd
 * (Type=notify) or start-stop-daemon --notify-await, READY=1 is sent; a
 * start that fails sends ERRNO= so that they need not wait for a timeout.
 * `cgtrack load` is the same start without the loop (daemon_load).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfload.h"
#include "caps.h"
#include "cgmode.h"
#include "daemon.h"
#include "enrich.h"
#include "event_out.h"
#include "jsonw.h"
#include "log.h"
#include "names.h"
#include "options.h"
#include "pindir.h"
#include "pins.h"
#include "pinset.h"
#include "populate.h"
#include "sweep.h"
#include "textsafe.h"
#include "timeutil.h"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

struct daemon {
	struct common_opts co;
	struct tracked_hierarchy th;
	struct pinned p;
	struct enricher *enr;
	uint64_t expiry_ns;
	uint64_t last_dead;		/* stats: marked dead at the last sweep */
	int dead_pending;		/* the last sweep saw entries in grace */
	uint64_t last_failed;		/* stats: insert failures last reported */
	uint64_t failed_warned_ns;	/* when we last warned about them */
	uint64_t failed_done;		/* insert failures a complete walk covered */
	uint64_t swept_at_try;		/* stats: swept at the last re-walk */
	uint64_t next_rewalk_ns;
	bool rewalked;
	bool look_again;		/* a new container came: poll again soon */
	ino_t link_ino[N_LINK_PINS];	/* the link pins at start */
	struct pindir lock;		/* `run`: its pin directory, flock()ed */
};

/*
 * One daemon per pin directory: two would split the kernel's events (each
 * ring buffer record goes to one reader) and sweep against each other.
 * The lock is the pin directory's flock, held for the daemon's life and
 * released by the kernel however it ends.
 */
static int lock_pins(struct daemon *d)
{
	if (pins_ensure_bpffs(d->co.pin_dir) ||
	    pindir_open(&d->lock, d->co.pin_dir, true, d->co.pin_gid))
		return -1;
	if (!flock(d->lock.dir, LOCK_EX | LOCK_NB))
		return 0;
	if (errno == EWOULDBLOCK)
		log_err("another `cgtrack run` is tracking with the pins in %s (it holds "
			"their lock): two daemons would split the kernel's events between "
			"them; stop that one first (`cgtrack status` shows its pid)",
			d->co.pin_dir);
	else
		log_err("cannot lock %s: %s", d->co.pin_dir, strerror(errno));
	pindir_close(&d->lock);
	return -1;
}

#define REWALK_INTERVAL_NS	5000000000ull

/* Remember the link pins' inodes: they tell an unload or a replace. */
static int links_remember(struct daemon *d)
{
	char path[PATH_MAX];
	struct stat st;
	int i;

	for (i = 0; i < N_LINK_PINS; i++) {
		pins_path(path, sizeof(path), d->co.pin_dir, pinset[i].pin);
		if (stat(path, &st)) {
			log_err("%s is not pinned after loading: %s", path, strerror(errno));
			return -1;
		}
		d->link_ino[i] = st.st_ino;
	}
	return 0;
}

/*
 * Tracking stops when the link pins go (`cgtrack unload`), and another
 * cgtrack owns the pins when they are replaced: either way this daemon
 * would go on sweeping and naming for nothing, while its service manager
 * thinks all is well. Exit non-zero instead, so that it restarts and loads.
 */
static int links_intact(const struct daemon *d)
{
	char path[PATH_MAX];
	struct stat st;
	int i;

	for (i = 0; i < N_LINK_PINS; i++) {
		pins_path(path, sizeof(path), d->co.pin_dir, pinset[i].pin);
		if (!stat(path, &st) && st.st_ino == d->link_ino[i])
			continue;
		log_err("%s is %s: the programs this daemon adopted are detached "
			"(`cgtrack unload`?) or replaced by another cgtrack; exiting "
			"(a service manager restarts it, and the next start loads)",
			path, errno == ENOENT ? "gone" : "another pin now");
		return 0;
	}
	return 1;
}

/*
 * Inserts failed (a full map): the kernel will not try those cgroups
 * again, so walk the hierarchy and insert what is missing, once there is
 * room (a sweep freed entries since the last try), at most every 5 s.
 */
static void maybe_recover(struct daemon *d)
{
	uint64_t failed = pins_stat(&d->p, CGTRACK_STAT_INSERT_FAILED);
	uint64_t swept = pins_stat(&d->p, CGTRACK_STAT_SWEPT), now = boot_ns();
	struct populate_result r;

	if (failed == d->failed_done || now < d->next_rewalk_ns ||
	    (d->rewalked && swept == d->swept_at_try))
		return;
	d->rewalked = true;
	d->swept_at_try = swept;
	d->next_rewalk_ns = now + REWALK_INTERVAL_NS;
	if (populate(WALK_RECOVER, &d->th, &d->p, &r))
		return;
	if (!r.full)
		d->failed_done = failed;
	if (r.added || r.full)
		log_info("re-walk after %llu failed inserts: %llu cgroups recovered, "
			 "%llu still do not fit", (unsigned long long)failed,
			 (unsigned long long)r.added, (unsigned long long)r.full);
}

/*
 * The kernel counts the containers it could not insert (a full map); say
 * so in the log, at most every 10 s, not only in `cgtrack status`.
 */
static void warn_insert_failures(struct daemon *d)
{
	uint64_t failed = pins_stat(&d->p, CGTRACK_STAT_INSERT_FAILED), now = boot_ns();

	if (failed <= d->last_failed || now - d->failed_warned_ns < 10000000000ull)
		return;
	log_warn("the containers map is full (%u entries): %llu more cgroups could not "
		 "be tracked; raise --max-entries (with --replace)", d->p.max_entries,
		 (unsigned long long)(failed - d->last_failed));
	d->last_failed = failed;
	d->failed_warned_ns = now;
}

/* The daemon sweeps with its own --expiry: let `cgtrack sweep` and status know. */
static void store_expiry(struct daemon *d)
{
	struct cgtrack_config cfg;
	__u32 zero = 0;

	if (d->p.config < 0 || bpf_map_lookup_elem(d->p.config, &zero, &cfg))
		return;
	if (cfg.expiry_ns == d->expiry_ns)
		return;
	cfg.expiry_ns = d->expiry_ns;
	if (bpf_map_update_elem(d->p.config, &zero, &cfg, BPF_EXIST))
		log_debug("cannot store the expiry in the config map: %s", strerror(errno));
}

/* Print a container's arrival or departure (sub-cgroups at debug). */
static void report(struct daemon *d, const struct cgtrack_event *ev)
{
	struct cgtrack_container e;
	__u32 key = ev->key;

	if (bpf_map_lookup_elem(d->p.containers, &key, &e) || e.cgroup_id != ev->cgroup_id)
		return;
	if (ev->type < CGTRACK_EV_ADDED || ev->type > CGTRACK_EV_STARTED)
		return;
	if (e.root || log_level() >= LOG_DEBUG)
		event_print(&d->p, ev->type, &e, log_is_json());
	if (ev->type == CGTRACK_EV_ADDED && e.root) {
		d->look_again = true;
		if (d->enr)
			enrich_request(d->enr, key, &e);
	}
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct daemon *d = ctx;

	if (len >= sizeof(struct cgtrack_event))
		report(d, data);
	return 0;
}

/* Sweep when something may be due; an idle daemon only reads a counter. */
static void maybe_sweep(struct daemon *d)
{
	uint64_t dead = pins_stat(&d->p, CGTRACK_STAT_MARKED_DEAD);
	struct sweep_result r;

	if (dead == d->last_dead && !d->dead_pending)
		return;
	d->last_dead = dead;
	sweep_once(&d->p, d->expiry_ns, &r);
	/*
	 * Once more after deleting: the kernel's walk may miss an entry of a
	 * bucket changed under it (a delete's element reused at once).
	 */
	d->dead_pending = r.dead > 0 || r.deleted > 0;
	if (r.deleted)
		log_debug("sweep: %llu scanned, %llu deleted, %llu in grace",
			  (unsigned long long)r.scanned, (unsigned long long)r.deleted,
			  (unsigned long long)r.dead);
}

/*
 * sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET. Quiet
 * when nobody listens (start-stop-daemon stops listening once ready).
 */
void daemon_notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@'))
		return;
	n = strlen(path);
	if (n >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, n);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = 0;	/* abstract socket */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   offsetof(struct sockaddr_un, sun_path) + n) < 0)
		log_debug("cannot notify %s: %s", path, strerror(errno));
	close(fd);
}

static int write_pidfile(const char *path)
{
	char tmp[PATH_MAX];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f)) {
		log_err("cannot write pidfile %s: %s", path, strerror(errno));
		return -1;
	}
	return rename(tmp, path);
}

/* Load or adopt, open the pins, populate: everything before the loop. */
static int start(struct daemon *d, const char *cmd, enum load_outcome *how)
{
	struct load_opts lo = {
		.pin_dir = d->co.pin_dir, .th = &d->th, .max_entries = d->co.max_entries,
		.max_entries_set = d->co.max_entries_set, .expiry_ns = d->expiry_ns,
		.replace = d->co.replace, .pin_gid = d->co.pin_gid,
		.replace_other_abi = d->co.replace_other_abi,
		.containers_map = d->co.containers_map,
	};
	struct populate_result pr;
	uint64_t t0 = boot_ns();

	if (caps_check(CAPS_LOAD, cmd))
		return -1;
	if (cgmode_detect(d->co.cgroup_mode, d->co.v1_controller, &d->th))
		return -1;
	if (!strcmp(cmd, "run") && lock_pins(d))
		return -1;
	*how = bpfload(&lo);
	if (*how == LOAD_FAILED)
		return -1;
	if (pins_open(d->co.pin_dir, true, &d->p))
		return -1;
	store_expiry(d);
	if (links_remember(d) || populate(WALK_START, &d->th, &d->p, &pr))
		return -1;
	d->last_failed = pins_stat(&d->p, CGTRACK_STAT_INSERT_FAILED);
	/* a full start (or failures before it) leaves the re-walk pending */
	d->failed_done = pr.full ? 0 : d->last_failed;
	d->rewalked = pr.full > 0;
	d->swept_at_try = pins_stat(&d->p, CGTRACK_STAT_SWEPT);
	log_info("%s; tracking %s (%s, hierarchy %d) at %s; %llu cgroups walked, "
		 "%llu in containers, %llu added as existed, %llu marked dead; "
		 "ready in %llu ms", *how == LOAD_ADOPTED ? "adopted the pinned programs" :
		 "loaded", d->th.controller, d->th.mode == CGTRACK_MODE_V2 ? "v2" : "v1",
		 d->th.hierarchy_id, d->th.mount, (unsigned long long)pr.dirs,
		 (unsigned long long)pr.tracked, (unsigned long long)pr.added,
		 (unsigned long long)pr.marked_dead,
		 (unsigned long long)((boot_ns() - t0) / 1000000));
	if (pr.full)
		log_warn("%llu container cgroups did not fit in the map (%u entries): "
			 "raise --max-entries", (unsigned long long)pr.full, d->p.max_entries);
	return 0;
}

/*
 * The kernel wakes us for a new container it could not name, but each CPU
 * at most once a millisecond (bpf/cgtrack.bpf.c): after a round that saw a
 * new container, poll again this soon, for the ones that limit left
 * unannounced; an idle daemon keeps its one wakeup a second.
 */
#define LOOK_AGAIN_MS	2

static int loop(struct daemon *d)
{
	char path[PATH_MAX];
	struct ring_buffer *rb;
	uint64_t next_sweep = 0;
	int fd, ret = 0;

	pins_path(path, sizeof(path), d->co.pin_dir, CGTRACK_PIN_EVENTS);
	fd = bpf_obj_get(path);
	rb = fd >= 0 ? ring_buffer__new(fd, on_event, d, NULL) : NULL;
	if (!rb) {
		log_err("cannot open the event ring buffer %s: %s", path, strerror(errno));
		return -1;
	}
	while (!stopping) {
		int err, timeout = d->look_again ? LOOK_AGAIN_MS : 1000;

		d->look_again = false;
		err = ring_buffer__poll(rb, timeout);

		if (err < 0 && err != -EINTR) {
			log_err("ring buffer: %s", strerror(-err));
			break;
		}
		/*
		 * The kernel side wakes us only when the buffer fills up (a
		 * wakeup per event costs an IPI): collect what came meanwhile.
		 */
		if (err == 0)
			ring_buffer__consume(rb);
		if (boot_ns() >= next_sweep) {
			if (!links_intact(d)) {
				ret = -1;
				break;
			}
			maybe_sweep(d);
			warn_insert_failures(d);
			maybe_recover(d);
			next_sweep = boot_ns() + 1000000000ull;
		}
		if (d->enr)
			enrich_poll(d->enr);
	}
	ring_buffer__free(rb);
	close(fd);
	return ret;
}

/* --unload-on-exit: a stop by signal detaches, as `cgtrack unload` would. */
static int unload_at_exit(struct daemon *d)
{
	int left, n;

	pins_close(&d->p);
	n = bpfload_unload(d->co.pin_dir, false, &left);
	if (n < 0) {
		log_err("stopping, but unloading the pins in %s failed (see above)",
			d->co.pin_dir);
		return 1;
	}
	log_info("stopping; removed %d pins from %s (--unload-on-exit): the programs "
		 "are detached", n, d->co.pin_dir);
	return 0;
}

int cmd_run(const struct common_opts *co)
{
	struct daemon d = {
		.p = { .containers = -1 }, .lock = { .parent = -1, .dir = -1, .links = -1 },
	};
	enum load_outcome how;
	struct sigaction sa = { .sa_handler = on_signal };
	bool wrote_pidfile = false;
	int ret = 1;

	d.co = *co;
	d.expiry_ns = d.co.expiry_ms * 1000000ull;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (start(&d, "run", &how)) {
		daemon_notify("ERRNO=125");	/* ECANCELED: the log says why */
		goto out;
	}
	d.enr = enrich_start(&d.co, &d.p);
	/* entries found at start get names too */
	if (d.enr)
		enrich_existing(d.enr);
	if (d.co.pidfile && write_pidfile(d.co.pidfile)) {
		daemon_notify("ERRNO=125");
		goto out;
	}
	wrote_pidfile = d.co.pidfile != NULL;
	daemon_notify("READY=1\nSTATUS=tracking");
	/* the first sweep also deletes what populate found gone */
	d.dead_pending = 1;
	ret = loop(&d) ? 1 : 0;
	daemon_notify("STOPPING=1");
	if (!ret && d.co.unload_on_exit)
		ret = unload_at_exit(&d);
	else if (!ret)
		log_info("stopping; the pinned programs keep tracking (`cgtrack unload` "
			 "removes them)");
out:
	if (d.enr)
		enrich_stop(d.enr);
	sweep_done();
	/* never another daemon's: a refused start did not write it */
	if (wrote_pidfile)
		unlink(d.co.pidfile);
	if (d.p.containers >= 0)
		pins_close(&d.p);
	pindir_close(&d.lock);
	return ret;
}

int daemon_load(const struct common_opts *co)
{
	struct daemon d = {
		.co = *co, .p = { .containers = -1 },
		.lock = { .parent = -1, .dir = -1, .links = -1 },
	};
	enum load_outcome how;
	int ret;

	d.expiry_ns = d.co.expiry_ms * 1000000ull;
	ret = start(&d, "load", &how) ? 1 : 0;
	if (d.p.containers >= 0)
		pins_close(&d.p);
	return ret;
}
