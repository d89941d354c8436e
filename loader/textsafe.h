/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Text that came from a map or a cgroup name, made safe for a terminal.
 * Map strings are written by whoever may write the pins, cgroup names by
 * whoever may create cgroups: neither may drive the terminal that reads
 * our output. The shared parser turns only C0 controls and DEL into '?'
 * (its table is compiled into the BPF object); C1 controls, which a UTF-8
 * terminal acts on (U+009B is CSI, like ESC [), pass it. So every printer
 * escapes at the output layer.
 */
#ifndef CGTRACK_TEXTSAFE_H
#define CGTRACK_TEXTSAFE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes), 0 if the
 * bytes there are not one; *cp gets its code point.
 */
size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);

/* A code point no terminal should receive raw: C0, DEL, C1. */
static inline int text_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/*
 * Copy at most inlen bytes of in (stopping at a NUL) to out, a string of
 * at most outlen - 1 bytes: controls and bytes that are not UTF-8 become
 * \xNN (each byte of a C1's encoding), and only whole characters or
 * escapes are written, so truncation never cuts one. Returns strlen(out).
 */
size_t text_escape(char *out, size_t outlen, const char *in, size_t inlen);

/* The same, written to f without a length limit on the output. */
void text_fputs(FILE *f, const char *in, size_t inlen);

#endif
