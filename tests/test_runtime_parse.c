// SPDX-License-Identifier: Apache-2.0
/*
 * Unit test of the runtime clients' parsers (loader/rt_*.c): docker and
 * podman inspect answers, cri-o's replayed answers (tests/fakes/crio),
 * containerd bundles (also on a made-up state directory), and what must be
 * refused: other containers, bad JSON, wrong shapes, oversize files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt.h"

static int fail;

#define CHECK(what, cond) do {							\
	if (cond)								\
		printf("ok - runtime_parse: %s\n", what);			\
	else {									\
		printf("not ok - runtime_parse: %s: %s (line %d)\n", what, #cond,	\
		       __LINE__);						\
		fail = 1;							\
	}									\
} while (0)

#define CHECK_STR(what, want, got) do {						\
	if (!strcmp((want), (got)))						\
		printf("ok - runtime_parse: %s\n", what);			\
	else {									\
		printf("not ok - runtime_parse: %s: expected '%s', got '%s'\n",	\
		       what, (want), (got));					\
		fail = 1;							\
	}									\
} while (0)

#define CRIO_ID "8d3b6f0e2a7c4f19b5e1d0c9a8f7e6d5c4b3a29180f7e6d5c4b3a2918d7e6f50"
#define CRIO_SB "1f2e3d4c5b6a79880f1e2d3c4b5a69788f9e0d1c2b3a49586f7e8d9c0b1a2f3e"
#define FAKE_ID "a0a0000000000000000000000000000000000000000000000000000000000001"
#define POD_UID "26ab26cd-6409-443f-a13c-fd6c231207c8"

static char *slurp(const char *rel, size_t *len)
{
	const char *dir = getenv("TESTS_DIR");
	char path[4096];
	char *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests", rel);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int docker(const char *s, const char *id, struct cgtrack_info *i, char *err)
{
	return rt_docker_parse(s, strlen(s), id, i, err, RT_ERR_LEN);
}

static void test_docker(void)
{
	struct cgtrack_info i;
	char err[RT_ERR_LEN] = "", *body;
	size_t len;
	int r;

	body = slurp("fakes/docker/" FAKE_ID ".json", &len);
	r = rt_docker_parse(body, len, FAKE_ID, &i, err, sizeof(err));
	CHECK("docker: found", r == 0);
	CHECK_STR("docker: name without its '/'", "fake-web", i.name);
	CHECK_STR("docker: image from Config.Image", "fake/web:1", i.image);
	CHECK("docker: no pod, not a sandbox", !i.pod_name[0] && !i.pod_uid[0] && !i.sandbox);
	CHECK("docker: an answer about another id is not ours",
	      rt_docker_parse(body, len, CRIO_ID, &i, err, sizeof(err)) == -ENOENT);
	free(body);

	r = docker("{\"Id\":\"abc\",\"Name\":\"/k8s_POD_web-0_shop_1\",\"Config\":{"
		   "\"Image\":\"registry.k8s.io/pause:3.9\",\"Labels\":{"
		   "\"io.kubernetes.container.name\":\"POD\","
		   "\"io.kubernetes.docker.type\":\"podsandbox\","
		   "\"io.kubernetes.pod.name\":\"web-0\","
		   "\"io.kubernetes.pod.namespace\":\"shop\","
		   "\"io.kubernetes.pod.uid\":\"" POD_UID "\"}}}", "abc", &i, err);
	CHECK("docker: dockershim sandbox parsed", r == 0);
	CHECK_STR("docker: container name from the kubelet's label", "POD", i.name);
	CHECK_STR("docker: pod name", "web-0", i.pod_name);
	CHECK_STR("docker: pod namespace", "shop", i.pod_namespace);
	CHECK_STR("docker: pod uid", POD_UID, i.pod_uid);
	CHECK("docker: io.kubernetes.docker.type=podsandbox is a sandbox", i.sandbox);

	/* podman's compat answer: the same shape, a normalised image name */
	r = docker("{\"Id\":\"abc\",\"Name\":\"web\",\"Config\":{\"Image\":"
		   "\"localhost/busybox:test\",\"Labels\":null}}", "abc", &i, err);
	CHECK("podman: compat answer parsed (no '/', null labels)", r == 0);
	CHECK_STR("podman: name", "web", i.name);
	CHECK_STR("podman: image", "localhost/busybox:test", i.image);
}

