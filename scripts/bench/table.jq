# SPDX-License-Identifier: Apache-2.0
# results.json -> the markdown table (and a line on the run).
# usage: jq -r -f table.jq results.json
def esc: gsub("\\|"; "\\|");
"| Measure | cgtrack | Baseline (same run) | Ratio | Target | Result |",
"|---|---:|---:|---:|---|---|",
(.rows[] | "| \(.measure | esc) | \(.cgtrack) | \(.baseline) | \(.ratio) | \(.target) | \(.result) |"),
"",
(.meta | "\(if .quick then "QUICK run" else "Full run" end) of \(.date), \(.seconds) s: kernel \(.kernel), \(.ncpu) × \(.cpu); cgtrack \(.commit); \(if .bpftrace != "" then .bpftrace else "no bpftrace" end). Per-event costs: bpf_stats run_time_ns / run_cnt, median of rounds. Load average at start/end: \(.loadavg_start) / \(.loadavg_end). Other BPF programs on cgroup_mkdir at the end (not ours; in every column alike): \(.other_mkdir_programs_attached).")
