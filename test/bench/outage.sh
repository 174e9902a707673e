#!/bin/bash
# outage.sh: what the counters show of a memcached outage under load. A
# throwaway cluster that preloads the module (memcache_stat), a table kept
# in memcached by memcache_sync, and pgbench (8 clients, BENCH_T seconds,
# default 30) whose transactions read a key through memcache_get and update
# a row (a commit-time set). memcached is killed (SIGKILL) a third of the
# way in and started again at two thirds. Prints memcache_stat for the
# server and the commit queue, and pgbench's per-5-seconds progress.
#
#   unshare -n -- bash -c 'ip link set lo up; bash test/bench/outage.sh'
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../lib.sh"
T=${BENCH_T:-30}
mc_need_root
mc_install_deps
mc_setup "shared_preload_libraries = 'memcache'"
port=${MC_PORTS[0]}
q() { psql -X -At -v ON_ERROR_STOP=1 "$@"; }
q -q <<SQL
SET client_min_messages = warning;
CREATE EXTENSION memcache;
CREATE TABLE kv (id int PRIMARY KEY, v text NOT NULL);
INSERT INTO kv SELECT i, md5(i::text) FROM generate_series(1, 1000) i;
CREATE TRIGGER kv_cache AFTER INSERT OR UPDATE OR DELETE ON kv
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', 'v', 'kv:');
UPDATE kv SET v = v;
SELECT memcache_stat_reset();
SQL
cat >"$MC_WORK/outage.pgbench" <<'PGB'
\set id random(1, 1000)
SELECT memcache_get('kv:' || :id);
UPDATE kv SET v = md5(random()::text) WHERE id = :id;
PGB
chmod 644 "$MC_WORK/outage.pgbench"
pgbench -n -c 8 -j 2 -T "$T" -P 5 -f "$MC_WORK/outage.pgbench" >"$MC_WORK/pgbench.out" 2>&1 &
pgb=$!
sleep $((T / 3))
kill -9 "$(mc_memcached_pid "$port")"
log "memcached on $port killed at $((T / 3)) s"
sleep $((T / 3))
memcached -u root -l 127.0.0.1 -p "$port" -U 0 -m 64 -c 1024 -P "$MC_WORK/memcached-$port.pid" >/dev/null 2>&1 &
log "memcached on $port started again at $((2 * T / 3)) s"
wait "$pgb"
echo "== pgbench (8 clients, ${T} s; memcached down from $((T / 3)) s to $((2 * T / 3)) s)"
grep -E '^progress|^tps|^number of (transactions|failed)' "$MC_WORK/pgbench.out"
echo "== memcache_stat, the server"
q -x -c "SELECT server, cmd_get, cmd_set, cmd_delete, get_hits, get_misses, err_refused, err_timeout,
  err_reset, err_server, err_while_down, err_other, cancelled, connections, marked_down,
  round(time_ms::numeric, 1) AS time_ms, trips_under_1ms, trips_1_to_10ms, trips_10_to_100ms,
  trips_over_100ms FROM memcache_stat WHERE server IS NOT NULL"
echo "== memcache_stat, the commit queue"
q -x -c "SELECT commit_xacts, commit_queued, commit_superseded, commit_sent, commit_failed,
  commit_over_limit, commit_unordered, commit_waits, round(commit_wait_ms::numeric, 1) AS commit_wait_ms
  FROM memcache_stat WHERE server IS NULL"
echo "== warnings in the server log: $(grep -c WARNING "$MC_WORK/postgresql.log")"