static void test_docker_refused(void)
{
	struct cgtrack_info i;
	char err[RT_ERR_LEN], deep[300];
	size_t k;

	CHECK("refused: truncated JSON", docker("{\"Id\":\"abc\",\"Na", "abc", &i, err) ==
	      -EBADMSG && strstr(err, "invalid JSON"));
	CHECK("refused: empty body", docker("", "abc", &i, err) == -EBADMSG);
	CHECK("refused: an array", docker("[1,2]", "abc", &i, err) == -EBADMSG &&
	      strstr(err, "not an object"));
	CHECK("refused: data after the object", docker("{\"Id\":\"abc\"} x", "abc", &i,
							err) == -EBADMSG);
	CHECK("refused: no Id", docker("{\"Name\":\"/x\"}", "abc", &i, err) == -EBADMSG &&
	      strstr(err, "Id"));
	CHECK("refused: Id not a string", docker("{\"Id\":5}", "abc", &i, err) == -EBADMSG);
	for (k = 0; k < sizeof(deep) - 1; k++)
		deep[k] = k < 150 ? '[' : ']';
	deep[sizeof(deep) - 1] = 0;
	CHECK("refused: nesting deeper than 64", docker(deep, "abc", &i, err) == -EBADMSG);
	CHECK("tolerated: whitespace after the object",
	      docker("{\"Id\":\"abc\"}\r\n ", "abc", &i, err) == 0);
	CHECK("tolerated: Config of the wrong type",
	      docker("{\"Id\":\"abc\",\"Config\":[1]}", "abc", &i, err) == 0 && !i.image[0]);
}

static int crio(const char *s, struct cgtrack_info *i, char *err)
{
	return rt_crio_parse(s, strlen(s), i, err, RT_ERR_LEN);
}

static void test_crio(void)
{
	struct cgtrack_info i;
	char err[RT_ERR_LEN] = "", *body;
	size_t len;
	int r;

	body = slurp("fakes/crio/" CRIO_ID ".json", &len);
	r = rt_crio_parse(body, len, &i, err, sizeof(err));
	CHECK("crio: container parsed", r == 0);
	CHECK_STR("crio: name from io.kubernetes.container.name", "nginx", i.name);
	CHECK_STR("crio: image", "docker.io/library/nginx:1.25.3", i.image);
	CHECK_STR("crio: pod name", "web-0", i.pod_name);
	CHECK_STR("crio: pod namespace", "shop", i.pod_namespace);
	CHECK_STR("crio: pod uid", "6e0a9f3c-2b1d-4c5e-8f7a-9b0c1d2e3f4a", i.pod_uid);
	CHECK("crio: a container is not a sandbox", !i.sandbox);
	free(body);

	body = slurp("fakes/crio/" CRIO_SB ".json", &len);
	r = rt_crio_parse(body, len, &i, err, sizeof(err));
	CHECK("crio: sandbox parsed", r == 0 && i.sandbox);
	CHECK_STR("crio: sandbox image", "registry.k8s.io/pause:3.9", i.image);
	free(body);

	r = crio("{\"name\":\"k8s_x\",\"pid\":1,\"image\":\"i\"}", &i, err);
	CHECK("crio: an older answer without labels", r == 0 && !strcmp(i.name, "k8s_x"));
	r = crio("{\"storage_root\":\"/x\"}", &i, err);
	CHECK("crio: /info's answer is refused", r == -EBADMSG);
}

static int ctd(const char *s, struct cgtrack_info *i, char *err)
{
	return rt_containerd_parse(s, strlen(s), i, err, RT_ERR_LEN);
}

static void test_containerd(void)
{
	static const char cfg[] = "{\"ociVersion\":\"1.0.2-dev\",\"annotations\":{"
		"\"io.kubernetes.cri.container-type\":\"sandbox\","
		"\"io.kubernetes.cri.sandbox-name\":\"web-0\","
		"\"io.kubernetes.cri.sandbox-namespace\":\"shop\","
		"\"io.kubernetes.cri.sandbox-uid\":\"" POD_UID "\","
		"\"io.kubernetes.cri.image-name\":\"registry.k8s.io/pause:3.9\"}}";
	struct cgtrack_info i;
	char err[RT_ERR_LEN];
	int r;

	r = ctd(cfg, &i, err);
	CHECK("containerd: CRI sandbox bundle parsed", r == 0 && i.sandbox);
	CHECK_STR("containerd: pod from sandbox-name", "web-0", i.pod_name);
	CHECK_STR("containerd: pod namespace", "shop", i.pod_namespace);
	CHECK_STR("containerd: pod uid", POD_UID, i.pod_uid);
	CHECK_STR("containerd: image-name", "registry.k8s.io/pause:3.9", i.image);
	CHECK("containerd: a sandbox has no container-name", !i.name[0]);
	r = ctd("{\"ociVersion\":\"1.0.2\"}", &i, err);
	CHECK("containerd: a bundle without annotations (ctr)", r == 0 && !i.name[0]);
	r = ctd("{\"annotations\":{}}", &i, err);
	CHECK("containerd: not an OCI config is refused", r == -EBADMSG);
}

