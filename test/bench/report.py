#!/usr/bin/env python3
"""report.py OUT_DIR RESULTS_MD RESULTS_DAT: turns the benchmark's raw
numbers into the markdown table (medians, min-max, ratios) and the data
file the chart is drawn from."""
import statistics
import sys
from collections import defaultdict

out, md_path, dat_path = sys.argv[1:4]
TARGETS = ["memcache", "pgmemcache", "plperl", "go"]
NAMES = {"memcache": "memcache (this)", "pgmemcache": "pgmemcache 2.3", "plperl": "PL/Perl (blog)",
         "go": "Go + gomemcache, no DB"}
OPS = [("set10", "set 10 B"), ("get10", "get hit 10 B"), ("miss10", "get miss"),
       ("set10k", "set 10 KB"), ("get10k", "get hit 10 KB"), ("getmulti100", "get_multi 100 keys (keys/s)"),
       ("setmulti1000", "set_multi 1000 keys (keys/s)")]

vals = defaultdict(list)
for line in open(f"{out}/raw"):
    f = line.split()
    if len(f) == 4:
        try:
            vals[(f[0], f[1], f[2])].append(float(f[3]))
        except ValueError:
            pass


def med(p, t, op):
    v = vals.get((p, t, op))
    return statistics.median(v) if v else None


def cell(p, t, op):
    v = vals.get((p, t, op))
    if not v:
        return "n/a"
    return f"{statistics.median(v):,.0f} ({min(v):,.0f}-{max(v):,.0f})"


lines = ["# Benchmark results", "",
         "Operations per second in one backend (median of the rounds, min-max in brackets), "
         "10 B values unless noted. `ratio` = this extension / pgmemcache.", ""]
for p, title in [("same", "Backend and memcached on the same vCPU"),
                 ("different", "Backend and memcached on different vCPUs")]:
    lines += [f"## {title}", "", "| operation | " + " | ".join(NAMES[t] for t in TARGETS) + " | ratio |",
              "|---|" + "---|" * (len(TARGETS) + 1)]
    for op, label in OPS:
        a, b = med(p, "memcache", op), med(p, "pgmemcache", op)
        ratio = f"{a / b:.2f}x" if a and b else "n/a"
        lines.append(f"| {label} | " + " | ".join(cell(p, t, op) for t in TARGETS) + f" | {ratio} |")
    single = med(p, "memcache", "set10")
    multi = med(p, "memcache", "setmulti1000")
    if single and multi:
        lines += ["", f"memcache_set_multi of 1000 keys: {multi / single:.1f}x the rate of 1000 single memcache_set calls."]
    lines.append("")

tps = defaultdict(list)
for line in open(f"{out}/tps"):
    f = line.split()
    if len(f) == 2:
        tps[f[0]].append(float(f[1]))
lines += ["## The blog's sessions workload (pgbench, 8 clients, INSERT + UPDATE per transaction)", "",
          "| variant | TPS (median, min-max) |", "|---|---|"]
for v, label in [("nocache", "no cache"), ("memcache_rules", "rules calling this extension's memcache_set"),
                 ("pgmemcache_rules", "rules calling pgmemcache's memcache_set"),
                 ("memcache_sync", "memcache_sync trigger (transactional)")]:
    t = tps.get(v)
    lines.append(f"| {label} | " + (f"{statistics.median(t):,.0f} ({min(t):,.0f}-{max(t):,.0f})" if t else "n/a") + " |")
lines.append("")
lines += ["## Calls spread out in time (pgbench, 8 clients: a 3000-row count, then one memcache_set)", "",
          "| variant | TPS (median, min-max) |", "|---|---|"]
for v, label in [("sparse_none", "no cache call"), ("sparse_memcache", "this extension's memcache_set"),
                 ("sparse_pgmemcache", "pgmemcache's memcache_set")]:
    t = tps.get(v)
    lines.append(f"| {label} | " + (f"{statistics.median(t):,.0f} ({min(t):,.0f}-{max(t):,.0f})" if t else "n/a") + " |")
a, b = tps.get("sparse_memcache"), tps.get("sparse_pgmemcache")
if a and b:
    lines += ["", f"Ratio this extension / pgmemcache: {statistics.median(a) / statistics.median(b):.2f}x."]
lines.append("")

mem = {}
for line in open(f"{out}/mem"):
    f = line.split()
    if len(f) == 5:
        mem[(f[0], f[1])] = (int(f[2]), int(f[3]), int(f[4]))
lines += ["## One backend's memory and threads", "",
          "Private dirty memory is what the backend alone owns; private clean pages are file-backed "
          "(the libraries' code and read-only data), shared with every other backend that maps them.", "",
          "| implementation | added by the first call | added after 100k calls |", "|---|---|---|"]
for t in ["memcache", "pgmemcache", "plperl"]:
    b, f1, f2 = mem.get((t, "before")), mem.get((t, "first")), mem.get((t, "100k"))
    if b and f1 and f2:
        lines.append(f"| {NAMES[t]} | {f1[0] - b[0]:,} kB dirty + {f1[1] - b[1]:,} kB clean, {f1[2] - b[2]} threads | "
                     f"{f2[0] - b[0]:,} kB dirty + {f2[1] - b[1]:,} kB clean, {f2[2] - b[2]} threads |")
open(md_path, "w").write("\n".join(lines) + "\n")

with open(dat_path, "w") as d:
    d.write("# operation " + " ".join(TARGETS) + "\n")
    for op, label in OPS[:6]:
        row = [med("same", t, op) or 0 for t in TARGETS]
        d.write(f'"{label}" ' + " ".join(f"{v:.0f}" for v in row) + "\n")
