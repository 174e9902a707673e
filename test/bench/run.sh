#!/bin/bash
# run.sh: the benchmark (README: "Benchmark"). On a fresh Debian 12 machine
# (as root) it installs this extension, pgmemcache, PL/Perl with
# Cache::Memcached and gnuplot, starts a throwaway PostgreSQL and memcached,
# and measures side by side, interleaved, repeated:
#   - single-key set / get hit / get miss at 10 B and 10 KB, get_multi of
#     100 keys, in one backend, for this extension, pgmemcache, the blog's
#     PL/Perl functions, and a Go program using gomemcache directly (the
#     floor without a database); with the backend (all its threads) and
#     memcached on the same vCPU, and on different vCPUs;
#   - memcache_set_multi of 1000 keys against 1000 single memcache_set;
#   - pgbench on the blog's sessions table, 8 clients: no cache, the rules
#     with this extension, the rules with pgmemcache, memcache_sync;
#   - pgbench, 8 clients, one memcache_set between other statements (calls
#     spread out in time, as from a web application);
#   - private memory and threads of a backend after the first call and after
#     100k calls.
# It writes test/bench/results.md and test/bench/results.png.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../lib.sh"
ROUNDS=${BENCH_ROUNDS:-5}
N=${BENCH_N:-20000}
PGBENCH_T=${BENCH_PGBENCH_T:-10}

