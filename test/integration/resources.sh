#!/bin/bash
# resources.sh: what the extension costs a backend, and that it does not grow.
#  - private memory and threads before the first call, after it, after 100k
#    calls (the Go heap at its steady size) and after 1M more: no growth;
#  - 100 concurrent backends that all use the extension.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
CALLS=${MC_RESOURCE_CALLS:-1000000}

# usage LABEL PID: private memory (kB) and threads of a process
usage=$MC_WORK/usage.sh
cat >"$usage" <<'SH'
echo "$1 $(awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' /proc/$2/smaps_rollup) $(awk '/^Threads:/ {print $2}' /proc/$2/status)"
SH

out=$(timeout 900 psql -X -At -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS memcache;
SELECT pg_backend_pid() AS pid \gset
\setenv BPID :pid
\! sh $usage before \$BPID
SELECT memcache_set('res', '0123456789') \g /dev/null
\! sh $usage first \$BPID
CREATE FUNCTION pg_temp.calls(n int) RETURNS void LANGUAGE plpgsql AS \$\$
BEGIN  -- a loop that allocates nothing per call itself (no tuplestore)
  FOR i IN 1..n LOOP
    IF i % 2 = 0 THEN PERFORM memcache_set('res', 'v'); ELSE PERFORM memcache_get('res'); END IF;
  END LOOP;
END \$\$;
SELECT pg_temp.calls(100000) \g /dev/null
\! sh $usage warm \$BPID
SELECT pg_temp.calls($CALLS) \g /dev/null
\! sh $usage all \$BPID
SQL
)
echo "$out" | sed 's/^/#   /'
read -r _ m0 t0 <<<"$(echo "$out" | grep '^before')"
read -r _ m1 t1 <<<"$(echo "$out" | grep '^first')"
read -r _ m2 t2 <<<"$(echo "$out" | grep '^warm')"
read -r _ m3 t3 <<<"$(echo "$out" | grep '^all')"
if [ -z "${m3:-}" ]; then
	say "not ok" "could not measure: $out"
	exit 1
fi
echo "#   first call added $((m1 - m0)) kB private memory and $((t1 - t0)) threads"
# The Go runtime's 4 threads are created before it starts (goruntime_limits.c);
# single-key calls never make it want another.
[ $((t1 - t0)) -eq 4 ] && [ $((t3 - t0)) -eq 4 ] && say ok "threads: $((t1 - t0)) added by the first call, $((t2 - t0)) after 100k, $((t3 - t0)) after $CALLS more (4: the Go runtime's)" ||
	say "not ok" "threads added: $((t1 - t0)) by the first call, $((t2 - t0)) after 100k, $((t3 - t0)) after $CALLS more (expected 4)"
growth=$((m3 - m2))
[ $growth -lt 2048 ] && say ok "private memory flat over $CALLS calls (${m2} kB -> ${m3} kB, ${growth} kB)" ||
	say "not ok" "private memory grew ${growth} kB over $CALLS calls (${m2} -> ${m3} kB)"

# 100 concurrent backends, each using the extension.
script=$MC_WORK/many.pgbench
cat >"$script" <<'PGB'
SELECT memcache_set('client:' || :client_id, :client_id::text), memcache_get('client:' || :client_id);
PGB
log=$MC_WORK/many.log
timeout 120 pgbench -n -c 100 -j 2 -T 5 -f "$script" >"$log" 2>&1
st=$?
[ $st != 124 ] || dump_stuck "$(psql -X -At -c 'SELECT current_database()')"
processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$log")
failed=$(pgbench_failed "$log")
stored=$(psql -X -At -c "SELECT count(*) FROM generate_series(1, 100) i WHERE memcache_get('client:' || (i - 1)) = (i - 1)::text")
[ $st = 0 ] && [ "${failed:-x}" = 0 ] && [ "$stored" = 100 ] &&
	say ok "100 concurrent backends: $processed transactions, 0 failed, all 100 clients' keys stored" ||
	say "not ok" "100 backends: exit $st, failed '${failed:-?}', keys stored $stored/100: $(tail -3 "$log")"
finish