static void write_file(const char *path, const char *s, size_t n)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(s, 1, n, f) != n || fclose(f))
		exit(1);
}

static void test_containerd_lookup(void)
{
	char state[] = "/tmp/cgtrack-rtparse.XXXXXX", dir[512], file[600], mfile[700], ns[64];
	const char *id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	const char *bundle = "{\"ociVersion\":\"1.0.2\",\"annotations\":{"
			     "\"io.kubernetes.cri.container-name\":\"app\"}}";
	struct cgtrack_info i;
	char err[RT_ERR_LEN], *big, cmd[700];
	int r;

	if (!mkdtemp(state))
		exit(1);
	snprintf(dir, sizeof(dir), "%s/io.containerd.runtime.v2.task/k8s.io/%s", state, id);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s %s/io.containerd.runtime.v2.task/default",
		 dir, state);
	if (system(cmd))	/* NOLINT(cert-env33-c): a fixed mkdir -p in a test */
		exit(1);
	snprintf(file, sizeof(file), "%s/config.json", dir);
	write_file(file, bundle, strlen(bundle));
	r = rt_containerd_lookup(state, "default", id, &i, ns, sizeof(ns), err, sizeof(err));
	CHECK("containerd lookup: found past a wrong namespace hint", r == 0);
	CHECK_STR("containerd lookup: namespace", "k8s.io", ns);
	CHECK_STR("containerd lookup: container name", "app", i.name);
	r = rt_containerd_lookup(state, "k8s.io", id, &i, ns, sizeof(ns), err, sizeof(err));
	CHECK("containerd lookup: found with the right hint", r == 0);
	r = rt_containerd_lookup(state, NULL, "feed", &i, ns, sizeof(ns), err, sizeof(err));
	CHECK("containerd lookup: no bundle is -ENOENT", r == -ENOENT);
	r = rt_containerd_lookup(state, "../..", "../etc", &i, ns, sizeof(ns), err, sizeof(err));
	CHECK("containerd lookup: no path tricks", r == -ENOENT);
	/* docker's containers, in containerd's "moby" namespace, are docker's */
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/io.containerd.runtime.v2.task/moby/%s", state,
		 FAKE_ID);
	if (system(cmd))	/* NOLINT(cert-env33-c): a fixed mkdir -p in a test */
		exit(1);
	snprintf(mfile, sizeof(mfile), "%s/io.containerd.runtime.v2.task/moby/%s/config.json",
		 state, FAKE_ID);
	write_file(mfile, bundle, strlen(bundle));
	CHECK("containerd lookup: a bundle in docker's moby namespace is not containerd's",
	      rt_containerd_lookup(state, NULL, FAKE_ID, &i, ns, sizeof(ns), err,
				   sizeof(err)) == -ENOENT &&
	      rt_containerd_lookup(state, "moby", FAKE_ID, &i, ns, sizeof(ns), err,
				   sizeof(err)) == -ENOENT);
	big = calloc(1, RT_BODY_MAX + 2);
	memset(big, ' ', RT_BODY_MAX + 1);
	write_file(file, big, RT_BODY_MAX + 1);
	free(big);
	r = rt_containerd_lookup(state, NULL, id, &i, ns, sizeof(ns), err, sizeof(err));
	CHECK("containerd lookup: a bundle over 1 MiB is refused", r == -EBADMSG);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", state);
	if (system(cmd))	/* NOLINT(cert-env33-c): a fixed rm -rf of our mkdtemp */
		fail = 1;
}

#define PM_ID1 "7d7cefba4dda0e3d5e0e4ea2bba6eb638af9ff1833cce746631cfe74135f584a"
#define PM_ID2 "b43ad43c9f093ef0f288de40e33e15cfb12b9bc50f6a6ce34425810299d7b8e0"

static int podman(const char *body, const char *id, struct cgtrack_info *i, char *err)
{
	return rt_podman_storage_parse(body, strlen(body), id, i, err, RT_ERR_LEN);
}

