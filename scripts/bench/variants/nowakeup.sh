#!/bin/sh
# ring buffer records without waking the consumer
sed -i 's/bpf_ringbuf_submit(ev, 0);/bpf_ringbuf_submit(ev, BPF_RB_NO_WAKEUP);/' bpf/cgtrack.bpf.c
grep -q BPF_RB_NO_WAKEUP bpf/cgtrack.bpf.c
