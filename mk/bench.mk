# SPDX-License-Identifier: Apache-2.0
# `make bench`: cgtrack side by side with an empty program (the floor) and a
# bpftrace one-liner; prints one markdown table and writes the numbers to
# $(OUTPUT)/bench/results.json (raw: raw.jsonl). `make bench QUICK=1` (or
# `make bench-quick`, results in $(OUTPUT)/bench/quick/) is the short run CI
# can afford: it reports, it does not judge timings, and fails only if a
# driver breaks. Needs root. scripts/bench/run.sh says what is measured.

BENCH_BIN := $(OUTPUT)/bench/bin
BENCH_PROGS := $(BENCH_BIN)/cgbench $(BENCH_BIN)/floorload \
	       $(BENCH_BIN)/floor.bpf.o $(BENCH_BIN)/sweeptime $(BENCH_BIN)/firstexec \
	       $(BENCH_BIN)/consumer
BENCH_LIBBPF := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)

.PHONY: bench bench-quick bench-progs

$(BENCH_BIN):
	mkdir -p $@

$(BENCH_BIN)/cgbench: scripts/bench/cgbench.c | $(BENCH_BIN)
	$(CC) $(CFLAGS) $< $(BENCH_LIBBPF) -lpthread -o $@

$(BENCH_BIN)/floorload: scripts/bench/floorload.c | $(BENCH_BIN)
	$(CC) $(CFLAGS) $< $(BENCH_LIBBPF) -o $@

$(BENCH_BIN)/floor.bpf.o: scripts/bench/floor.bpf.c $(OUTPUT)/vmlinux.h | $(BENCH_BIN)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# the loader's own sweep, timed alone (linked like the C tests)
$(BENCH_BIN)/sweeptime: scripts/bench/sweeptime.c $(LIB_OBJS) | $(BENCH_BIN)
	$(CC) $(CFLAGS) -Iloader $< $(LIB_OBJS) $(LDLIBS) -o $@

# the names-at-first-exec consumer (scripts/bench/names.sh): built like
# examples/execcount, against include/cgtrack/ only
$(BENCH_BIN)/firstexec.bpf.o: scripts/bench/firstexec.bpf.c $(wildcard include/cgtrack/*.h) $(OUTPUT)/vmlinux.h | $(BENCH_BIN)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_BIN)/firstexec.skel.h: $(BENCH_BIN)/firstexec.bpf.o
	$(BPFTOOL) gen skeleton $< name firstexec > $@.tmp
	mv $@.tmp $@

$(BENCH_BIN)/firstexec: scripts/bench/firstexec.c $(BENCH_BIN)/firstexec.skel.h $(wildcard include/cgtrack/*.h)
	$(CC) $(CFLAGS) -I$(BENCH_BIN) $< $(LDLIBS) -o $@

# the consumer kit's lookup on sys_enter (scripts/bench/run.sh, section consumer)
$(BENCH_BIN)/consumer.bpf.o: scripts/bench/consumer.bpf.c $(wildcard include/cgtrack/*.h) $(OUTPUT)/vmlinux.h | $(BENCH_BIN)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_BIN)/consumer.skel.h: $(BENCH_BIN)/consumer.bpf.o
	$(BPFTOOL) gen skeleton $< name consumer > $@.tmp
	mv $@.tmp $@

$(BENCH_BIN)/consumer: scripts/bench/consumer.c $(BENCH_BIN)/consumer.skel.h $(wildcard include/cgtrack/*.h)
	$(CC) $(CFLAGS) -I$(BENCH_BIN) $< $(BENCH_LIBBPF) -o $@

bench-progs: all $(BENCH_PROGS)

bench: setup
	$(MAKE) bench-progs
	OUTPUT=$(OUTPUT) scripts/bench/run.sh $(if $(filter-out 0,$(QUICK)),--quick)

bench-quick:
	$(MAKE) bench QUICK=1
