#!/usr/bin/env python3
"""report.py OUT_DIR RESULTS_MD RESULTS_DAT: turns the benchmark's raw
numbers into the markdown table (medians, min-max, ratios) and the data
file the chart is drawn from."""
import statistics
import sys
from collections import defaultdict

out, md_path, dat_path = sys.argv[1:4]
TARGETS = ["memcache", "pgmemcache", "plperl", "go", "c"]
NAMES = {"memcache": "memcache (this)", "pgmemcache": "pgmemcache 2.3", "plperl": "PL/Perl (blog)",
         "go": "Go + gomemcache, no DB", "c": "C loop on a socket, no DB (floor)"}
OPS = [("set10", "set 10 B"), ("get10", "get hit 10 B"), ("miss10", "get miss"),
       ("set10k", "set 10 KB"), ("get10k", "get hit 10 KB"), ("getmulti100", "get_multi 100 keys (keys/s)"),
       ("getmulti1000", "get_multi 1000 keys (keys/s)"), ("getmulti100x10k", "get_multi 100 keys of 10 KB (keys/s)"),
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


def paired(a, b):
    """a / b, two lists of per-round results, as the median of the rounds'
    ratios: each round measures the two one after the other, so a drift of
    the VM between rounds (seen up to 25% on different vCPUs) cancels out
    instead of landing on one side."""
    if not a or not b:
        return "n/a"
    if len(a) != len(b):
        return f"{statistics.median(a) / statistics.median(b):.2f}x"
    return f"{statistics.median(x / y for x, y in zip(a, b)):.2f}x"


def pratio(p, ta, tb, op):
    return paired(vals.get((p, ta, op)), vals.get((p, tb, op)))


def cell(p, t, op):
    v = vals.get((p, t, op))
    if not v:
        return "n/a"
    return f"{statistics.median(v):,.0f} ({min(v):,.0f}-{max(v):,.0f})"


lines = ["# Benchmark results", "",
         "Operations per second in one backend (median of the rounds, min-max in brackets), "
         "10 B values unless noted. `ratio` = this extension / pgmemcache, the median of the rounds' "
         "ratios (each round runs the targets one after the other).", ""]
for p, title in [("same", "Backend and memcached on the same vCPU"),
                 ("different", "Backend and memcached on different vCPUs")]:
    lines += [f"## {title}", "", "| operation | " + " | ".join(NAMES[t] for t in TARGETS) + " | ratio |",
              "|---|" + "---|" * (len(TARGETS) + 1)]
    for op, label in OPS:
        ratio = pratio(p, "memcache", "pgmemcache", op)
        lines.append(f"| {label} | " + " | ".join(cell(p, t, op) for t in TARGETS) + f" | {ratio} |")
    single = med(p, "memcache", "set10")
    multi = med(p, "memcache", "setmulti1000")
    if single and multi:
        lines += ["", f"memcache_set_multi of 1000 keys: {multi / single:.1f}x the rate of 1000 single memcache_set calls."]
    lines.append("")

lines += ["## TLS against plain, single calls", "",
          "The same rounds, a memcached started with TLS (`-Z`): this extension in one backend "
          "(`memcache.tls = on`) and the C loop with OpenSSL (TLS 1.3, AES-128-GCM, as Go picks), the "
          "floor of any TLS client. The handshake is once per connection, before the timed loop. "
          "Each round runs this extension over TLS just before it runs it plain, and the C loop over TLS "
          "just after the C loop plain; a ratio is the median of the rounds' ratios. "
          "memcached's CPU per call is measured over the C loop's whole runs (`/proc/PID/task/*/schedstat`), "
          "their connection, handshake and 1,000 untimed sets included, divided by the timed calls: a few "
          "percent high; on different vCPUs it includes the wake-ups.", "",
          "memcached's cap is what its added CPU per call leaves of this extension's plain call "
          "(the client waits for it): plain time / (plain time + memcached's TLS - plain CPU per call).", "",
          "| operation | placement | this extension: plain | TLS | TLS / plain | C loop: TLS / plain "
          "| memcached's CPU per call, plain / TLS (us) | memcached's cap |", "|---|---|---|---|---|---|---|---|"]
for op, label in OPS[:5]:
    for p, where in [("same", "same vCPU"), ("different", "different vCPUs")]:
        r, cr = pratio(p, "tls", "memcache", op), pratio(p, "ctls", "c", op)
        ma, mb = med(p, "c", op + "_mcns"), med(p, "ctls", op + "_mcns")
        mc = f"{ma / 1000:.1f} / {mb / 1000:.1f}" if ma and mb else "n/a"
        plain = med(p, "memcache", op)
        cap = f"{1e9 / plain / (1e9 / plain + mb - ma):.2f}x" if plain and ma and mb else "n/a"
        lines.append(f"| {label} | {where} | {cell(p, 'memcache', op)} | {cell(p, 'tls', op)} | {r} | {cr} | {mc} | {cap} |")
lines.append("")

tps = defaultdict(list)   # name -> [steady tps (the run's second half), ...]
run_tps = defaultdict(list)  # name -> [tps over the whole run, ...]
per_tx = defaultdict(list)  # name -> [(cs_own, cs_other, cpu_us), ...]
for line in open(f"{out}/tps"):
    f = line.split()
    if len(f) >= 2:
        tps[f[0]].append(float(f[1]))
    if len(f) >= 5:
        per_tx[f[0]].append(tuple(float(x) for x in f[2:5]))
    if len(f) >= 6:
        run_tps[f[0]].append(float(f[5]))


def tps_cell(v):
    t = tps.get(v)
    return f"{statistics.median(t):,.0f} ({min(t):,.0f}-{max(t):,.0f})" if t else "n/a"


def cs_cell(v):
    """Context switches per transaction, the backends' own threads + their
    other threads, and CPU time per transaction (medians of the runs)."""
    p = per_tx.get(v)
    if not p:
        return "n/a"
    own, other, cpu = (statistics.median(x[i] for x in p) for i in range(3))
    return f"{own:.2f} + {other:.2f} | {cpu:,.0f} us"


def ratio(a, b, rates=tps):
    return paired(rates.get(a), rates.get(b))


def run_cell(v):
    t = run_tps.get(v)
    return f"{statistics.median(t):,.0f}" if t else "n/a"


TPS_NOTE = ("TPS is the steady rate: transactions per second over the second half of each run "
            "(pgbench -P 1), when every backend has run its first transaction, the one that loads the module "
            "(for this extension also starting its Go runtime); with 180 clients the runs last longer "
            "(`BENCH_PGBENCH_T_MANY`) and the whole run's rate, first transactions included, is shown too. "
            "A ratio is the median of the rounds' ratios (each round runs every variant once, in turn).")
CS_NOTE = ("`switches` are context switches per transaction of the backends' own threads + of their other "
           "threads (the Go runtime's; pgmemcache's backends have none), `CPU` the CPU time per transaction "
           "of all the backends' threads, both counted from /proc while all clients run.")
lines += ["## The blog's sessions workload (pgbench, 8 clients, INSERT + UPDATE per transaction)", "",
          "| variant | TPS (median, min-max) | switches | CPU |", "|---|---|---|---|"]
for v, label in [("nocache", "no cache"), ("memcache_rules", "rules calling this extension's memcache_set"),
                 ("pgmemcache_rules", "rules calling pgmemcache's memcache_set"),
                 ("memcache_sync", "memcache_sync trigger (transactional)")]:
    lines.append(f"| {label} | {tps_cell(v)} | {cs_cell(v)} |")
lines += ["", f"Ratio this extension's rules / pgmemcache's: {ratio('memcache_rules', 'pgmemcache_rules')}; "
          f"memcache_sync / pgmemcache's rules: {ratio('memcache_sync', 'pgmemcache_rules')}.", ""]
lines += ["## Calls spread out in time (pgbench, 8 clients: a 3000-row count, then one memcache_set)", "",
          "| variant | TPS (median, min-max) | switches | CPU |", "|---|---|---|---|"]
for v, label in [("sparse_none", "no cache call"), ("sparse_memcache", "this extension's memcache_set"),
                 ("sparse_pgmemcache", "pgmemcache's memcache_set")]:
    lines.append(f"| {label} | {tps_cell(v)} | {cs_cell(v)} |")
lines += ["", f"Ratio this extension / pgmemcache: {ratio('sparse_memcache', 'sparse_pgmemcache')}.", ""]
lines += ["## One memcache_get per transaction (pgbench, 8 clients)", "",
          "| variant | TPS (median, min-max) | switches | CPU |", "|---|---|---|---|"]
for v, label in [("gets_memcache", "this extension"), ("gets_pgmemcache", "pgmemcache")]:
    lines.append(f"| {label} | {tps_cell(v)} | {cs_cell(v)} |")
lines += ["", f"Ratio this extension / pgmemcache: {ratio('gets_memcache', 'gets_pgmemcache')}.", ""]
lines += ["## A set and two gets per transaction over three servers (pgbench)", "",
          "| clients | no cache call | this extension | pgmemcache | ratio | whole run: this / pgmemcache (ratio) | "
          "switches, this | switches, pgmemcache | CPU, this | CPU, pgmemcache |",
          "|---|---|---|---|---|---|---|---|---|---|"]
for c in (8, 32, 180):
    m, g = cs_cell(f"set2get{c}_memcache").split(" | "), cs_cell(f"set2get{c}_pgmemcache").split(" | ")
    m, g = (m + ["n/a"])[:2], (g + ["n/a"])[:2]
    mv, gv = f"set2get{c}_memcache", f"set2get{c}_pgmemcache"
    lines.append(f"| {c} | {tps_cell(f'set2get{c}_none')} | {tps_cell(mv)} | "
                 f"{tps_cell(gv)} | {ratio(mv, gv)} | {run_cell(mv)} / {run_cell(gv)} ({ratio(mv, gv, run_tps)}) | "
                 f"{m[0]} | {g[0]} | {m[1]} | {g[1]} |")
lines += ["", "Both place every key on the same server: this extension with `memcache.key_distribution = "
          "'libmemcached'`, pgmemcache's placement (libmemcached's default). With its own default placement "
          "(`cache_memcached`), a transaction's three keys touch 2.1 servers on average against 1.6, and "
          "memcached spends more per transaction:", "",
          "| clients | this extension, default placement | ratio to pgmemcache | whole run (ratio) |",
          "|---|---|---|---|"]
for c in (8, 32, 180):
    v, g = f"set2get{c}_memcachedefault", f"set2get{c}_pgmemcache"
    lines.append(f"| {c} | {tps_cell(v)} | {ratio(v, g)} | {run_cell(v)} ({ratio(v, g, run_tps)}) |")
lines += ["", "### The floor at 180 clients", "",
          "pgmemcache's backends running the same workload while also calling this extension's Go runtime "
          "three times per transaction (`memcache_server_for_key` of the three keys: into Go and back, nothing "
          "sent), or carrying, from their first transaction on, what a Go runtime brings: the runtime itself, "
          "started (one `memcache_server_for_key`) and then idle; or, without Go, 4 threads that only sleep (the runtime keeps "
          "4), a page written in 8 more 2 MB regions of memory (the runtime touches 8 that a backend "
          "without it does not), or 1,300 more pages written (about what the runtime and its object map: "
          "`backend_floor.c`).", "",
          "| pgmemcache's backends | TPS (median, min-max) | ratio to pgmemcache | whole run (ratio) | switches | CPU |",
          "|---|---|---|---|---|---|"]
for v, label in [("set2get180_pgmemcache", "as they are"),
                 ("set2get180_floor_goempty", "calling into this extension's Go runtime 3 times per transaction"),
                 ("set2get180_floor_goidle", "with this extension's Go runtime, idle"),
                 ("set2get180_floor_threads", "with 4 idle threads"),
                 ("set2get180_floor_regions", "with 8 more 2 MB regions touched"),
                 ("set2get180_floor_pages", "with 1,300 more pages touched"),
                 ("set2get180_memcache", "(this extension's backends)")]:
    lines.append(f"| {label} | {tps_cell(v)} | {ratio(v, 'set2get180_pgmemcache')} | "
                 f"{run_cell(v)} ({ratio(v, 'set2get180_pgmemcache', run_tps)}) | {cs_cell(v)} |")
lines += ["", TPS_NOTE, "", CS_NOTE, ""]

first = defaultdict(list)
try:
    for line in open(f"{out}/first"):
        f = line.split()
        if len(f) == 2 and float(f[1]) > 0:
            first[f[0]].append(float(f[1]))
except FileNotFoundError:
    pass
if first:
    lines += ["## The first call in a fresh backend", "",
              "psql's timing of `SELECT memcache_set(...), memcache_get(...)`, the first statement that uses "
              "the cache in a new session: loading the module (for this extension also its Go object and "
              "runtime), connecting, one set and one get.", "",
              "| implementation | ms (median, min-max) |", "|---|---|"]
    for t in ["memcache", "pgmemcache", "plperl"]:
        v = first.get(t)
        if v:
            lines.append(f"| {NAMES[t]} | {statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f}) |")
    a, b = first.get("memcache"), first.get("pgmemcache")
    if a and b:
        lines += ["", f"Ratio this extension / pgmemcache: {statistics.median(a) / statistics.median(b):.2f}x."]
    lines.append("")

load = {}
try:
    for line in open(f"{out}/loadtime.txt"):
        f = line.split()
        if len(f) == 3:
            load[(f[0], f[1])] = float(f[2])
        elif len(f) == 2:
            load[("", f[0])] = float(f[1])
except FileNotFoundError:
    pass
if load:
    runs = load.get(("gofloor", "runs"))
    runs = f"{runs:.0f}" if runs else "several"
    lines += ["### The floor of a first call that starts Go", "",
              f"Outside the database, in {runs} fresh processes each (`loadtime.c`, medians): "
              "`dlopen` of the object, then its first call, which waits for the Go runtime to finish starting; "
              "page faults of both. A bare Go runtime (`gofloor/`: no package of its own, one empty export; the "
              "same Go toolchain, built and linked into a shared object as `memcache_go.so` is, but with the "
              "stock runtime and without its thread wrappers) is what any extension that runs Go in a backend "
              "pays at least.", "",
              "| object | dlopen (ms) | first call (ms) | together (ms) | page faults |", "|---|---|---|---|---|"]
    for key, label in [("gofloor", "bare Go runtime, empty export"), ("memcache_go", "this extension's `memcache_go.so`, `mcgo_init`")]:
        o, c, pf = (load.get((key, k)) for k in ("dlopen_ms", "firstcall_ms", "faults"))
        if o is not None and c is not None:
            lines.append(f"| {label} | {o:.2f} | {c:.2f} | {o + c:.2f} | {pf:.0f} |")
    cu, fu = load.get(("", "cpuid_us")), load.get(("", "fault_us"))
    if cu and fu:
        lines += ["", f"On this machine one `CPUID` instruction (a VM exit) takes {cu:.1f} us and one page fault "
                  f"{fu:.1f} us."]
    g = [load.get(("gofloor", k)) for k in ("dlopen_ms", "firstcall_ms")]
    if first.get("pgmemcache") and None not in g:
        pg = statistics.median(first["pgmemcache"])
        lines += ["", f"pgmemcache's whole first call ({pg:.2f} ms) plus a bare Go runtime ({sum(g):.2f} ms) is "
                  f"{(pg + sum(g)) / pg:.2f}x pgmemcache: about the least a first call that also starts Go can cost."]
    lines.append("")

mem = {}
for line in open(f"{out}/mem"):
    f = line.split()
    if len(f) >= 5:
        mem[(f[0], f[1])] = tuple(int(x) for x in f[2:])
lines += ["## One backend's memory, address space and threads", "",
          "Counted from after the session loaded the module and compiled the benchmark's PL/pgSQL function "
          "(what every implementation pays alike) to its first call, and to after 100k calls. "
          "Private dirty memory is what the backend alone owns; private clean pages are file-backed "
          "(the libraries' code and read-only data), shared with every other backend that maps them. "
          "Virtual size is what `ulimit -v` limits; commit charge is what Linux counts against the commit "
          "limit under `vm.overcommit_memory = 2` (the mappings marked `ac` in smaps).", "",
          "| implementation | added by the first call | added after 100k calls | virtual size added | "
          "commit charge added | threads added | context switches of its other threads, 10 s idle |",
          "|---|---|---|---|---|---|---|"]
for t in ["memcache", "pgmemcache", "plperl"]:
    b, f1, f2, idle = (mem.get((t, k)) for k in ("before", "first", "100k", "idle10s"))
    if b and f1 and f2:
        row = (f"| {NAMES[t]} | {f1[0] - b[0]:,} kB dirty + {f1[1] - b[1]:,} kB clean | "
               f"{f2[0] - b[0]:,} kB dirty + {f2[1] - b[1]:,} kB clean | ")
        if len(b) >= 6:
            row += (f"{(f2[3] - b[3]) / 1024:,.1f} MB | {(f2[4] - b[4]) / 1024:,.1f} MB | {f2[2] - b[2]} | "
                    + (f"{idle[5] - f2[5]}" if idle and len(idle) >= 6 else "n/a") + " |")
        else:
            row += f"n/a | n/a | {f2[2] - b[2]} | n/a |"
        lines.append(row)
open(md_path, "w").write("\n".join(lines) + "\n")

with open(dat_path, "w") as d:
    d.write("# operation " + " ".join(TARGETS) + "\n")
    for op, label in OPS[:6]:
        row = [med("same", t, op) or 0 for t in TARGETS]
        d.write(f'"{label}" ' + " ".join(f"{v:.0f}" for v in row) + "\n")
