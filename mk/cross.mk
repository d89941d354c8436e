# SPDX-License-Identifier: Apache-2.0
# cgtrack for arm64, built on x86-64 the Debian way: the cross compiler
# (gcc-aarch64-linux-gnu) and multiarch arm64 libraries (libbpf-dev:arm64,
# libelf-dev:arm64, zlib1g-dev:arm64, libzstd-dev:arm64), linked statically
# like `make static` (no enrichment: tests/kmatrix/enrich_none.c).
#
#   make cross-deps     install them (apt; adds the arm64 architecture to dpkg)
#   make cross-arm64    $(CROSS_OUTPUT)/static/cgtrack (aarch64, static),
#                       $(CROSS_OUTPUT)/cgtrack.bpf.o (-D__TARGET_ARCH_arm64,
#                       against the vmlinux.h of Debian's arm64 kernel), the
#                       static kmx-verifier and example consumers. A sub-make
#                       with OUTPUT=$(CROSS_OUTPUT): nothing in $(OUTPUT) is
#                       touched.
#   make cross-fetch    (again) the arm64 kernel and busybox of CROSS_SUITE
#                       (scripts/cross/fetch-arm64.sh, private apt, cached in
#                       $(CROSS_CACHE))
#   make cross-compare  the x86 and arm64 BPF objects side by side (README,
#                       "arm64": they are identical apart from the BTF they
#                       were built against)
#   make cross-kmatrix  the kernel matrix's payload (tests/kmatrix/run.sh) with
#                       the arm64 build, in qemu-system-aarch64 (TCG) on the
#                       arm64 kernels of CROSS_KMATRIX_SUITES (default
#                       CROSS_SUITE; e.g. "bookworm trixie": each other suite
#                       cached in $(CROSS_OUTPUT)/cache-<suite>), one boot per
#                       layout of CROSS_LAYOUTS (v2,hybrid), one at a time
#                       per suite, CROSS_JOBS (2) suites side by side: one
#                       VM each (scripts/cross/run-arm64.sh). `make kmatrix
#                       ARCHS=arm64` runs it; so does CI.
#
# The arm64 vmlinux.h is `bpftool btf dump` of the BTF that
# fetch-arm64.sh cuts out of the Image of the kernel linux-image-arm64 points
# at in CROSS_SUITE (default bookworm: 6.1), not of the build host's kernel.

CROSS_ARCH     := arm64
CROSS_TRIPLET  := aarch64-linux-gnu
CROSS_OUTPUT   ?= $(OUTPUT)/arm64
CROSS_CACHE    ?= $(CROSS_OUTPUT)/cache
CROSS_SUITE    ?= bookworm
CROSS_BTF      := $(CROSS_CACHE)/kernel/btf
CROSS_LIBDIR   := /usr/lib/$(CROSS_TRIPLET)
CROSS_PKG_CONFIG := env PKG_CONFIG_LIBDIR=$(CROSS_LIBDIR)/pkgconfig:/usr/share/pkgconfig pkg-config
CROSS_MAKEFLAGS = OUTPUT=$(CROSS_OUTPUT) ARCH=$(CROSS_ARCH) CC=$(CROSS_TRIPLET)-gcc \
		  STATIC_PKG_CONFIG="$(CROSS_PKG_CONFIG)" STATIC_LIBDIR=$(CROSS_LIBDIR)

CROSS_LAYOUTS  ?= v2,hybrid
CROSS_KMATRIX_SUITES ?= $(CROSS_SUITE)
CROSS_TIMEOUT  ?= 600
CROSS_JOBS     ?= 2
CROSS_PAYLOAD  := $(CROSS_OUTPUT)/kmatrix/payload
CROSS_BINS      = cgtrack kmx-verifier $(KMATRIX_EXAMPLES)

.PHONY: cross-arm64 cross-deps cross-fetch cross-compare cross-kmatrix

cross-arm64: $(CROSS_OUTPUT)/vmlinux.h
	@command -v $(CROSS_TRIPLET)-gcc >/dev/null && [ -e $(CROSS_LIBDIR)/libbpf.a ] || \
		{ echo "cross-arm64: $(CROSS_TRIPLET)-gcc or $(CROSS_LIBDIR)/libbpf.a missing: make cross-deps" >&2; exit 1; }
	$(MAKE) $(CROSS_MAKEFLAGS) $(CROSS_OUTPUT)/cgtrack.bpf.o static
	@file $(CROSS_OUTPUT)/static/cgtrack

cross-deps:
	bash scripts/cross/install-deps.sh

$(CROSS_BTF):
	CROSS_SUITE=$(CROSS_SUITE) BPFTOOL=$(BPFTOOL) scripts/cross/fetch-arm64.sh $(CROSS_CACHE)

cross-fetch:
	CROSS_SUITE=$(CROSS_SUITE) BPFTOOL=$(BPFTOOL) scripts/cross/fetch-arm64.sh $(CROSS_CACHE)

$(CROSS_OUTPUT)/vmlinux.h: $(CROSS_BTF)
	mkdir -p $(CROSS_OUTPUT)
	$(BPFTOOL) btf dump file $< format c > $@.tmp
	mv $@.tmp $@

cross-compare: $(CROSS_OUTPUT)/vmlinux.h
	$(MAKE) $(CROSS_MAKEFLAGS) $(CROSS_OUTPUT)/cgtrack.bpf.o
	CLANG=$(CLANG) BPFTOOL=$(BPFTOOL) scripts/cross/compare-bpf.sh $(CROSS_OUTPUT)/cgtrack.bpf.o \
		$(CROSS_OUTPUT)/vmlinux.h $(CROSS_OUTPUT)/compare

cross-kmatrix: cross-arm64
	rm -rf $(CROSS_PAYLOAD)
	mkdir -p $(CROSS_PAYLOAD)
	cp tests/kmatrix/run.sh $(CROSS_PAYLOAD)/run.sh
	cp $(addprefix $(CROSS_OUTPUT)/static/,$(CROSS_BINS)) $(CROSS_PAYLOAD)/
	$(CROSS_TRIPLET)-strip $(addprefix $(CROSS_PAYLOAD)/,$(CROSS_BINS))
	@res=$(CROSS_OUTPUT)/kmatrix/results/$$(date +%Y%m%d-%H%M%S); rc=0; pids=""; mkdir -p $$res; \
	for s in $(CROSS_KMATRIX_SUITES); do \
		c=$(CROSS_CACHE); [ $$s = $(CROSS_SUITE) ] || c=$(CROSS_OUTPUT)/cache-$$s; \
		CROSS_SUITE=$$s BPFTOOL=$(BPFTOOL) scripts/cross/fetch-arm64.sh $$c || { rc=1; continue; }; \
		scripts/cross/run-arm64.sh --layouts $(CROSS_LAYOUTS) --timeout $(CROSS_TIMEOUT) \
			--label $$s-arm64 --busybox $(CROSS_CACHE)/busybox $$c $(CROSS_PAYLOAD) $$res \
			>$$res/$$s.table & pids="$${pids:+$$pids }$$!"; \
		[ $$(echo $$pids | wc -w) -lt $(CROSS_JOBS) ] || \
			{ wait $${pids%% *} || rc=1; case $$pids in *" "*) pids=$${pids#* } ;; *) pids="" ;; esac; }; \
	done; \
	for p in $$pids; do wait $$p || rc=1; done; \
	printf '| kernel | release | layout | result | boot |\n|---|---|---|---|---|\n'; \
	for s in $(CROSS_KMATRIX_SUITES); do grep -h '^| [a-z]*-arm64 ' $$res/$$s.table 2>/dev/null; done; \
	exit $$rc
