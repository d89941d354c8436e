# SPDX-License-Identifier: Apache-2.0
# cgtrack: `make` builds, `make run` tracks in the foreground, `make test` tests.

OUTPUT     ?= build
CLANG      ?= clang
BPFTOOL    ?= bpftool
CC         ?= cc
PREFIX     ?= /usr/local
DESTDIR    ?=
ARCH       := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
# The release in VERSION; a git checkout adds where it stands.
VERSION    := $(shell cat VERSION)
GIT_REV    := $(shell git rev-parse --short HEAD 2>/dev/null)
CGTRACK_VERSION ?= $(VERSION)$(if $(GIT_REV),+g$(GIT_REV))

CFLAGS     ?= -O2 -g
CFLAGS     += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE \
	      -Iinclude -I$(OUTPUT) -DCGTRACK_VERSION='"$(CGTRACK_VERSION)"'
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall \
	      -Wno-unused-function -Iinclude -I$(OUTPUT) -Ibpf
# a cross build names its target's pkg-config (debian/rules: aarch64-linux-gnu-pkg-config)
PKG_CONFIG ?= pkg-config
LDLIBS     += $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz) \
	      $(shell $(PKG_CONFIG) --libs json-c 2>/dev/null || echo -ljson-c)

BPF_SRCS    := $(wildcard bpf/*.bpf.c)
BPF_HDRS    := $(wildcard bpf/lib/*.h) $(wildcard include/cgtrack/*.h)
LOADER_SRCS := $(wildcard loader/*.c)
LOADER_HDRS := $(wildcard loader/*.h) $(wildcard include/cgtrack/*.h)
LOADER_OBJS := $(patsubst loader/%.c,$(OUTPUT)/loader/%.o,$(LOADER_SRCS))

.PHONY: all clean run test test-progs setup bench install uninstall
.SECONDARY:

all: $(OUTPUT)/cgtrack

$(OUTPUT) $(OUTPUT)/loader $(OUTPUT)/tests:
	mkdir -p $@

# vmlinux.h comes from the running kernel's BTF; CO-RE relocates the rest.
$(OUTPUT)/vmlinux.h: | $(OUTPUT)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp
	mv $@.tmp $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp.o
	$(BPFTOOL) gen object $@ $@.tmp.o
	rm -f $@.tmp.o

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $* > $@.tmp
	mv $@.tmp $@

$(OUTPUT)/loader/%.o: loader/%.c $(LOADER_HDRS) $(OUTPUT)/cgtrack.skel.h | $(OUTPUT)/loader
	$(CC) $(CFLAGS) -Iloader -c $< -o $@

# the in-kernel sweep's program (bpf/ksweep.bpf.c), embedded like the main one
$(OUTPUT)/loader/sweep.o: $(OUTPUT)/ksweep.skel.h

$(OUTPUT)/cgtrack: $(LOADER_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Test programs: C unit tests linked with the loader's objects (not main).
TEST_SRCS  := $(wildcard tests/test_*.c)
TEST_BINS  := $(patsubst tests/%.c,$(OUTPUT)/tests/%,$(TEST_SRCS))
LIB_OBJS   := $(filter-out $(OUTPUT)/loader/main.o,$(LOADER_OBJS))

$(OUTPUT)/tests/%: tests/%.c tests/tap.h $(LIB_OBJS) | $(OUTPUT)/tests
	$(CC) $(CFLAGS) -Iloader $< $(LIB_OBJS) $(LDLIBS) -o $@

$(OUTPUT)/verifier_stats: tests/tools/verifier_stats.c $(OUTPUT)/cgtrack.skel.h
	$(CC) $(CFLAGS) $< $(LDLIBS) -o $@

test-progs: all $(TEST_BINS) $(OUTPUT)/verifier_stats

setup:
	@scripts/setup.sh

# Ctrl-C stops the daemon; the pinned programs would keep tracking (that is
# what a service wants), so a developer's run unloads them afterwards
# unless KEEP=1.
run: setup
	$(MAKE) all
	$(OUTPUT)/cgtrack run $(if $(filter 1,$(KEEP)),,--unload-on-exit) $(ARGS)

test: setup
	$(MAKE) all
	tests/run.sh

clean:
	rm -rf $(OUTPUT)

# Areas add their own targets here (examples, install, bench, fuzz...).
-include mk/*.mk
