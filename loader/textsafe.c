// SPDX-License-Identifier: Apache-2.0
#include <string.h>

#include "textsafe.h"

static int cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	/* no overlong forms, no surrogates, nothing above U+10FFFF */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	*cp = c & (0xff >> (len + 1));
	for (i = 1; i < len; i++) {
		if (!cont(s[i]))
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	return len;
}

/* The next unit of s (a character kept, or bytes escaped) into u[]. */
static size_t next_unit(const unsigned char *s, size_t n, char *u, size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	size_t len, i, k = 0;
	uint32_t cp;

	len = utf8_seq(s, n, &cp);
	if (len && !text_is_control(cp)) {
		memcpy(u, s, len);
		*used = len;
		return len;
	}
	if (!len)
		len = 1;	/* a stray byte: escape it alone */
	for (i = 0; i < len; i++) {
		u[k++] = '\\';
		u[k++] = 'x';
		u[k++] = hex[s[i] >> 4];
		u[k++] = hex[s[i] & 15];
	}
	*used = len;
	return k;
}

static size_t bounded_len(const char *in, size_t inlen)
{
	const char *nul = memchr(in, 0, inlen);

	return nul ? (size_t)(nul - in) : inlen;
}

size_t text_escape(char *out, size_t outlen, const char *in, size_t inlen)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = bounded_len(in, inlen), k = 0, used, ulen;
	char u[16];

	if (!outlen)
		return 0;
	while (n) {
		ulen = next_unit(s, n, u, &used);
		if (k + ulen > outlen - 1)
			break;
		memcpy(out + k, u, ulen);
		k += ulen;
		s += used;
		n -= used;
	}
	out[k] = 0;
	return k;
}

void text_fputs(FILE *f, const char *in, size_t inlen)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = bounded_len(in, inlen), used, ulen;
	char u[16];

	while (n) {
		ulen = next_unit(s, n, u, &used);
		fwrite(u, 1, ulen, f);
		s += used;
		n -= used;
	}
}
