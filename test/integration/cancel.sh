#!/bin/bash
# cancel.sh: a call stuck on a memcached that accepts connections and never
# answers (SIGSTOPped; memcache.timeout 20 s, so only the interrupt can end
# the call) ends promptly on statement_timeout, pg_cancel_backend and
# pg_terminate_backend, for every kind of call; the same backend's next
# call gets its own reply (the half-read connection is not reused); and
# memcache.timeout alone bounds a call.
#
# Times are measured with clock_timestamp() on the server (one clock for
# every session), not by the shell, so psql start-up does not count.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

# ms_lt VALUE LIMIT: VALUE is a number below LIMIT
ms_lt() { [ -n "$1" ] && awk -v v="$1" -v l="$2" 'BEGIN { exit !(v < l) }'; }

stopped=$(mc_memcached_pid "$MC_STOPPED_PORT")
healthy=127.0.0.1:$MC_PORT_BASE
hole=127.0.0.1:$MC_STOPPED_PORT
cont() { kill -CONT "$stopped" 2>/dev/null; }
on_exit 'cont'


q0 -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS memcache" >/dev/null

# The black hole: every call on it waits until something interrupts it.
# server_retry_delay 0: nothing a test does marks the server down for the
# next test.
HOLE="SET memcache.servers = '$hole'; SET memcache.timeout = '20s'; SET memcache.server_retry_delay = 0;"

# victim_sql CALL APPNAME [SETTINGS]: SQL that runs CALL on the black hole
# and reports how it ended, as a NOTICE:
#   CAUGHT <sqlstate> <epoch of the catch> <ms since the call began>
#   OTHER <sqlstate> <message>   (an error other than a cancel)
#   RETURNED <ms>                (the call ended by itself: nothing cancelled it)
victim_sql() {
	cat <<SQL
$HOLE
SET application_name = '$2';
${3:-}
DO \$\$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  PERFORM * FROM $1;
  RAISE NOTICE 'RETURNED %', round((extract(epoch FROM clock_timestamp() - t0) * 1000)::numeric, 1);
EXCEPTION
  WHEN query_canceled THEN
    RAISE NOTICE 'CAUGHT % % %', SQLSTATE, extract(epoch FROM clock_timestamp()),
      round((extract(epoch FROM clock_timestamp() - t0) * 1000)::numeric, 1);
  WHEN OTHERS THEN
    RAISE NOTICE 'OTHER % %', SQLSTATE, SQLERRM;
END \$\$;
SQL
}

# wait_then SQL_ACTION APPNAME: SQL for a second session: waits until the
# victim APPNAME has been running its statement for 500 ms, then takes a
# timestamp and runs ACTION (with the victim's pid in p). Reports
#   SENT <epoch right before the action>
wait_then_sql() {
	cat <<SQL
DO \$\$
DECLARE p int; started timestamptz; t timestamptz;
BEGIN
  FOR i IN 1..1000 LOOP  -- at most ~5 s for the victim to show up
    PERFORM pg_stat_clear_snapshot();  -- else the view keeps its first snapshot
    SELECT pid, query_start INTO p, started FROM pg_stat_activity
      WHERE application_name = '$2' AND state = 'active' AND query LIKE 'DO%';
    EXIT WHEN p IS NOT NULL;
    PERFORM pg_sleep(0.005);
  END LOOP;
  IF p IS NULL THEN
    RAISE NOTICE 'NOVICTIM';
    RETURN;
  END IF;
  PERFORM pg_sleep(greatest(0, extract(epoch FROM started + interval '500 ms' - clock_timestamp())));
  t := clock_timestamp();
  $1;
  RAISE NOTICE 'SENT %', extract(epoch FROM t);
${3:-}
END \$\$;
SQL
}

field() { # field WORD N: the Nth field after WORD in the NOTICE lines on stdin
	sed -n "s/.*NOTICE:  $1 //p" | head -1 | awk -v n="$2" '{ print $n }'
}

