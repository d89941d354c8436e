# SPDX-License-Identifier: Apache-2.0
# cgtrack on real kernels: a static build, a payload and the kernel matrix
# (scripts/kmatrix/: 5 Debian kernels x cgroup v2 / v1 / hybrid in qemu).
#
#   make static            $(OUTPUT)/static/cgtrack: -static against libbpf.a,
#                          libelf.a, libz.a (libzstd.a); no enrichment (it is
#                          not what the matrix tests, and needs json-c:
#                          tests/kmatrix/enrich_none.c stands in for
#                          loader/enrich*.c and loader/rt_*.c).
#                          Same BPF object and skeleton as `make`. Also
#                          kmx-verifier (tests/kmatrix/) and the example
#                          consumers (execcount, tracee_compat) if present.
#   make kmatrix-payload   $(OUTPUT)/kmatrix/payload/: tests/kmatrix/run.sh and
#                          the static binaries, for run-matrix.sh --payload
#   make kmatrix           fetch the kernels (cached in $(KMATRIX_CACHE)), the
#                          two above, boot the matrix, print the table; fails
#                          if any case fails. KMATRIX_TIMEOUT: seconds per boot
#                          (240; a boot takes 10-40 s under TCG). KMATRIX_ARGS
#                          adds run-matrix.sh options, e.g.
#                          KMATRIX_ARGS="--kernels bullseye --layouts v1"
#   make kmatrix ARCHS="amd64 arm64"
#                          the arm64 cells too (KMATRIX_ARM64_SUITES, default
#                          "bookworm trixie"; v2 and hybrid; make cross-deps)
#   make kmatrix-deps      install what the matrix needs (apt, only the missing)

include scripts/kmatrix/static.mk

STATIC_OUTPUT  := $(OUTPUT)/static
KMATRIX_CACHE  ?= $(OUTPUT)/kmatrix
KMATRIX_PAYLOAD := $(OUTPUT)/kmatrix/payload
KMATRIX_TIMEOUT ?= 240
KMATRIX_ARGS   ?=

# The loader without the enrichment sources (they need json-c).
STATIC_LOADER_SRCS := $(filter-out loader/enrich%.c loader/rt_%.c,$(LOADER_SRCS))
STATIC_OBJS := $(patsubst loader/%.c,$(STATIC_OUTPUT)/loader/%.o,$(STATIC_LOADER_SRCS)) \
	       $(STATIC_OUTPUT)/loader/enrich_none.o

# The example consumers, when they are there (their skeletons come from
# mk/examples.mk): linked statically too, run in the VM against the pins.
KMATRIX_EXAMPLES := $(if $(wildcard mk/examples.mk),$(foreach e,execcount tracee_compat,\
			$(if $(wildcard examples/$(e)/$(e).c),$(e))))
STATIC_EXAMPLES  := $(addprefix $(STATIC_OUTPUT)/,$(KMATRIX_EXAMPLES))

.PHONY: static kmatrix kmatrix-payload kmatrix-deps

static: $(STATIC_OUTPUT)/cgtrack $(STATIC_EXAMPLES) $(STATIC_OUTPUT)/kmx-verifier

$(STATIC_OUTPUT)/loader:
	mkdir -p $@

$(STATIC_OUTPUT)/loader/%.o: loader/%.c $(LOADER_HDRS) $(OUTPUT)/cgtrack.skel.h | $(STATIC_OUTPUT)/loader
	$(CC) $(CFLAGS) $(STATIC_CFLAGS) -Iloader -c $< -o $@

# the in-kernel sweep's skeleton (bpf/ksweep.bpf.c), as in the main build
$(STATIC_OUTPUT)/loader/sweep.o: $(OUTPUT)/ksweep.skel.h

$(STATIC_OUTPUT)/loader/enrich_none.o: tests/kmatrix/enrich_none.c $(LOADER_HDRS) | $(STATIC_OUTPUT)/loader
	$(CC) $(CFLAGS) $(STATIC_CFLAGS) -Iloader -c $< -o $@

$(STATIC_OUTPUT)/cgtrack: $(STATIC_OBJS)
	$(CC) $(CFLAGS) $(STATIC_LDFLAGS) $^ $(STATIC_LDLIBS) -o $@

# verifier statistics per program, from the same skeleton (tests/kmatrix/)
$(STATIC_OUTPUT)/kmx-verifier: tests/kmatrix/kmx_verifier.c $(OUTPUT)/cgtrack.skel.h | $(STATIC_OUTPUT)/loader
	$(CC) $(CFLAGS) $(STATIC_CFLAGS) $(STATIC_LDFLAGS) $< $(STATIC_LDLIBS) -o $@

define kmatrix_example_rule
$(STATIC_OUTPUT)/$(1): examples/$(1)/$(1).c $(OUTPUT)/examples/$(1).skel.h \
		       $(wildcard include/cgtrack/*.h) | $(STATIC_OUTPUT)/loader
	$$(CC) $$(CFLAGS) $$(STATIC_CFLAGS) -I$(OUTPUT)/examples $$(STATIC_LDFLAGS) $$< \
		$$(STATIC_LDLIBS) -o $$@
endef
$(foreach e,$(KMATRIX_EXAMPLES),$(eval $(call kmatrix_example_rule,$(e))))

# Rebuilt every time (cheap): the payload is exactly the sources and binaries.
kmatrix-payload: static
	rm -rf $(KMATRIX_PAYLOAD)
	mkdir -p $(KMATRIX_PAYLOAD)
	cp tests/kmatrix/run.sh $(KMATRIX_PAYLOAD)/run.sh
	cp $(STATIC_OUTPUT)/cgtrack $(STATIC_OUTPUT)/kmx-verifier $(STATIC_EXAMPLES) \
		$(KMATRIX_PAYLOAD)/
	strip $(addprefix $(KMATRIX_PAYLOAD)/,cgtrack kmx-verifier $(KMATRIX_EXAMPLES))

# ARCHS: which architectures' cells (amd64, arm64). arm64 is the cross build
# on Debian's arm64 kernels of KMATRIX_ARM64_SUITES in qemu-system-aarch64
# (mk/cross.mk's cross-kmatrix; needs make cross-deps), after the amd64
# matrix; both must pass.
ARCHS              ?= amd64
KMATRIX_ARM64_SUITES ?= bookworm trixie
KMATRIX_ARCH_BAD   := $(filter-out amd64 arm64,$(ARCHS))

kmatrix: $(if $(filter amd64,$(ARCHS)),kmatrix-payload)
	$(if $(KMATRIX_ARCH_BAD),$(error ARCHS: unknown architecture '$(KMATRIX_ARCH_BAD)' (amd64, arm64)))
	$(if $(filter amd64,$(ARCHS)),scripts/kmatrix/run-matrix.sh --cache $(KMATRIX_CACHE) \
		--payload $(KMATRIX_PAYLOAD) --timeout $(KMATRIX_TIMEOUT) $(KMATRIX_ARGS))
	$(if $(filter arm64,$(ARCHS)),$(MAKE) --no-print-directory cross-kmatrix \
		CROSS_KMATRIX_SUITES="$(KMATRIX_ARM64_SUITES)")

kmatrix-deps:
	bash scripts/kmatrix/install-deps.sh
