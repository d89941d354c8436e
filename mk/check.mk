# SPDX-License-Identifier: Apache-2.0
# `make check`: the fast loop, without root, in seconds: the parser table,
# the runtimes' answer parsers, options and durations, the JSON writer and
# the terminal escaping (C unit tests), the CLI's argument errors, and the
# fuzzers' regressions. `make test` stays the full root suite CI runs.
CHECK_TESTS := test_parser test_runtime_parse test_options test_runtimes test_pinset test_btf_enum \
	       test_cli_args.sh \
	       test_fuzz_regressions.sh

.PHONY: check
check: all
	@TESTS="$(CHECK_TESTS)" tests/run.sh
