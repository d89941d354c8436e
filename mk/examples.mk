# SPDX-License-Identifier: Apache-2.0
# Example cgtrack consumers (examples/NAME/NAME.bpf.c + NAME.c), built by
# `make` into $(OUTPUT)/examples/NAME. Each BPF object uses only what a
# third party has: include/cgtrack/ and the vmlinux.h of the build.

EXAMPLES     := execcount tracee_compat
EXAMPLE_BINS := $(foreach e,$(EXAMPLES),$(OUTPUT)/examples/$(e))
EXAMPLE_HDRS := $(wildcard include/cgtrack/*.h)

.PHONY: examples
all: examples
examples: $(EXAMPLE_BINS)

$(OUTPUT)/examples:
	mkdir -p $@

define example_rules
$(OUTPUT)/examples/$(1).bpf.o: examples/$(1)/$(1).bpf.c $(EXAMPLE_HDRS) $(OUTPUT)/vmlinux.h | $(OUTPUT)/examples
	$$(CLANG) $$(BPF_CFLAGS) -c $$< -o $$@

$(OUTPUT)/examples/$(1).skel.h: $(OUTPUT)/examples/$(1).bpf.o
	$$(BPFTOOL) gen skeleton $$< name $(1) > $$@.tmp
	mv $$@.tmp $$@

$(OUTPUT)/examples/$(1): examples/$(1)/$(1).c $(OUTPUT)/examples/$(1).skel.h $(EXAMPLE_HDRS)
	$$(CC) $$(CFLAGS) -I$(OUTPUT)/examples $$< $$(LDLIBS) -o $$@
endef

$(foreach e,$(EXAMPLES),$(eval $(call example_rules,$(e))))
