/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * cgtrack consumer kit, userspace side: the loader of a BPF program that
 * includes consumer.bpf.h calls, between open and load,
 *
 *	char err[256];
 *
 *	if (cgtrack_consumer_use_pins(skel->obj, NULL, err, sizeof(err)))
 *		fprintf(stderr, "%s\n", err);
 *
 * Every map of the object named like one of cgtrack's pinned maps
 * (containers, containers_map, info, mntns_pids, and cgtrack_config for the
 * "config" pin) then IS that pinned map: libbpf creates nothing, pins
 * nothing, and the capacity is whatever cgtrack was loaded with. Fails,
 * saying why, when cgtrack is not loaded or its map ABI differs from the
 * one this header was built with. Needs libbpf >= 0.7.
 *
 * An entry's runtime is what its cgroup's path says; the `info` entry's
 * runtime, when above CGTRACK_RT_UNKNOWN, is the runtime that answered for
 * the id and the authority (`cgtrack list` shows that one).
 */
#ifndef CGTRACK_CONSUMER_H
#define CGTRACK_CONSUMER_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "abi.h"

/* cgtrack's pinned maps (abi.h's CGTRACK_MAPS): those shared with consumers */
struct cgtrack_consumer_map {
	const char *pin;	/* in cgtrack's pin directory */
	const char *kname;	/* the name in a consumer's object: alt, else kname */
	const char *alt;
	int shared;
};

#define CGTRACK_CONSUMER_MAP(pin, kname, alt, shared, type, ksz, vsz, resizable) \
	{ pin, kname, alt, shared },
static const struct cgtrack_consumer_map cgtrack_consumer_maps[] = {
	CGTRACK_MAPS(CGTRACK_CONSUMER_MAP)
};
#undef CGTRACK_CONSUMER_MAP

static inline void __attribute__((format(printf, 3, 4)))
cgtrack_consumer_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static inline const char *cgtrack_consumer_pin_name(const char *map_name)
{
	size_t i;

	for (i = 0; i < sizeof(cgtrack_consumer_maps) / sizeof(cgtrack_consumer_maps[0]); i++) {
		const struct cgtrack_consumer_map *m = &cgtrack_consumer_maps[i];

		if (m->shared && !strcmp(m->alt ? m->alt : m->kname, map_name))
			return m->pin;
	}
	return NULL;
}

/* Is cgtrack loaded in pin_dir with the map ABI of this header? */
static inline int cgtrack_consumer_check(const char *pin_dir, char *err, size_t errlen)
{
	struct cgtrack_config cfg;
	char path[4096];
	__u32 zero = 0;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, CGTRACK_PIN_CONFIG);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		ret = -errno;
		cgtrack_consumer_err(err, errlen, "cannot open %s: %s (is cgtrack loaded? "
				     "`cgtrack status --pin-dir %s` tells)", path,
				     strerror(-ret), pin_dir);
		return ret;
	}
	if (bpf_map_lookup_elem(fd, &zero, &cfg)) {
		ret = -errno;
		cgtrack_consumer_err(err, errlen, "cannot read %s: %s", path, strerror(-ret));
	} else if (cfg.abi_version != CGTRACK_ABI_VERSION) {
		ret = -EPROTO;
		cgtrack_consumer_err(err, errlen, "cgtrack in %s has map ABI v%u, this "
				     "program was built for v%u: rebuild it against that "
				     "cgtrack's headers", pin_dir, cfg.abi_version,
				     CGTRACK_ABI_VERSION);
	}
	close(fd);
	return ret;
}

/* Make one map of the object the pinned map at path. */
static inline int cgtrack_consumer_reuse(struct bpf_map *map, const char *path,
					 char *err, size_t errlen)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd, ret = 0;

	fd = bpf_obj_get(path);
	if (fd < 0) {
		ret = -errno;
		cgtrack_consumer_err(err, errlen, "cannot open %s: %s (map '%s')", path,
				     strerror(-ret), bpf_map__name(map));
		return ret;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		ret = -errno;
		cgtrack_consumer_err(err, errlen, "cannot inspect %s: %s", path, strerror(-ret));
	} else if (info.type != (__u32)bpf_map__type(map) ||
		   info.key_size != bpf_map__key_size(map) ||
		   info.value_size != bpf_map__value_size(map)) {
		ret = -EINVAL;
		cgtrack_consumer_err(err, errlen, "map '%s' does not fit %s (type %u/%u, "
				     "key %u/%u, value %u/%u bytes: yours/pinned): another "
				     "cgtrack ABI, or your own map under a name cgtrack uses",
				     bpf_map__name(map), path, bpf_map__type(map), info.type,
				     bpf_map__key_size(map), info.key_size,
				     bpf_map__value_size(map), info.value_size);
	} else if ((ret = bpf_map__reuse_fd(map, fd))) {
		cgtrack_consumer_err(err, errlen, "cannot reuse %s for map '%s': %s", path,
				     bpf_map__name(map), strerror(-ret));
	} else {
		/* a by-name pin path would make libbpf pin it again elsewhere */
		ret = bpf_map__set_pin_path(map, NULL);
	}
	close(fd);
	return ret;
}

/*
 * Point obj's cgtrack maps at the pins in pin_dir (NULL: the default,
 * /sys/fs/bpf/cgtrack). Returns 0, or a negative errno with the reason in
 * err (ENOENT: cgtrack is not loaded; EPROTO: another map ABI).
 */
static inline int cgtrack_consumer_use_pins(struct bpf_object *obj, const char *pin_dir,
					    char *err, size_t errlen)
{
	struct bpf_map *map;
	char path[4096];
	int ret;

	if (!pin_dir)
		pin_dir = CGTRACK_DEFAULT_PIN_DIR;
	ret = cgtrack_consumer_check(pin_dir, err, errlen);
	if (ret)
		return ret;
	bpf_object__for_each_map(map, obj) {
		const char *pin = cgtrack_consumer_pin_name(bpf_map__name(map));

		if (!pin)
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, pin);
		ret = cgtrack_consumer_reuse(map, path, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

#endif /* CGTRACK_CONSUMER_H */