# check_statement_timeout CALL [SETTINGS] [LABEL]
check_statement_timeout() {
	local out state ms
	out=$(victim_sql "$1" mc_st_victim "SET statement_timeout = '300ms'; ${2:-}" | q0 2>&1)
	state=$(echo "$out" | field CAUGHT 1)
	ms=$(echo "$out" | field CAUGHT 3)
	if [ "$state" = 57014 ] && ms_lt "$ms" 550; then
		say ok "statement_timeout 300 ms ended $1${3:+ ($3)} with $state after $ms ms (limit 550)"
	else
		say "not ok" "statement_timeout 300 ms, $1${3:+ ($3)}: sqlstate '${state}', ${ms:-?} ms (limit 550): $(echo "$out" | grep -E 'NOTICE|ERROR|WARNING' | head -3 | tr '\n' ' ')"
	fi
}

# check_cancel CALL
check_cancel() {
	local vout="$MC_WORK/cancel-victim.out" v out sent caught state ms
	victim_sql "$1" mc_cancel_victim | q0 >"$vout" 2>&1 &
	v=$!
	out=$(wait_then_sql "PERFORM pg_cancel_backend(p)" mc_cancel_victim | q0 2>&1)
	wait "$v"
	sent=$(echo "$out" | field SENT 1)
	state=$(field CAUGHT 1 <"$vout")
	caught=$(field CAUGHT 2 <"$vout")
	ms=
	[ -n "$sent" ] && [ -n "$caught" ] && ms=$(awk -v a="$caught" -v b="$sent" 'BEGIN { printf "%.1f", (a - b) * 1000 }')
	if [ "$state" = 57014 ] && ms_lt "$ms" 250; then
		say ok "pg_cancel_backend 500 ms into $1: caught $state $ms ms after the cancel (limit 250)"
	else
		say "not ok" "pg_cancel_backend, $1: sqlstate '$state', ${ms:-?} ms (limit 250); canceller: $(echo "$out" | tr '\n' ' '); victim: $(tr '\n' ' ' <"$vout")"
	fi
}

# check_terminate CALL
check_terminate() {
	local vout="$MC_WORK/terminate-victim.out" v out ms
	victim_sql "$1" mc_term_victim | q0 >"$vout" 2>&1 &
	v=$!
	out=$(wait_then_sql "PERFORM pg_terminate_backend(p)" mc_term_victim "
  FOR i IN 1..600 LOOP  -- at most ~3-4 s
    PERFORM pg_stat_clear_snapshot();
    EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = p);
    PERFORM pg_sleep(0.005);
  END LOOP;
  PERFORM pg_stat_clear_snapshot();
  RAISE NOTICE 'GONE % %', NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = p),
    round((extract(epoch FROM clock_timestamp() - t) * 1000)::numeric, 1);" | q0 2>&1)
	wait "$v"
	gone=$(echo "$out" | field GONE 1)
	ms=$(echo "$out" | field GONE 2)
	if [ "$gone" = t ] && ms_lt "$ms" 300 && grep -q 'terminating connection due to administrator command' "$vout"; then
		say ok "pg_terminate_backend 500 ms into $1: the backend was gone from pg_stat_activity after $ms ms (limit 300)"
	else
		say "not ok" "pg_terminate_backend, $1: gone '$gone' after ${ms:-?} ms (limit 300); terminator: $(echo "$out" | tr '\n' ' '); victim: $(tr '\n' ' ' <"$vout")"
	fi
}

kill -STOP "$stopped"

# (a), (b), (d): every kind of call, statement_timeout and pg_cancel_backend
for call in "memcache_get('k')" "memcache_set('k', 'v')" "memcache_get_multi(ARRAY['a', 'b', 'c'])" \
	"memcache_stats()" "memcache_servers()" "memcache_delete('k')" "memcache_incr('k')" \
	"memcache_set_multi(ARRAY['a', 'b'], ARRAY['1', '2'])" "memcache_server_stats()" \
	"memcache_gets('k')" "memcache_cas('k', 'v', 1)" "memcache_gat('k', interval '1 s')"; do
	check_statement_timeout "$call"
	check_cancel "$call"
done
# A cancel is not a memcached failure: memcache.on_error must not turn it
# into a warning or swallow it.
check_statement_timeout "memcache_get('k')" "SET memcache.on_error = 'silent';" "on_error = silent"
check_statement_timeout "memcache_set('k', 'v')" "SET memcache.on_error = 'warning';" "on_error = warning"

# (c) pg_terminate_backend
check_terminate "memcache_get('k')"
check_terminate "memcache_get_multi(ARRAY['a', 'b', 'c'])"
check_terminate "memcache_cas('k', 'v', 1)"

