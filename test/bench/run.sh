#!/bin/bash
# run.sh: the benchmark (README: "Benchmark"). On a fresh Debian 12 machine
# (as root) it installs this extension, pgmemcache, PL/Perl with
# Cache::Memcached and gnuplot, starts a throwaway PostgreSQL and memcached,
# and measures side by side, interleaved, repeated:
#   - single-key set / get hit / get miss at 10 B and 10 KB, get_multi of
#     100 keys (and, for this extension and pgmemcache, of 1000 keys and of
#     100 keys of 10 KB), in one backend, for this extension, pgmemcache, the blog's
#     PL/Perl functions, and a Go program using gomemcache directly (the
#     floor without a database), and a C loop on a plain socket (cfloor.c:
#     the floor of any client on this machine); with the backend (all its threads) and
#     memcached on the same vCPU, and on different vCPUs;
#   - single calls of this extension over TLS (memcached -Z) against plain,
#     and the C loop's (OpenSSL) as the floor, with memcached's CPU per call;
#   - memcache_set_multi of 1000 keys against 1000 single memcache_set;
#   - pgbench on the blog's sessions table, 8 clients: no cache, the rules
#     with this extension, the rules with pgmemcache, memcache_sync;
#   - pgbench, 8 clients, one memcache_set between other statements (calls
#     spread out in time, as from a web application);
#   - pgbench, 8 clients, one memcache_get per transaction;
#   - pgbench, one memcache_set and two memcache_get per transaction over
#     three memcached servers, at 8, 32 and 180 clients, with this
#     extension placing keys as pgmemcache does (key_distribution =
#     libmemcached: the same keys on the same servers) and with its default
#     placement; and at 180 clients the floor: pgmemcache's backends
#     calling this extension's Go runtime 3 times per transaction for
#     nothing sent, or carrying it started and idle, or 4 idle
#     threads, or a page written in 8 more 2 MB regions, or 1,300 more
#     pages (backend_floor/);
#   - for every pgbench run: its steady rate (the second half of the run,
#     when every backend has run its first transaction) and its whole-run
#     rate; per transaction, context switches of the backends' own threads
#     and of their other threads (Go's), and the CPU time of all their
#     threads;
#   - the first call in a fresh backend (median of several), and outside
#     the database the floor of any first call that starts Go: loading a
#     bare Go runtime into a C process (gofloor/, loadtime.c);
#   - private memory, virtual size, commit charge and threads of a backend
#     after the first call and after 100k calls, and its threads' context
#     switches over 10 s of idle.
# It writes test/bench/results.md and test/bench/results.png.
#
# To keep other machines' traffic (and other runs' ports) away, run it in a
# network namespace of its own, once the packages it needs are installed:
#   unshare -n -- bash -c 'ip link set lo up; bash test/bench/run.sh'

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../lib.sh"
ROUNDS=${BENCH_ROUNDS:-5}
N=${BENCH_N:-20000}
PGBENCH_T=${BENCH_PGBENCH_T:-10}
PGBENCH_ROUNDS=${BENCH_PGBENCH_ROUNDS:-3}
# runs with 180 clients: their backends' first transactions take seconds
PGBENCH_T_MANY=${BENCH_PGBENCH_T_MANY:-20}

