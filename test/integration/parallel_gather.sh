#!/bin/bash
# parallel_gather.sh: latch wakeups (SIGURG on Linux since PostgreSQL 14,
# SIGUSR1 before) still reach a backend that runs Go. If Go's signal handler
# ate them, a parallel query moving many tuples through Gather would hang (leader waiting for its queues, workers
# waiting for room), and lock waits would last until deadlock_timeout.
#  1. In one session that has called memcache_set (Go loaded), 30 parallel
#     queries each move 1M tuples through Gather, statement_timeout 60 s as
#     the hang detector.
#  2. 10 times: session A holds ACCESS EXCLUSIVE on a table until session B
#     (Go loaded, deadlock_timeout 5 s so a deadlock check cannot rescue a
#     lost wakeup) waits for it, then 0.25 s more; B must get it < 1 s
#     after A's release.
#  3. memcache_set_on_commit in a parallel worker (a wrapper wrongly marked
#     PARALLEL SAFE) is an ERROR: the worker's queue would be lost.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
RUNS=${MC_GATHER_RUNS:-30}
T=mc_gather_t
LW=mc_lw

cleanup() {
	# A hung query would outlive its psql: end it (best effort).
	timeout 20 psql -X -At -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name IN ('mc_gather', 'mc_lw_holder', 'mc_lw_waiter') AND pid <> pg_backend_pid()" >/dev/null 2>&1
	timeout 20 psql -X -At -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS $T, $LW" >/dev/null 2>&1
}
on_exit 'cleanup'

q0 -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS memcache" \
	-c "DROP TABLE IF EXISTS $T, $LW" \
	-c "CREATE TABLE $T AS SELECT g AS x, repeat('x', 20) AS s FROM generate_series(1, 1000000) g" \
	-c "ANALYZE $T" -c "CREATE TABLE $LW (x int)" >/dev/null

# --- 1. Gather ---------------------------------------------------------------
# OFFSET 0 keeps the aggregate above Gather, so every row crosses it (a plain
# sum() would be split into partial aggregates below Gather: 3 rows). With
# parallel_leader_participation off, all of them come through the workers'
# shared-memory queues, whose every wakeup is a SetLatch on the leader.
query="SELECT sum(length(s)) FROM (SELECT s FROM $T OFFSET 0) q"
start=$(date +%s%N)
out=$(timeout 240 psql -X -At -v ON_ERROR_STOP=0 2>&1 <<SQL
SET application_name = 'mc_gather';
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS memcache;
SELECT 'SET', memcache_set('gather', 'go is loaded');
SELECT pg_backend_pid() AS leader \gset
\setenv LEADER :leader
\! awk '/^Threads:/ {print "THREADS", \$2}' /proc/\$LEADER/status
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET jit = off;
SET statement_timeout = '60s';
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) $query;
\timing on
$(for i in $(seq "$RUNS"); do echo "SELECT 'RUN $i', ($query);"; done)
SQL
)
st=$?
wall=$((($(date +%s%N) - start) / 1000000))
threads=$(echo "$out" | sed -n 's/^THREADS //p')
echo "$out" | grep -q '^SET|t$' && [ "${threads:-1}" -gt 1 ] &&
	say ok "the leader backend called memcache_set first: Go is running in it ($threads threads)" ||
	say "not ok" "the leader backend did not load Go (memcache_set: $(echo "$out" | grep '^SET|'), threads '$threads')"
gather_rows=$(echo "$out" | sed -n 's/.*-> *Gather (actual rows=\([0-9]*\)[.0-9]* .*/\1/p' | head -1)
launched=$(echo "$out" | sed -n 's/.*Workers Launched: \([0-9]*\).*/\1/p' | head -1)
if [ "${gather_rows:-0}" -ge 990000 ] && [ "${launched:-0}" -ge 1 ]; then
	say ok "the plan moves $gather_rows rows out of Gather, $launched workers launched"
else
	say "not ok" "plan: Gather rows '${gather_rows}', workers launched '${launched}': $(echo "$out" | grep -B2 -A6 'Gather' | head -10 | tr '\n' ' ')"
fi
done_runs=$(echo "$out" | grep -c '^RUN [0-9]*|20000000$')
max=$(echo "$out" | sed -n '/^RUN /{n;s/^Time: \([0-9.]*\) ms.*/\1/p}' | sort -n | tail -1)
if [ $st = 0 ] && [ "$done_runs" = "$RUNS" ] && ! echo "$out" | grep -q ERROR; then
	say ok "$RUNS parallel queries moving 1M tuples through Gather in a Go-loaded backend, none hung (slowest ${max} ms, all ${wall} ms)"
else
	say "not ok" "$done_runs of $RUNS parallel queries completed (psql status $st, ${wall} ms): $(echo "$out" | grep -E 'ERROR|FATAL' | head -3 | tr '\n' ' ')"
fi

# --- 2. Lock waits -----------------------------------------------------------
worst=0
worst_lat=0
bad=0
for i in $(seq 10); do
	aout="$MC_WORK/lw-holder.out"
	q0 >"$aout" 2>&1 <<SQL &
