// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rt.h"
#include "rt_http.h"
#include "timeutil.h"

enum { PHASE_SEND, PHASE_RECV, PHASE_DONE };

#define HEAD_MAX	((size_t)64 * 1024)	/* status line and headers */
#define READ_CHUNK	((size_t)64 * 1024)

/* The request is over, failed for the reason given. Returns true (over). */
__attribute__((format(printf, 2, 3)))
static bool fail(struct rt_http *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->fail, sizeof(h->fail), fmt, ap);
	va_end(ap);
	h->phase = PHASE_DONE;
	return true;
}

static bool too_large(struct rt_http *h)
{
	return fail(h, "the response is larger than %u bytes", RT_BODY_MAX);
}

static bool cut_short(struct rt_http *h)
{
	return fail(h, "the connection closed before the answer was complete (%zu bytes "
		    "received)", h->raw_len);
}

int rt_http_start(struct rt_http *h, const char *sock, const char *path, long timeout_ms,
		  char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int n;

	memset(h, 0, sizeof(*h));
	if (strlen(sock) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "the socket path is longer than %zu bytes",
			 sizeof(sa.sun_path) - 1);
		return -1;
	}
	n = snprintf(h->req, sizeof(h->req), "GET %s HTTP/1.1\r\nHost: localhost\r\n"
		     "User-Agent: cgtrack\r\nAccept: application/json\r\n"
		     "Connection: close\r\n\r\n", path);
	if (n < 0 || (size_t)n >= sizeof(h->req)) {
		snprintf(err, errlen, "the request path is too long");
		return -1;
	}
	h->req_len = (size_t)n;
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	h->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* a unix socket connects at once, or not at all (EAGAIN: its backlog is full) */
	if (connect(h->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		snprintf(err, errlen, "cannot connect: %s", strerror(errno));
		close(h->fd);
		return -1;
	}
	h->has_fd = true;
	h->content_length = -1;
	h->timeout_ms = timeout_ms;
	h->deadline_ns = boot_ns() + (uint64_t)timeout_ms * 1000000;
	h->phase = PHASE_SEND;
	return 0;
}

short rt_http_events(const struct rt_http *h)
{
	if (h->phase == PHASE_SEND)
		return POLLOUT;
	return h->phase == PHASE_RECV ? POLLIN : 0;
}