mc_need_root
mc_install_deps
extra=()
for p in postgresql-15-pgmemcache postgresql-plperl-15 libcache-memcached-perl gnuplot-nox util-linux python3 libssl-dev; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || extra+=("$p")
done
if [ ${#extra[@]} -gt 0 ]; then
	log "installing ${extra[*]}"
	# without them the run would measure less than it says (no PL/Perl, no chart)
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${extra[@]}" >/dev/null; then
		echo "could not install ${extra[*]} (inside unshare -n, install them first, outside it)" >&2
		exit 1
	fi
fi
mc_setup "max_connections = 250"
port=${MC_PORTS[0]}
server=127.0.0.1:$port
out=$MC_WORK/bench
mkdir -p "$out"
(cd "$MC_ROOT" && go build -buildvcs=false -o "$out/gomc" ./test/bench/gomc)
gcc -O2 -Wall -o "$out/cfloor" "$here/cfloor.c" -lssl -lcrypto
# The floor of a first call that starts Go: a bare runtime (gofloor/) built
# with the toolchain memcache_go.so is built with and linked the same way.
gocmd=$(sh "$MC_ROOT/goruntime/toolchain.sh" go "$(sed -n 's/^GO_TOOLCHAIN = //p' "$MC_ROOT/Makefile")" "$MC_ROOT/.gobuild")
(cd "$MC_ROOT" && CGO_ENABLED=1 GOTOOLCHAIN=local "$gocmd" build -trimpath -buildvcs=false -buildmode=c-archive \
	-o "$out/gofloor.a" ./test/bench/gofloor)
gcc -shared -o "$out/gofloor.so" -Wl,--whole-archive "$out/gofloor.a" -Wl,--no-whole-archive -Wl,-z,now -lpthread
gcc -O2 -Wall -o "$out/loadtime" "$here/loadtime.c" -ldl -lpthread
# The floor for many backends: what carrying a Go runtime's idle threads or
# its touched memory costs a pgmemcache backend (backend_floor/).
make -s -C "$here/backend_floor" PG_CONFIG="$PG_CONFIG" install >/dev/null && make -s -C "$here/backend_floor" clean

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

# A memcached with TLS (-Z) and a database whose calls use it: TLS against
# plain, single calls in one backend.
# Its pid file is where mc_teardown stops every memcached of the run.
tlsdir=$out/tls
mkdir -p "$tlsdir"
mc_tls_certs "$tlsdir" || log "openssl failed: $(tail -2 "$tlsdir/openssl.log")"
tls_port=$((MC_PORT_BASE + 20))
memcached -u root -l 127.0.0.1 -p "$tls_port" -U 0 -m 64 -c 1024 -Z \
	-o "ssl_chain_cert=$tlsdir/server.pem,ssl_key=$tlsdir/server.key" -d -P "$MC_WORK/memcached-$tls_port.pid"
for _ in $(seq 100); do [ -s "$MC_WORK/memcached-$tls_port.pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$tls_port") 2>/dev/null && break; sleep 0.05; done
tlspid=$(mc_memcached_pid "$tls_port")
q -c "CREATE DATABASE bench_tls" >/dev/null
q -d bench_tls -c "CREATE EXTENSION memcache" -c "ALTER DATABASE bench_tls SET memcache.servers = '127.0.0.1:$tls_port'" \
	-c "ALTER DATABASE bench_tls SET memcache.tls = on" -c "ALTER DATABASE bench_tls SET memcache.tls_ca_file = '$tlsdir/ca.pem'" >/dev/null
q -d bench_tls -f "$here/functions.sql" >/dev/null

# thread_counters PID...: a line "pid own other cpu_ns" per process: context
# switches of its main thread, of its other threads, CPU time of all. One
# grep and one awk for all (spawning per thread would take seconds under
# load); a process that ended meanwhile is left out.
thread_counters() {
	[ $# -gt 0 ] || return
	local p
	for p in "$@"; do echo /proc/$p/task/*/status /proc/$p/task/*/schedstat; done |
		xargs grep -H -s -e 'ctxt_switches:' -e '^[0-9]' |
		awk -F: '{ split($1, f, "/"); p = f[3]; seen[p] = 1 }
		     $1 ~ /status$/ { split($3, v, " "); if (f[3] == f[5]) m[p] += v[1]; else o[p] += v[1] }
		     $1 ~ /schedstat$/ { split($2, v, " "); u[p] += v[1] }
		     END { for (p in seen) printf "%s %.0f %.0f %.0f\n", p, m[p], o[p], u[p] }'
}

# measure TARGET PLACEMENT: one session, every operation; prints "op value" lines
# (targets c and ctls, the C loop plain and over TLS, also "OP_mcns" lines:
# memcached's CPU per call in ns, its CPU over the whole run / the timed calls)
measure() {
	local target=$1 cpu_mc=0 cpu_db=0 n=$N multi="" setmulti="" mc=$mcpid
	[ "$2" = different ] && cpu_db=1
	[ "$target" = plperl ] && n=$((N / 4))
	[ "$target" = tls ] || [ "$target" = ctls ] && mc=$tlspid
	[ "$target" != plperl ] && [ "$target" != tls ] && multi="SELECT 'getmulti100', round(bench_getmulti($((n / 50))));
SELECT 'getmulti1000', round(bench_getmulti_keys($((n / 500)), 1000));
SELECT bench_set(1000, repeat('x', 10240)) \g /dev/null
SELECT 'getmulti100x10k', round(bench_getmulti($((n / 200))));"
	[ "$target" = memcache ] && setmulti="SELECT 'setmulti1000', round(bench_setmulti($((n / 1000)), repeat('x', 10)));"
	pin "$mc" $cpu_mc
	if [ "$target" = go ] || [ "$target" = c ] || [ "$target" = ctls ]; then
		local prog=$out/cfloor addr=$server tls=() specs spec k c0
		[ "$target" = go ] && prog=$out/gomc
		[ "$target" = ctls ] && addr=127.0.0.1:$tls_port tls=(-tls "$tlsdir/ca.pem")
		specs=("set10 set 10" "get10 get 10" "miss10 miss 10" "set10k set 10240" "get10k get 10240")
		[ "$target" != ctls ] && specs+=("getmulti100 getmulti 10")
		[ "$target" = c ] && specs+=("getmulti100x10k getmulti 10240")
		for spec in "${specs[@]}"; do
			set -- $spec
			k=$n
			[ "$2" = getmulti ] && k=$((n / ($3 > 10 ? 200 : 50)))
			c0=$(thread_counters "$mc" | cut -d' ' -f4)
			echo "$1 $(taskset -c $cpu_db "$prog" -addr "$addr" -op "$2" -n "$k" -size "$3" "${tls[@]}")"
			if [ "$target" != go ]; then
				echo "$1_mcns $((($(thread_counters "$mc" | cut -d' ' -f4) - c0) / k))"
			fi
		done
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
		# each pair compared is measured back to back (tls-memcache,
		# memcache-pgmemcache, c-ctls): the VM drifts between rounds
		for target in tls memcache pgmemcache plperl go c ctls; do
			measure $target $placement | sed "s/^/$placement $target /" >>"$out/raw"
		done
	done
	log "round $r done"
done
pin "$mcpid" 0-1

# pgbench_run NAME DB CLIENTS SCRIPT [SECONDS]: a pgbench run (PGBENCH_T
# seconds by default); appends "NAME tps cs_own cs_other cpu_us tps_run" to
# $out/tps. tps is the steady rate: transactions per second over the run's
# second half (pgbench -P), when every backend has run its first
# transaction (for this extension, the one that starts its Go runtime: 180
# of them starting at once take seconds). tps_run is pgbench's own, over the
# whole run, first transactions included. Per transaction, over that second
# half: context switches of the backends' own threads and of their other
# threads, and the CPU time of all their threads (/proc/PID/task/*/status,
# schedstat).
pgbench_run() {
	local name=$1 db=$2 clients=$3 script=$4 secs=${5:-$PGBENCH_T} pm pids s1 s2 t1 t2 tps steady log=$out/pgbench.log
	pm=$(head -1 "$MC_WORK/pgdata/postmaster.pid")
	# the previous run's backends are gone before this one starts
	for _ in $(seq 600); do pgrep -P "$pm" -f "postgres: postgres " >/dev/null || break; sleep 0.05; done
	local start
	start=$(date +%s.%N)
	# first=1 until a script's once-per-session statement has run
	pgbench -n -D first=1 -P 1 -c "$clients" -j 2 -T "$secs" -f "$script" "$db" >"$log" 2>&1 &
	local pb=$!
	# pgbench's clock starts as its threads start connecting
	sleep "$(awk -v s="$start" -v t="$(date +%s.%N)" -v d="$secs" 'BEGIN { w = s + d / 2 - t; print (w > 0.1 ? w : 0.1) }')"
	pids=$(pgrep -P "$pm" -f "postgres: postgres $db " | tr '\n' ' ')
	s1=$(thread_counters $pids)
	t1=$(date +%s.%N)
	# until a second before the end
	sleep "$(awk -v s="$start" -v t="$t1" -v d="$secs" 'BEGIN { w = s + d - 1 - t; print (w > 0.5 ? w : 0.5) }')"
	s2=$(thread_counters $pids)
	t2=$(date +%s.%N)
	[ "$(wc -w <<<"$pids")" -ge "$clients" ] && [ "$(wc -l <<<"$s2")" -ge "$clients" ] ||
		log "pgbench $name: only $(wc -l <<<"$s2") of $clients backends counted"
	wait $pb
	tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$log")
	[ -n "$tps" ] || { log "pgbench $name failed: $(tail -3 "$log" | tr '\n' ' ')"; tps=0; }
	# the second half's seconds of "progress: 12.0 s, 5186.0 tps, ..."
	steady=$(awk -v d="$secs" '/^progress: / { t = $2 + 0; if (t > d / 2 + 1) { s += $4; n++ } }
		END { if (n) printf "%.1f", s / n }' "$log")
	[ -n "$steady" ] || steady=$tps
	# a benchmark does not judge, but a failed transaction is worth a line
	grep -qE '^number of failed transactions: [1-9]|aborted' "$log" &&
		log "pgbench $name: $(grep -E '^number of failed transactions|aborted' "$log" | head -2 | tr '\n' ' ')"
	# per process, then summed over those seen both times
	awk -v name="$name" -v tps="$steady" -v run="$tps" -v t1="$t1" -v t2="$t2" '
		NR == FNR { m[$1] = $2; o[$1] = $3; u[$1] = $4; next }
		($1 in m) { dm += $2 - m[$1]; dob += $3 - o[$1]; du += $4 - u[$1] }
		END { n = (t2 - t1) * tps; if (n <= 0) n = 1
		      printf "%s %.1f %.3f %.3f %.1f %.1f\n", name, tps, dm / n, dob / n, du / 1000 / n, run }' \
		<(echo "$s1") <(echo "$s2") >>"$out/tps"
}

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
for r in $(seq "$PGBENCH_ROUNDS"); do
	for v in nocache:bench_nocache:none memcache_rules:bench_memcache:rules pgmemcache_rules:bench_pgmemcache:rules memcache_sync:bench_memcache:sync; do
		IFS=: read -r name db kind <<<"$v"
		setup_sessions "$db" "$kind"
		pgbench_run "$name" "$db" 8 "$out/sessions.pgbench"
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
for r in $(seq "$PGBENCH_ROUNDS"); do
	for v in none:bench_nocache memcache:bench_memcache pgmemcache:bench_pgmemcache; do
		IFS=: read -r name db <<<"$v"
		pgbench_run "sparse_$name" "$db" 8 "$out/sparse_$name.pgbench"
	done
	log "sparse pgbench round $r done"
done

log "pgbench: one memcache_get per transaction, 8 clients, ${PGBENCH_T} s per run"
for t in memcache pgmemcache; do
	q -d bench_$t -c "SELECT count(*) FROM generate_series(1, 1000) i WHERE memcache_set('get' || i, 'value' || i)" >/dev/null
done
cat >"$out/gets.pgbench" <<'PGB'
\set id random(1, 1000)
SELECT memcache_get('get' || :id);
PGB
for r in $(seq "$PGBENCH_ROUNDS"); do
	for t in memcache pgmemcache; do pgbench_run "gets_$t" bench_$t 8 "$out/gets.pgbench"; done
	log "gets pgbench round $r done"
done

log "pgbench: a set and two gets per transaction over three servers, 8, 32 and 180 clients, ${PGBENCH_T} s per run (180: ${PGBENCH_T_MANY} s)"
servers3=127.0.0.1:${MC_PORTS[0]},127.0.0.1:${MC_PORTS[1]},127.0.0.1:${MC_PORTS[2]}
q -c "CREATE DATABASE bench_memcache3" -c "CREATE DATABASE bench_memcache3d" -c "CREATE DATABASE bench_pgmemcache3" >/dev/null
# Side by side, both place each key on the same server: which servers a
# transaction touches (one, two or three) changes what memcached spends on
# it. pgmemcache's placement is libmemcached's default; this extension's
# default (cache_memcached) is measured too (bench_memcache3d).
q -d bench_memcache3 -c "CREATE EXTENSION memcache" -c "ALTER DATABASE bench_memcache3 SET memcache.servers = '$servers3'" \
	-c "ALTER DATABASE bench_memcache3 SET memcache.key_distribution = libmemcached" >/dev/null
q -d bench_memcache3d -c "CREATE EXTENSION memcache" -c "ALTER DATABASE bench_memcache3d SET memcache.servers = '$servers3'" >/dev/null
q -d bench_pgmemcache3 -c "CREATE EXTENSION pgmemcache" -c "ALTER DATABASE bench_pgmemcache3 SET pgmemcache.default_servers = '$servers3'" >/dev/null
cat >"$out/set2get.pgbench" <<'PGB'
\set id random(1, 10000)
SELECT memcache_set('k' || :id, 'value' || :id), memcache_get('k' || (:id + 1)), memcache_get('k' || (:id + 2));
PGB
cat >"$out/set2get_none.pgbench" <<'PGB'
\set id random(1, 10000)
SELECT length('k' || :id), length('k' || (:id + 1)), length('k' || (:id + 2));
PGB
# The floor at 180 clients: pgmemcache's backends calling this extension's
# Go runtime three times per transaction, for nothing sent
# (memcache_server_for_key; the extension in schema mc); or carrying, from
# their first transaction on, that runtime started and then idle,
# or what that runtime brings without Go: 4 idle threads, a page written in
# 8 separate 2 MB regions, or 1,300 pages written (backend_floor.c).
q -c "CREATE DATABASE bench_floor3" >/dev/null
q -d bench_floor3 -c "CREATE EXTENSION pgmemcache" -c "ALTER DATABASE bench_floor3 SET pgmemcache.default_servers = '$servers3'" \
	-c "CREATE SCHEMA mc" -c "CREATE EXTENSION memcache SCHEMA mc" -c "ALTER DATABASE bench_floor3 SET memcache.servers = '$servers3'" \
	-c "ALTER DATABASE bench_floor3 SET memcache.key_distribution = libmemcached" \
	-c "CREATE FUNCTION bench_idle_threads(int) RETURNS int AS 'backend_floor' LANGUAGE C STRICT" \
	-c "CREATE FUNCTION bench_touch_regions(int) RETURNS int AS 'backend_floor' LANGUAGE C STRICT" \
	-c "CREATE FUNCTION bench_touch_pages(int) RETURNS int AS 'backend_floor' LANGUAGE C STRICT" >/dev/null
for v in "goidle:SELECT mc.memcache_server_for_key('k');" "threads:SELECT bench_idle_threads(4);" \
	"regions:SELECT bench_touch_regions(8);" "pages:SELECT bench_touch_pages(1300);"; do
	{
		echo '\if :first'
		echo "${v#*:}"
		echo '\set first 0'
		echo '\endif'
		cat "$out/set2get.pgbench"
	} >"$out/floor_${v%%:*}.pgbench"
done
# and calling into that runtime three times per transaction, for nothing
# sent (the workload's keys, placed as pgmemcache places them), in the same
# statement
sed "s/;\$/, mc.memcache_server_for_key('k' || :id), mc.memcache_server_for_key('k' || (:id + 1)), mc.memcache_server_for_key('k' || (:id + 2));/" \
	"$out/set2get.pgbench" >"$out/floor_goempty.pgbench"
for r in $(seq "$PGBENCH_ROUNDS"); do
	for c in 8 32 180; do
		secs=$PGBENCH_T
		[ "$c" -gt 32 ] && secs=$PGBENCH_T_MANY
		pgbench_run "set2get${c}_none" bench_nocache "$c" "$out/set2get_none.pgbench" "$secs"
		pgbench_run "set2get${c}_memcache" bench_memcache3 "$c" "$out/set2get.pgbench" "$secs"
		pgbench_run "set2get${c}_pgmemcache" bench_pgmemcache3 "$c" "$out/set2get.pgbench" "$secs"
		pgbench_run "set2get${c}_memcachedefault" bench_memcache3d "$c" "$out/set2get.pgbench" "$secs"
	done
	for f in goempty goidle threads regions pages; do
		pgbench_run "set2get180_floor_$f" bench_floor3 180 "$out/floor_$f.pgbench" "$PGBENCH_T_MANY"
	done
	log "set+2 gets pgbench round $r done"
done

log "the first call in a fresh backend"
# psql's \timing of the first set+get statement of a new session (the
# module and, for this extension, the Go runtime load during it).
: >"$out/first"
for i in $(seq 9); do
	for t in memcache pgmemcache plperl; do
		ms=$(q -d bench_$t -c '\timing on' -c "SELECT 1" -c "SELECT memcache_set('first$i', 'v'), memcache_get('first$i')" |
			sed -n 's/^Time: \([0-9.]*\) ms$/\1/p' | tail -1)
		echo "$t ${ms:-0}" >>"$out/first"
	done
done
# Outside the database, in fresh processes: loading a bare Go runtime and
# calling an empty export, against loading this extension's Go object and
# its mcgo_init; and what one CPUID and one page fault cost on this machine.
{
	"$out/loadtime" -n 31 "$out/gofloor.so" gofloor_call | sed 's/^/gofloor /'
	"$out/loadtime" -n 31 "$("$PG_CONFIG" --pkglibdir)/memcache_go.so" mcgo_init | sed 's/^/memcache_go /'
	"$out/loadtime" -costs
} >"$out/loadtime.txt"

log "memory, address space and threads of one backend"
sync  # a just-installed library's pages are dirty in the page cache until written back
# usage.sh TARGET LABEL PID: private dirty and clean kB, threads, virtual
# size kB, commit charge kB (the mappings Linux charges against the commit
# limit: flag "ac" in smaps), context switches of the threads but its own.
cat >"$out/usage.sh" <<'SH'
cs=0
for t in /proc/$3/task/*; do
	[ "${t##*/}" = "$3" ] || cs=$((cs + $(awk '/^(non)?voluntary_ctxt_switches:/ {s += $2} END {print s}' "$t/status")))
done
echo "$1 $2 $(awk '/^Private_Dirty:/ {d += $2} /^Private_Clean:/ {c += $2} END {print d, c}' /proc/$3/smaps_rollup) $(awk '/^Threads:/ {print $2}' /proc/$3/status) $(awk '/^VmSize:/ {print $2}' /proc/$3/status) $(awk '/^[0-9a-f]+-[0-9a-f]+ / {split($1, r, "-"); kb = 0} /^Size:/ {kb = $2} /^VmFlags:/ && / ac/ {s += kb} END {print s}' /proc/$3/smaps) $cs"
SH
: >"$out/mem"
for target in memcache pgmemcache plperl; do
	q -d bench_$target <<SQL >>"$out/mem"
SELECT bench_set(0, 'x') \g /dev/null
SELECT pg_backend_pid() AS pid \gset
\setenv BPID :pid
\! sh $out/usage.sh $target before \$BPID
SELECT bench_set(1, 'x') \g /dev/null
\! sh $out/usage.sh $target first \$BPID
SELECT bench_get(100000) \g /dev/null
\! sh $out/usage.sh $target 100k \$BPID
\! sleep 10
\! sh $out/usage.sh $target idle10s \$BPID
SQL
done

log "writing results"
MC_WORK_BENCH=$out python3 "$here/report.py" "$out" "$here/results.md" "$here/results.dat"
(cd "$here" && gnuplot chart.gp) || log "gnuplot failed: no chart"
cat "$here/results.md"