mc_need_root
mc_install_deps
extra=()
for p in postgresql-15-pgmemcache postgresql-plperl-15 libcache-memcached-perl gnuplot-nox util-linux python3; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || extra+=("$p")
done
if [ ${#extra[@]} -gt 0 ]; then
	log "installing ${extra[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${extra[@]}" >/dev/null
fi
mc_setup
port=${MC_PORTS[0]}
server=127.0.0.1:$port
out=$MC_WORK/bench
mkdir -p "$out"
(cd "$MC_ROOT" && go build -buildvcs=false -o "$out/gomc" ./test/bench/gomc)

q() { psql -X -At -v ON_ERROR_STOP=1 "$@"; }
log "setting up one database per implementation"
for t in memcache pgmemcache plperl; do
	q -c "CREATE DATABASE bench_$t" >/dev/null
done
q -d bench_memcache -c "CREATE EXTENSION memcache" -c "ALTER DATABASE bench_memcache SET memcache.servers = '$server'" >/dev/null
q -d bench_memcache -f "$here/setmulti.sql" >/dev/null
q -d bench_pgmemcache -c "CREATE EXTENSION pgmemcache" -c "ALTER DATABASE bench_pgmemcache SET pgmemcache.default_servers = '$server'" >/dev/null
q -d bench_plperl -c "CREATE EXTENSION plperlu" >/dev/null
sed "s/__SERVER__/$server/" "$here/plperl.sql" | q -d bench_plperl >/dev/null
for t in memcache pgmemcache plperl; do q -d bench_$t -f "$here/functions.sql" >/dev/null; done

# pin PID CPU: all threads of a process to one CPU
pin() { local t; for t in /proc/$1/task/*; do taskset -pc "$2" "$(basename "$t")" >/dev/null 2>&1; done; }
mcpid=$(mc_memcached_pid "$port")

# measure TARGET PLACEMENT: one session, every operation; prints "op value" lines
measure() {
	local target=$1 cpu_mc=0 cpu_db=0 n=$N multi="" setmulti=""
	[ "$2" = different ] && cpu_db=1
	[ "$target" = plperl ] && n=$((N / 4))
	[ "$target" != plperl ] && multi="SELECT 'getmulti100', round(bench_getmulti($((n / 50))));"
	[ "$target" = memcache ] && setmulti="SELECT 'setmulti1000', round(bench_setmulti($((n / 1000)), repeat('x', 10)));"
	pin "$mcpid" $cpu_mc
	if [ "$target" = go ]; then
		for op in set get miss; do
			echo "${op}10 $(taskset -c $cpu_db "$out/gomc" -addr "$server" -op $op -n "$n" -size 10)"
		done
		echo "set10k $(taskset -c $cpu_db "$out/gomc" -addr "$server" -op set -n "$n" -size 10240)"
		echo "get10k $(taskset -c $cpu_db "$out/gomc" -addr "$server" -op get -n "$n" -size 10240)"
		echo "getmulti100 $(taskset -c $cpu_db "$out/gomc" -addr "$server" -op getmulti -n $((n / 50)) -size 10)"
		return
	fi
	q -d bench_$target <<SQL | tr '|' ' '
SELECT bench_set(200, repeat('x', 10)) \g /dev/null
SELECT pg_backend_pid() AS pid \gset
\setenv BPID :pid
\! bash -c 'for t in /proc/\$BPID/task/*; do taskset -pc $cpu_db \$(basename \$t) >/dev/null; done'
SELECT 'set10', round(bench_set($n, repeat('x', 10)));
SELECT 'get10', round(bench_get($n));
SELECT 'miss10', round(bench_miss($n));
SELECT 'set10k', round(bench_set($n, repeat('x', 10240)));
SELECT 'get10k', round(bench_get($n));
SELECT bench_set(1000, repeat('x', 10)) \g /dev/null
$multi
$setmulti
SQL
}

log "single-key operations: $ROUNDS rounds, targets interleaved"
: >"$out/raw"
for r in $(seq "$ROUNDS"); do
	for placement in same different; do
		for target in memcache pgmemcache plperl go; do
			measure $target $placement | sed "s/^/$placement $target /" >>"$out/raw"
		done
	done
	log "round $r done"
done
pin "$mcpid" 0-1

log "pgbench: the sessions workload, 8 clients, ${PGBENCH_T} s per run"
setup_sessions() { # DB VARIANT
	q -d "$1" <<SQL >/dev/null
DROP TABLE IF EXISTS sessions;
CREATE TABLE sessions (session_id char(32) PRIMARY KEY, data bytea NOT NULL);
INSERT INTO sessions SELECT md5(i::text), '\x00' FROM generate_series(1, 1000) i;
SQL
	case $2 in
	rules)
		q -d "$1" -c "CREATE RULE si AS ON INSERT TO sessions DO ALSO SELECT memcache_set(NEW.session_id::text, NEW.data)" \
			-c "CREATE RULE su AS ON UPDATE TO sessions DO ALSO SELECT memcache_set(NEW.session_id::text, NEW.data)" >/dev/null ;;
	sync)
		q -d "$1" -c "CREATE TRIGGER sc AFTER INSERT OR UPDATE OR DELETE ON sessions FOR EACH ROW EXECUTE FUNCTION memcache_sync('session_id', 'data')" >/dev/null ;;
	esac
}
cat >"$out/sessions.pgbench" <<'PGB'
\set id random(1, 1000)
INSERT INTO sessions VALUES (md5(random()::text || clock_timestamp()::text), convert_to(:client_id::text, 'UTF8'));
UPDATE sessions SET data = convert_to(clock_timestamp()::text, 'UTF8') WHERE session_id = md5(:id::text);
PGB
q -c "CREATE DATABASE bench_nocache" >/dev/null
q -d bench_pgmemcache -c "SELECT 1" >/dev/null
: >"$out/tps"
for r in $(seq 3); do
	for v in nocache:bench_nocache:none memcache_rules:bench_memcache:rules pgmemcache_rules:bench_pgmemcache:rules memcache_sync:bench_memcache:sync; do
		IFS=: read -r name db kind <<<"$v"
		setup_sessions "$db" "$kind"
		tps=$(pgbench -n -c 8 -j 2 -T "$PGBENCH_T" -f "$out/sessions.pgbench" "$db" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
		echo "$name ${tps:-0}" >>"$out/tps"
	done
	log "pgbench round $r done"
done

log "pgbench: one memcache_set between other work, 8 clients, ${PGBENCH_T} s per run"
# A web-like pattern: each backend calls the cache now and then, with other
# statements in between (not back to back, as in the loops above).
for t in none memcache pgmemcache; do
	{
		echo '\set id random(1, 1000)'
		echo 'SELECT count(*) FROM generate_series(1, 3000);'
		if [ $t = none ]; then echo "SELECT length('sparse' || :id);"; else echo "SELECT memcache_set('sparse' || :id, 'value');"; fi
	} >"$out/sparse_$t.pgbench"
done
for r in $(seq 3); do
	for v in none:bench_nocache memcache:bench_memcache pgmemcache:bench_pgmemcache; do
		IFS=: read -r name db <<<"$v"
		tps=$(pgbench -n -c 8 -j 2 -T "$PGBENCH_T" -f "$out/sparse_$name.pgbench" "$db" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
		echo "sparse_$name ${tps:-0}" >>"$out/tps"
	done
	log "sparse pgbench round $r done"
done

log "memory and threads of one backend"
sync  # a just-installed library's pages are dirty in the page cache until written back
cat >"$out/usage.sh" <<'SH'
echo "$1 $2 $(awk '/^Private_Dirty:/ {d += $2} /^Private_Clean:/ {c += $2} END {print d, c}' /proc/$3/smaps_rollup) $(awk '/^Threads:/ {print $2}' /proc/$3/status)"
SH
: >"$out/mem"
for target in memcache pgmemcache plperl; do
	q -d bench_$target <<SQL >>"$out/mem"
SELECT pg_backend_pid() AS pid \gset
\setenv BPID :pid
\! sh $out/usage.sh $target before \$BPID
SELECT bench_set(1, 'x') \g /dev/null
\! sh $out/usage.sh $target first \$BPID
SELECT bench_get(100000) \g /dev/null
\! sh $out/usage.sh $target 100k \$BPID
SQL
done

log "writing results"
MC_WORK_BENCH=$out python3 "$here/report.py" "$out" "$here/results.md" "$here/results.dat"
(cd "$here" && gnuplot chart.gp) || log "gnuplot failed: no chart"
cat "$here/results.md"
