# static.mk - how to link a C program statically against libbpf on Debian
# (libbpf-dev, libelf-dev, zlib1g-dev; libzstd-dev where libelf needs zstd).
# Meant to be included by the main Makefile later:
#
#   include scripts/kmatrix/static.mk
#   foo-static: foo.c
#   	$(CC) $(CFLAGS) $(STATIC_CFLAGS) $(STATIC_LDFLAGS) -o $@ $^ $(STATIC_LDLIBS)
#
# On bookworm this expands to:
#   cc -O2 -static -o foo foo.c -lbpf -lelf -lz -lzstd
# (libelf 0.188's libelf.a only needs -lz; -lzstd is added whenever
# libzstd.a exists, which costs nothing when unused and is needed by newer
# elfutils built with zstd support.) Linking order matters: -lbpf first.

STATIC_PKG_CONFIG ?= pkg-config
STATIC_LIBDIR     ?= /usr/lib/x86_64-linux-gnu

STATIC_CFLAGS  ?= $(shell $(STATIC_PKG_CONFIG) --cflags libbpf 2>/dev/null)
STATIC_LDFLAGS ?= -static
STATIC_LDLIBS  ?= $(or $(shell $(STATIC_PKG_CONFIG) --static --libs libbpf 2>/dev/null),-lbpf -lelf -lz) \
                  $(if $(wildcard $(STATIC_LIBDIR)/libzstd.a),-lzstd)