/* podman's containers.json, as podman 4.3 wrote it (tests/fakes/podman) */
static void test_podman_record(void)
{
	char state[] = "/tmp/cgtrack-rtparse.XXXXXX", dir[512], file[600], cmd[600];
	char err[RT_ERR_LEN] = "", *body;
	struct cgtrack_info i;
	size_t len;
	int r;

	body = slurp("fakes/podman/containers.json", &len);
	r = rt_podman_storage_parse(body, len, PM_ID1, &i, err, sizeof(err));
	CHECK("podman record: found", r == 0);
	CHECK_STR("podman record: name", "web1", i.name);
	CHECK_STR("podman record: image from libpod's metadata", "localhost/busybox:test",
		  i.image);
	r = rt_podman_storage_parse(body, len, PM_ID2, &i, err, sizeof(err));
	CHECK_STR("podman record: the second container, its generated name",
		  "unruffled_lamport", r ? err : i.name);
	CHECK("podman record: another id is -ENOENT",
	      rt_podman_storage_parse(body, len, FAKE_ID, &i, err, sizeof(err)) == -ENOENT);

	CHECK("podman record: an object, not the array, is refused",
	      podman("{\"id\":\"abc\",\"names\":[\"x\"]}", "abc", &i, err) == -EBADMSG &&
	      strstr(err, "not an array"));
	r = podman("[{\"id\":\"abc\",\"names\":[\"x\"]}]", "abc", &i, err);
	CHECK("podman record: no metadata: the name, no image", r == 0 && !strcmp(i.name, "x") &&
	      !i.image[0]);
	r = podman("[{\"id\":\"abc\",\"names\":[],\"metadata\":\"{\\\"name\\\":\\\"y\\\"}\"}]",
		   "abc", &i, err);
	CHECK("podman record: no names: the metadata's name", r == 0 && !strcmp(i.name, "y"));
	r = podman("[{\"id\":\"abc\",\"metadata\":\"{not json\"}]", "abc", &i, err);
	CHECK("podman record: neither a name nor valid metadata is refused", r == -EBADMSG);
	CHECK("podman record: cut-off JSON is refused",
	      rt_podman_storage_parse(body, len / 2, PM_ID1, &i, err, sizeof(err)) == -EBADMSG);

	/* lookup under a graph root: only <driver>-containers/containers.json */
	if (!mkdtemp(state))
		exit(1);
	snprintf(dir, sizeof(dir), "%s/vfs-containers", state);
	if (mkdir(dir, 0700))
		exit(1);
	snprintf(file, sizeof(file), "%s/containers.json", dir);
	write_file(file, body, len);
	r = rt_podman_storage_lookup(state, PM_ID1, &i, err, sizeof(err));
	CHECK_STR("podman lookup: the vfs driver's record", "web1", r ? err : i.name);
	CHECK("podman lookup: an id not there is -ENOENT",
	      rt_podman_storage_lookup(state, FAKE_ID, &i, err, sizeof(err)) == -ENOENT);
	CHECK("podman lookup: no path tricks in the id",
	      rt_podman_storage_lookup(state, "../x", &i, err, sizeof(err)) == -ENOENT);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", state);
	if (system(cmd))	/* NOLINT(cert-env33-c): a fixed rm -rf of our mkdtemp */
		fail = 1;
	free(body);
}

static void test_common(void)
{
	char s[16], long_img[400], msg[160];
	struct cgtrack_info i;
	char err[RT_ERR_LEN], body[600];

	rt_copy(s, sizeof(s), "a\nb\tc\x7f" "d");
	CHECK_STR("copy: control bytes become '?'", "a?b?c?d", s);
	rt_copy(s, sizeof(s), NULL);
	CHECK_STR("copy: NULL is empty", "", s);
	memset(long_img, 'x', sizeof(long_img) - 1);
	long_img[sizeof(long_img) - 1] = 0;
	snprintf(body, sizeof(body), "{\"Id\":\"a\",\"Config\":{\"Image\":\"%s\"}}", long_img);
	CHECK("copy: a 399-byte image is cut to the field",
	      docker(body, "a", &i, err) == 0 && strlen(i.image) == sizeof(i.image) - 1);
	CHECK("id: 64 hex", rt_id_ok(FAKE_ID));
	CHECK("id: refused: empty, '/', '..', 65 characters, '?'",
	      !rt_id_ok("") && !rt_id_ok("a/b") && !rt_id_ok("..") && !rt_id_ok(FAKE_ID "0") &&
	      !rt_id_ok("a?b"));
	strcpy(body, "{\"message\":\"No such container: x\"}");
	rt_error_message(body, strlen(body), msg, sizeof(msg));
	CHECK_STR("error message: docker's JSON", "No such container: x", msg);
	strcpy(body, "can't find the container with id x\n");
	rt_error_message(body, strlen(body), msg, sizeof(msg));
	CHECK_STR("error message: cri-o's text", "can't find the container with id x", msg);
}

int main(void)
{
	test_docker();
	test_docker_refused();
	test_crio();
	test_containerd();
	test_containerd_lookup();
	test_podman_record();
	test_common();
	return fail;
}
