#!/bin/bash
# parallel_gather.sh: latch wakeups (SIGURG) are never lost in a backend
# that runs Go. A parallel query moving 1M tuples through Gather, run 30
# times in a backend that has used the extension, never hangs; and lock
# waits end when the lock is released, not at deadlock_timeout.
set -u
fail=0
say() { echo "$1 - $2"; [ "$1" = ok ] || fail=1; }
q() { timeout 300 psql -X -At "$@"; }
RUNS=${MC_GATHER_RUNS:-30}

q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS memcache" \
	-c "DROP TABLE IF EXISTS gather_t" \
	-c "CREATE TABLE gather_t AS SELECT g AS x, md5(g::text) AS s FROM generate_series(1, 1000000) g" \
	-c "ANALYZE gather_t" >/dev/null

query="SELECT count(*) FROM (SELECT s FROM gather_t WHERE x % 2 >= 0 OFFSET 0) q"
out=$(q <<SQL
SELECT memcache_set('gather', 'go is loaded');
SELECT count(*) FROM pg_stat_activity WHERE pid = pg_backend_pid();
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET statement_timeout = '60s';
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) $query;
\timing on
$(for _ in $(seq "$RUNS"); do echo "$query;"; done)
SQL
)
gather=$(echo "$out" | grep -E 'Gather \(actual rows=1000000 ')
launched=$(echo "$out" | sed -n 's/.*Workers Launched: \([0-9]*\).*/\1/p' | head -1)
done_runs=$(echo "$out" | grep -c '^1000000$')
max=$(echo "$out" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -n | tail -1)
if [ -n "$gather" ] && [ "${launched:-0}" -ge 1 ]; then
	say ok "the plan moves 1M tuples through Gather with $launched workers"
else
	say "not ok" "plan: $(echo "$out" | grep -A8 'Aggregate' | head -10)"
fi
[ "$done_runs" = "$RUNS" ] && say ok "$RUNS parallel queries after a memcache call, none hung (slowest ${max} ms)" ||
	say "not ok" "only $done_runs of $RUNS parallel queries completed: $(echo "$out" | grep -i error | head -3)"

# Lock waits: B (which has used the extension) waits for a lock that A
# releases after 0.25 s. With deadlock_timeout 5 s, a lost latch wakeup
# would show as a 5 s wait.
q -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS lw" -c "CREATE TABLE lw (x int)" >/dev/null
worst=0
for i in $(seq 10); do
	q -c "BEGIN" -c "LOCK TABLE lw" -c "SELECT pg_sleep(0.25)" -c "COMMIT" >/dev/null &
	a=$!
	sleep 0.05
	ms=$(q -c "SELECT memcache_set('lw', 'x')" -c "SET deadlock_timeout = '5s'" -c '\timing on' -c "BEGIN" -c "LOCK TABLE lw" -c "COMMIT" |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sed -n 2p)
	wait $a
	worst=$(awk -v a="$worst" -v b="${ms:-99999}" 'BEGIN { print (b > a) ? b : a }')
done
awk -v w="$worst" 'BEGIN { exit !(w < 600) }' && say ok "10 lock waits ended when the lock was released (longest wait ${worst} ms; the lock was held about 200 ms after the wait began)" ||
	say "not ok" "a lock wait took ${worst} ms (deadlock_timeout 5 s): a latch wakeup was lost"
q -c "DROP TABLE gather_t, lw" >/dev/null
exit $fail