/* "Name:" at line, case-insensitive: its value, else NULL */
static const char *header(const char *line, const char *name)
{
	size_t n = strlen(name);

	if (strncasecmp(line, name, n) || line[n] != ':')
		return NULL;
	line += n + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

/* The status line and the headers that frame the body. */
static bool parse_head(struct rt_http *h)
{
	char *line = h->raw, *head_end = h->raw + h->head_len - 2, *end, *v;

	if (strncmp(line, "HTTP/1.", 7) || !line[7] || line[8] != ' ')
		return fail(h, "not an HTTP answer");
	h->status = strtol(line + 9, &end, 10);
	if (end == line + 9 || h->status < 100 || h->status > 999)
		return fail(h, "a malformed HTTP status line");
	for (line = (char *)memmem(line, h->head_len, "\r\n", 2) + 2; line < head_end;
	     line = end + 2) {
		end = memmem(line, (size_t)(head_end - line), "\r\n", 2);
		if (!end)
			break;
		*end = 0;
		if ((v = (char *)header(line, "Content-Length"))) {
			h->content_length = strtoll(v, NULL, 10);
			if (h->content_length < 0)
				return fail(h, "a negative Content-Length");
		} else if ((v = (char *)header(line, "Transfer-Encoding"))) {
			h->chunked = strcasestr(v, "chunked") != NULL;
		}
		*end = '\r';
	}
	if (h->content_length > (long long)RT_BODY_MAX)
		return too_large(h);
	return false;
}

/*
 * Chunked body at b[0..n): 1 if whole (and, with out, decoded in place
 * into out, *len its length), 0 if more is to come, -1 if malformed, -2
 * if over RT_BODY_MAX.
 */
static int unchunk(char *b, size_t n, char *out, size_t *len)
{
	size_t at = 0, w = 0;

	for (;;) {
		char *eol = memmem(b + at, n - at, "\r\n", 2), *end;
		unsigned long long size;

		if (!eol)
			return 0;
		size = strtoull(b + at, &end, 16);
		if (end == b + at || (*end != ';' && *end != '\r' && *end != ' '))
			return -1;
		at = (size_t)(eol - b) + 2;
		if (size == 0)
			break;
		if (size > RT_BODY_MAX || w + size > RT_BODY_MAX)
			return -2;
		if (n - at < size + 2)
			return 0;
		if (b[at + size] != '\r' || b[at + size + 1] != '\n')
			return -1;
		if (out)
			memmove(out + w, b + at, size);
		w += size;
		at += size + 2;
	}
	/* trailers, up to the empty line */
	for (;;) {
		char *eol = memmem(b + at, n - at, "\r\n", 2);

		if (!eol)
			return 0;
		if (eol == b + at)
			break;
		at = (size_t)(eol - b) + 2;
	}
	if (len)
		*len = w;
	return 1;
}

/* Is the answer whole? Then point body at it. eof: the server closed. */
static bool complete(struct rt_http *h, bool eof)
{
	size_t got = h->raw_len - h->head_len;
	char *b = h->raw + h->head_len;

	if (h->status == 204 || h->status == 304 || h->status < 200) {
		h->len = 0;
	} else if (h->chunked) {
		int r = unchunk(b, got, NULL, NULL);

		if (r == -2)
			return too_large(h);
		if (r < 0)
			return fail(h, "a malformed chunked answer");
		if (!r)
			return eof ? cut_short(h) : false;
		unchunk(b, got, b, &h->len);
	} else if (h->content_length >= 0) {
		if (got < (size_t)h->content_length)
			return eof ? cut_short(h) : false;
		h->len = (size_t)h->content_length;
	} else {
		if (got > RT_BODY_MAX)
			return too_large(h);
		if (!eof)
			return false;	/* until the server closes */
		h->len = got;
	}
	h->body = b;
	h->body[h->len] = 0;
	h->phase = PHASE_DONE;
	return true;
}

static bool on_data(struct rt_http *h, bool eof)
{
	char *end;

	if (!h->head_len) {
		end = h->raw_len >= 4 ? memmem(h->raw, h->raw_len, "\r\n\r\n", 4) : NULL;
		if (!end) {
			if (h->raw_len > HEAD_MAX)
				return fail(h, "the answer's headers are over 64 KiB");
			return eof ? cut_short(h) : false;
		}
		h->head_len = (size_t)(end - h->raw) + 4;
		if (parse_head(h))
			return true;
	}
	if (h->raw_len - h->head_len > (size_t)RT_BODY_MAX + HEAD_MAX)	/* chunk framing */
		return too_large(h);
	return complete(h, eof);
}

static bool receive(struct rt_http *h)
{
	for (;;) {
		ssize_t n;

		/* one byte more than the data, for the NUL */
		if (h->raw_alloc - h->raw_len < READ_CHUNK + 1) {
			size_t want = h->raw_alloc ? h->raw_alloc * 2 : 2 * READ_CHUNK;
			char *nb = realloc(h->raw, want);

			if (!nb)
				return fail(h, "out of memory");
			h->raw = nb;
			h->raw_alloc = want;
		}
		n = read(h->fd, h->raw + h->raw_len, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		if (n < 0)
			return fail(h, "cannot read the answer: %s", strerror(errno));
		h->raw_len += (size_t)n;
		h->raw[h->raw_len] = 0;
		if (on_data(h, n == 0) || n == 0)
			return true;
	}
}

static bool send_request(struct rt_http *h)
{
	while (h->req_off < h->req_len) {
		ssize_t n = send(h->fd, h->req + h->req_off, h->req_len - h->req_off,
				 MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		if (n < 0)
			return fail(h, "cannot send the request: %s", strerror(errno));
		h->req_off += (size_t)n;
	}
	h->phase = PHASE_RECV;
	return false;
}

bool rt_http_step(struct rt_http *h, short revents, uint64_t now_ns)
{
	if (h->phase == PHASE_SEND && (revents & (POLLOUT | POLLERR | POLLHUP)) &&
	    send_request(h))
		return true;
	if (h->phase == PHASE_RECV && (revents & (POLLIN | POLLERR | POLLHUP)) && receive(h))
		return true;
	if (h->phase == PHASE_DONE)
		return true;
	if (now_ns >= h->deadline_ns)
		return fail(h, "no complete answer within %ld ms (%zu bytes received)",
			    h->timeout_ms, h->raw_len);
	return false;
}

bool rt_http_done(const struct rt_http *h)
{
	return h->phase == PHASE_DONE;
}

int rt_http_result(const struct rt_http *h, long *status, char *err, size_t errlen)
{
	if (h->fail[0] || h->phase != PHASE_DONE) {
		snprintf(err, errlen, "%s", h->fail[0] ? h->fail : "no answer");
		return -1;
	}
	*status = h->status;
	return 0;
}

void rt_http_free(struct rt_http *h)
{
	if (h->has_fd)
		close(h->fd);
	h->has_fd = false;
	free(h->raw);
	h->raw = h->body = NULL;
	h->raw_len = h->raw_alloc = h->len = 0;
}