# (e) The next call in the same backend works and gets its own reply. The
# cancelled get leaves its request unanswered on its connection; once
# memcached runs again it answers it (VALUE stale ... OLD). A connection
# reused after the cancel would hand that stale reply to the next command.
cont
out=$("$MC_ROOT/test/mcwire" "$MC_STOPPED_PORT" "set stale 0 0 3" "OLD" 2>&1)
echo "$out" | grep -q STORED || say "not ok" "could not prepare the key 'stale' on the stopped server: $out"
kill -STOP "$stopped"
out=$(q0 2>&1 <<SQL
SET memcache.server_retry_delay = 0;
SET memcache.servers = '$healthy';
SELECT 'HEALTHY_SET', memcache_set('cancel_healthy', 'hv');
SET memcache.servers = '$hole';
SET memcache.timeout = '20s';
SET statement_timeout = '300ms';
SELECT 'CANCELLED', memcache_get('stale');
\! kill -CONT $stopped
RESET statement_timeout;
SELECT 'NEXT', memcache_set('k2', 'v2'), memcache_get('k2');
SELECT 'STALE', memcache_get('stale');
SET memcache.servers = '$healthy';
SELECT 'HEALTHY_GET', memcache_get('cancel_healthy');
SQL
)
cont
echo "$out" | grep -q '^HEALTHY_SET|t$' && echo "$out" | grep -q 'ERROR:  canceling statement due to statement timeout' &&
	! echo "$out" | grep -q '^CANCELLED' &&
	say ok "same session: the call on the stopped server was cancelled by statement_timeout" ||
	say "not ok" "same session: the cancel did not happen as expected: $(echo "$out" | tr '\n' ' ')"
echo "$out" | grep -q '^NEXT|t|v2$' &&
	say ok "same session, after SIGCONT: memcache_set('k2','v2'), memcache_get('k2') on that server returned t|v2 (no stale reply)" ||
	say "not ok" "same session, next call on the resumed server: $(echo "$out" | grep -E '^NEXT|ERROR|WARNING' | tr '\n' ' ')"
echo "$out" | grep -q '^STALE|OLD$' &&
	say ok "same session: a get of the cancelled key now returns its own reply (OLD)" ||
	say "not ok" "same session, get of the cancelled key: $(echo "$out" | grep -E '^STALE|ERROR|WARNING' | tr '\n' ' ')"
echo "$out" | grep -q '^HEALTHY_GET|hv$' &&
	say ok "same session: the key set on the healthy server before the cancel reads back (hv)" ||
	say "not ok" "same session, healthy server after the cancel: $(echo "$out" | grep -E '^HEALTHY|ERROR|WARNING' | tr '\n' ' ')"

# (f) memcache.timeout alone bounds a call: NULL and a WARNING.
kill -STOP "$stopped"
for call in "memcache_get('k')" "memcache_set('k', 'v')"; do
	out=$(q0 2>&1 <<SQL
SET memcache.servers = '$hole';
SET memcache.server_retry_delay = 0;
SET memcache.timeout = '300ms';
SET memcache.on_error = 'warning';
SET statement_timeout = 0;
DO \$\$
DECLARE t0 timestamptz := clock_timestamp(); r text;
BEGIN
  SELECT $call INTO r;
  RAISE NOTICE 'RESULT % %', coalesce(r, 'NULL'), round((extract(epoch FROM clock_timestamp() - t0) * 1000)::numeric, 1);
END \$\$;
SQL
	)
	res=$(echo "$out" | field RESULT 1)
	ms=$(echo "$out" | field RESULT 2)
	want=NULL
	[ "${call#memcache_set}" != "$call" ] && want=false
	if [ "$res" = "$want" ] && echo "$out" | grep -q 'WARNING:.*timed out' && ms_lt "$ms" 600 && ! ms_lt "$ms" 250; then
		say ok "memcache.timeout 300 ms, no statement_timeout: $call returned $res with a WARNING after $ms ms (limits 250-600)"
	else
		say "not ok" "memcache.timeout 300 ms, $call: result '$res' (want $want), ${ms:-?} ms (limits 250-600): $(echo "$out" | tr '\n' ' ')"
	fi
done
cont

finish