SET application_name = 'mc_lw_holder';
BEGIN;
LOCK TABLE $LW IN ACCESS EXCLUSIVE MODE;
DO \$\$
BEGIN
  FOR i IN 1..2500 LOOP  -- at most ~5 s for the waiter to queue for the lock
    EXIT WHEN EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                      WHERE l.relation = '$LW'::regclass AND NOT l.granted
                        AND a.application_name = 'mc_lw_waiter');
    PERFORM pg_sleep(0.002);
    PERFORM pg_stat_clear_snapshot();
  END LOOP;
END \$\$;
SELECT pg_sleep(0.25);
SELECT 'RELEASED', extract(epoch FROM clock_timestamp());
COMMIT;
SQL
	a=$!
	bout=$(q0 2>&1 <<SQL
SET application_name = 'mc_lw_waiter';
SELECT 'SET', memcache_set('lw', 'x');
SET deadlock_timeout = '5s';
DO \$\$
DECLARE t0 timestamptz;
BEGIN
  FOR i IN 1..2500 LOOP  -- at most ~5 s for the holder to take the lock
    EXIT WHEN EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                      WHERE l.relation = '$LW'::regclass AND l.mode = 'AccessExclusiveLock'
                        AND l.granted AND a.application_name = 'mc_lw_holder');
    PERFORM pg_sleep(0.002);
    PERFORM pg_stat_clear_snapshot();
  END LOOP;
  t0 := clock_timestamp();
  LOCK TABLE $LW IN ACCESS EXCLUSIVE MODE;
  RAISE NOTICE 'GOT % %', extract(epoch FROM clock_timestamp()),
    round((extract(epoch FROM clock_timestamp() - t0) * 1000)::numeric, 1);
END \$\$;
SQL
	)
	wait $a
	rel=$(sed -n 's/^RELEASED|//p' "$aout")
	got=$(echo "$bout" | sed -n 's/.*NOTICE:  GOT //p' | awk '{print $1}')
	ms=$(echo "$bout" | sed -n 's/.*NOTICE:  GOT //p' | awk '{print $2}')
	lat=
	[ -n "$rel" ] && [ -n "$got" ] && lat=$(awk -v g="$got" -v r="$rel" 'BEGIN { printf "%.1f", (g - r) * 1000 }')
	echo "# lock wait $i: waited ${ms:-?} ms, got the lock ${lat:-?} ms after the holder's pg_sleep ended"
	if ! echo "$bout" | grep -q '^SET|t$' || [ -z "$ms" ] || [ -z "$lat" ]; then
		bad=1
		say "not ok" "lock wait $i did not run as planned: waiter: $(echo "$bout" | tr '\n' ' '); holder: $(tr '\n' ' ' <"$aout")"
		continue
	fi
	# The waiter must really have waited (else this run proves nothing).
	awk -v m="$ms" 'BEGIN { exit !(m >= 100) }' || {
		bad=1
		say "not ok" "lock wait $i: the waiter waited only $ms ms, the holder's lock was not in its way"
	}
	worst=$(awk -v a="$worst" -v b="$ms" 'BEGIN { print (b > a) ? b : a }')
	worst_lat=$(awk -v a="$worst_lat" -v b="$lat" 'BEGIN { print (b > a) ? b : a }')
done
# A lost wakeup leaves the waiter asleep until deadlock_timeout (5 s) runs
# the deadlock check: ~4.7 s after the release. 1 s leaves room for a busy
# machine's scheduling.
if [ $bad = 0 ] && awk -v l="$worst_lat" 'BEGIN { exit !(l < 1000) }'; then
	say ok "10 lock waits in Go-loaded backends ended when the lock was released: at most $worst_lat ms after the holder's sleep ended (limit 1000, deadlock_timeout 5 s), longest wait $worst ms"
else
	say "not ok" "lock waits: up to $worst_lat ms after the release (limit 1000), longest $worst ms: a latch wakeup was lost"
fi

# 3. A wrapper of memcache_set_on_commit wrongly marked PARALLEL SAFE, run
# in a parallel worker: its queue would end with the worker, unsent. It is
# an ERROR there, not a write lost without a word.
force=debug_parallel_query
[ "$(q -c "SHOW server_version_num")" -lt 160000 ] && force=force_parallel_mode
out=$(q0 2>&1 <<SQL
CREATE FUNCTION pg_temp.par_set(k text, v text) RETURNS int LANGUAGE plpgsql PARALLEL SAFE
  AS \$\$ BEGIN PERFORM memcache_set_on_commit(k, v); RETURN 1; END \$\$;
SET $force = on;
EXPLAIN (COSTS OFF) SELECT pg_temp.par_set('par:1', 'x');
SELECT pg_temp.par_set('par:1', 'x');
SQL
)
if echo "$out" | grep -q 'Gather' && echo "$out" | grep -q 'ERROR:  memcache: cache writes cannot be queued in a parallel worker'; then
	say ok "memcache_set_on_commit in a parallel worker (a wrapper marked PARALLEL SAFE): an ERROR, not a write lost"
else
	say "not ok" "memcache_set_on_commit in a parallel worker: $(echo "$out" | tr '\n' ' ' | cut -c1-400)"
fi
finish
