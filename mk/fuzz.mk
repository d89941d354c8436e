# SPDX-License-Identifier: Apache-2.0
# Fuzzing (libFuzzer, clang): the shared parser against a simulation of
# the kernel, /proc/<pid>/cgroup lines, and the runtimes' JSON replies.
#
#   make fuzz                  every target, bounded: FUZZ_TIME s (60) for the
#                              parser, FUZZ_TIME_OTHER s (20) for each other one,
#                              two at a time (2 cores)
#   make fuzz FUZZ_TIME=600    longer
#   make fuzz-parser           one target (also fuzz-proc, fuzz-json)
#   make fuzz-replay           the replay binaries (no libFuzzer, ASan+UBSan)
#
# A crash or a violated property leaves $(OUTPUT)/fuzz/crashes/<target>-*;
# copy it to tests/data/regressions/<target>/ and the test suite replays it
# (tests/test_fuzz_regressions.sh). Inputs found are kept in
# $(OUTPUT)/fuzz/corpus/<target> between runs.

FUZZ_CC          ?= clang
FUZZ_TIME        ?= 60
FUZZ_TIME_OTHER  ?= 20
FUZZ_DIR         := $(OUTPUT)/fuzz
FUZZ_SAN         := -fsanitize=address,undefined -fno-sanitize-recover=all \
		    -fno-omit-frame-pointer
FUZZ_CFLAGS      := -g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra \
		    -Wno-unused-parameter -Iinclude -Iloader -Itests/fuzz $(FUZZ_SAN)
FUZZ_TARGETS     := parser proc json
FUZZ_HDRS        := tests/fuzz/fuzz_common.h loader/cgpath.h $(wildcard include/cgtrack/*.h)

# What each target links besides its own file.
FUZZ_SRCS_parser := loader/cgpath.c
FUZZ_SRCS_proc   := loader/cgpath.c
FUZZ_SRCS_json    = $(wildcard loader/rt_json.c loader/rt_common.c loader/rt_docker.c \
		      loader/rt_crio.c loader/rt_containerd.c loader/rt_podman.c)
FUZZ_LIBS_json   := $(shell pkg-config --libs json-c 2>/dev/null || echo -ljson-c)

FUZZ_ARGS_parser := -dict=tests/fuzz/parser.dict -max_len=4200
FUZZ_ARGS_proc   := -dict=tests/fuzz/parser.dict -max_len=8192
FUZZ_ARGS_json   := -dict=tests/fuzz/json.dict -max_len=65536

.PHONY: fuzz fuzz-build fuzz-replay fuzz-seeds $(addprefix fuzz-,$(FUZZ_TARGETS))

$(FUZZ_DIR) $(FUZZ_DIR)/crashes:
	mkdir -p $@

define fuzz_rules
$(FUZZ_DIR)/fuzz_$(1): tests/fuzz/fuzz_$(1).c $$(FUZZ_SRCS_$(1)) $(FUZZ_HDRS) | $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $$< $$(FUZZ_SRCS_$(1)) \
		$$(FUZZ_LIBS_$(1)) -o $$@

$(FUZZ_DIR)/replay_$(1): tests/fuzz/fuzz_$(1).c tests/fuzz/replay.c $$(FUZZ_SRCS_$(1)) $(FUZZ_HDRS) | $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $$< tests/fuzz/replay.c $$(FUZZ_SRCS_$(1)) \
		$$(FUZZ_LIBS_$(1)) -o $$@

fuzz-$(1): $(FUZZ_DIR)/fuzz_$(1) | $(FUZZ_DIR)/crashes
	@tests/fuzz/seeds.sh $(FUZZ_DIR)/seeds $(1)
	@mkdir -p tests/data/regressions/$(1)
	@mkdir -p $(FUZZ_DIR)/corpus/$(1)
	@echo "fuzz: $(1) for $$(FUZZ_T_$(1)) s"
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	$(FUZZ_DIR)/fuzz_$(1) $(FUZZ_ARGS_$(1)) -max_total_time=$$(FUZZ_T_$(1)) \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/crashes/$(1)- \
		$(FUZZ_DIR)/corpus/$(1) $(FUZZ_DIR)/seeds/$(1) tests/data/regressions/$(1) \
		2>$(FUZZ_DIR)/$(1).log || { tail -40 $(FUZZ_DIR)/$(1).log; \
		echo "fuzz: $(1) FAILED: input in $(FUZZ_DIR)/crashes/ (keep it in" \
		"tests/data/regressions/$(1)/)"; exit 1; }
	@grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ *DONE)' \
		$(FUZZ_DIR)/$(1).log | sed 's/^/fuzz: $(1): /'
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rules,$(t))))

FUZZ_T_parser = $(FUZZ_TIME)
FUZZ_T_proc   = $(FUZZ_TIME_OTHER)
FUZZ_T_json   = $(FUZZ_TIME_OTHER)

fuzz-seeds:
	@tests/fuzz/seeds.sh $(FUZZ_DIR)/seeds
	@mkdir -p $(addprefix tests/data/regressions/,$(FUZZ_TARGETS))

fuzz-build: $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS))
fuzz-replay: $(addprefix $(FUZZ_DIR)/replay_,$(FUZZ_TARGETS)) fuzz-seeds

# The parser (the long one) beside proc then json: two cores busy, about
# FUZZ_TIME seconds in all by default.
fuzz: fuzz-build
	@$(MAKE) --no-print-directory fuzz-parser & p=$$!; \
	 $(MAKE) --no-print-directory fuzz-proc && \
	 $(MAKE) --no-print-directory fuzz-json; o=$$?; \
	 wait $$p; r=$$?; [ $$o -eq 0 ] && [ $$r -eq 0 ] && echo "fuzz: all targets passed"
