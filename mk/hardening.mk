# SPDX-License-Identifier: Apache-2.0
# Hardening: the loader built with AddressSanitizer and UBSan, static
# analysis, and the tools they need.
#
#   make asan             build-asan/cgtrack and its test programs, built by
#                         clang with -fsanitize=address,undefined
#   make lint             scripts/lint.sh: clang-tidy and cppcheck, every C file
#   make hardening-setup  install what the targets above, `make fuzz`,
#                         tests/test_sanitizers.sh and tests/test_valgrind.sh use
#
# The tests that use them run in `make test`: test_fuzz_regressions.sh,
# test_sanitizers.sh, test_valgrind.sh, test_lint.sh, test_faults.sh.

ASAN_OUTPUT  ?= build-asan
ASAN_CC      ?= clang
ASAN_CFLAGS  ?= -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer
HARDENING_PKGS := clang clang-tidy cppcheck valgrind libclang-rt-14-dev jq

.PHONY: asan lint hardening-setup

# CFLAGS through the environment: the Makefile's `CFLAGS +=` still applies.
asan:
	@CFLAGS="$(ASAN_CFLAGS)" $(MAKE) --no-print-directory OUTPUT=$(ASAN_OUTPUT) \
		CC=$(ASAN_CC) $(ASAN_OUTPUT)/cgtrack test-progs

lint: all
	scripts/lint.sh

hardening-setup:
	@missing=""; for p in $(HARDENING_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || \
			missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "hardening-setup: installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq $$missing >/dev/null; \
	fi
