#!/bin/bash
# quiet.sh: the Go runtime costs nothing between calls and wakes no other
# thread per call. A backend's Go threads (every thread but its own) are
# watched through their context switches (/proc/PID/task/*/status):
#  - idle right after a call: none over 3 s (sysmon asleep, no timers);
#  - 50 calls 20 ms apart (an application's calls between other work):
#    none per call (unpatched, sysmon takes the backend's P 10 ms into C
#    code, and the next call wakes it);
#  - 20,000 calls back to back: none per call (no yields planned, no P
#    retaken, no preemption);
#  - the backend has its own thread and 4 of Go's, after calls of every
#    kind (get_multi, stats, a host name to resolve, big values).
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

cs=$MC_WORK/quiet-cs.sh
cat >"$cs" <<'SH'
# cs.sh PID: "CS n T m": context switches of the process's threads other than
# its own, and its thread count
n=0
for t in /proc/$1/task/*; do
	[ "${t##*/}" = "$1" ] && continue
	n=$((n + $(awk '/^(non)?voluntary_ctxt_switches:/ {s += $2} END {print s}' "$t/status")))
done
echo "CS $n T $(ls /proc/$1/task | wc -l)"
SH

out=$(q0 2>&1 <<SQL
SET client_min_messages = warning;
SELECT pg_backend_pid() AS bpid \gset
\setenv BPID :bpid
SELECT memcache_set('quiet', 'v') \g /dev/null
\! sh $cs \$BPID
SELECT pg_sleep(3);
\! sh $cs \$BPID
DO \$\$ BEGIN FOR i IN 1..50 LOOP PERFORM memcache_get('quiet'); PERFORM pg_sleep(0.02); END LOOP; END \$\$;
\! sh $cs \$BPID
SELECT count(memcache_get('quiet')) FROM generate_series(1, 20000);
\! sh $cs \$BPID
SELECT count(*) FROM memcache_get_multi(array(SELECT 'quiet' || i FROM generate_series(1, 2000) i));
SELECT length(memcache_get('quiet_big')) FROM (SELECT memcache_set('quiet_big', repeat('x', 900000))) s;
SELECT count(*) FROM memcache_server_stats();
SET memcache.servers = 'localhost:$MC_PORT_BASE';
SELECT memcache_get('quiet');
\! sh $cs \$BPID
SQL
)
read -r c0 c1 c2 c3 c4 <<<"$(echo "$out" | sed -n 's/^CS \([0-9]*\) .*/\1/p' | tr '\n' ' ')"
threads=$(echo "$out" | sed -n 's/^CS .* T //p' | tail -1)
if [ -z "${c4:-}" ]; then
	say "not ok" "could not measure: $(echo "$out" | tr '\n' ' ')"
	finish
fi
echo "#   Go threads' context switches: after the first call $c0, idle 3 s +$((c1 - c0)), 50 calls 20 ms apart +$((c2 - c1)), 20000 calls +$((c3 - c2))"
[ $((c1 - c0)) = 0 ] && say ok "idle for 3 s after a call: the Go threads made no context switch" ||
	say "not ok" "idle for 3 s after a call: the Go threads made $((c1 - c0)) context switches"
[ $((c2 - c1)) -le 5 ] && say ok "50 calls 20 ms apart: $((c2 - c1)) context switches of Go threads (at most 5)" ||
	say "not ok" "50 calls 20 ms apart woke Go threads $((c2 - c1)) times"
[ $((c3 - c2)) -le 20 ] && say ok "20000 calls back to back: $((c3 - c2)) context switches of Go threads (at most 20)" ||
	say "not ok" "20000 calls back to back: Go threads made $((c3 - c2)) context switches"
[ "$threads" = 5 ] && say ok "after calls of every kind the backend has 5 threads: its own and Go's 4" ||
	say "not ok" "the backend has $threads threads (expected 5)"
finish
