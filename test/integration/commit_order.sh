#!/bin/bash
# commit_order.sh: commit-time sends, seen from other sessions.
#  1. A later writer of the same key waits in its PRE_COMMIT for an earlier
#     transaction's send (the earlier one holds its key-slot lock until its
#     COMMIT callbacks are done), so the cache ends with the value that
#     committed last.
#  2. A black-hole server delays COMMIT by at most memcache.timeout; the
#     COMMIT succeeds with a WARNING.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
stopped=$(mc_memcached_pid "$MC_STOPPED_PORT")
on_exit 'kill -CONT $stopped 2>/dev/null'
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS memcache" >/dev/null
"$MC_ROOT/test/mcwire" "$MC_STOPPED_PORT" 'delete order' >/dev/null

settings="SET memcache.servers = '127.0.0.1:$MC_STOPPED_PORT'; SET memcache.timeout = '20s'; SET application_name = 'order_test';"
kill -STOP "$stopped"
q -c "$settings" -c "BEGIN" -c "SELECT memcache_set_on_commit('order', 'v1')" -c "COMMIT" -c "SELECT 't1 done ' || clock_timestamp()" >"$MC_WORK/t1.out" 2>&1 &
t1=$!
sleep 0.5
q -c "$settings" -c "BEGIN" -c "SELECT memcache_set_on_commit('order', 'v2')" -c "COMMIT" -c "SELECT 't2 done ' || clock_timestamp()" >"$MC_WORK/t2.out" 2>&1 &
t2=$!
sleep 0.5
waiting=$(q -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
  WHERE a.application_name = 'order_test' AND l.locktype = 'advisory' AND NOT l.granted
    AND l.classid = $((0x6d656d63)) AND l.objsubid = 3")
kill -CONT "$stopped"
wait $t1 $t2
[ "$waiting" = 1 ] && say ok "the second writer waits at its commit while the first one's send is in flight" ||
	say "not ok" "sessions waiting for the key-slot lock: $waiting (want 1)"
# Both committed; the second could only commit after the first one's send
# (it waited on the lock above), so the cache must hold its value.
final=$("$MC_ROOT/test/mcwire" "$MC_STOPPED_PORT" 'get order' | sed -n 2p)
[ "$final" = v2 ] && grep -q '^t1 done' "$MC_WORK/t1.out" && grep -q '^t2 done' "$MC_WORK/t2.out" &&
	say ok "both committed, and the cache holds the value that committed last (v2)" ||
	say "not ok" "cache has '$final'; t1: $(cat "$MC_WORK/t1.out"); t2: $(cat "$MC_WORK/t2.out")"

# 2. black hole at COMMIT
kill -STOP "$stopped"
out=$(q 2>&1 <<SQL
SET memcache.servers = '127.0.0.1:$MC_STOPPED_PORT';
SET memcache.timeout = '500ms';
SET memcache.server_retry_delay = 0;
CREATE TEMP TABLE t (x int);
BEGIN;
INSERT INTO t VALUES (1);
SELECT memcache_set_on_commit('bh', 'x');
SELECT clock_timestamp() AS t0 \gset
COMMIT;
SELECT round(extract(epoch FROM clock_timestamp() - :'t0') * 1000) AS ms, (SELECT count(*) FROM t) AS rows;
SQL
)
kill -CONT "$stopped"
read -r ms rows <<<"$(echo "$out" | grep -E '^[0-9]+\|[0-9]+$' | tr '|' ' ')"
if [ -n "${ms:-}" ] && [ "$ms" -lt 900 ] && [ "$rows" = 1 ] && echo "$out" | grep -q 'WARNING:  memcache: cache writes after commit failed'; then
	say ok "a black-hole server delayed COMMIT by ${ms} ms (memcache.timeout 500 ms); the row is committed; a WARNING said so"
else
	say "not ok" "black hole at COMMIT: $out"
fi

finish
