#!/bin/bash
# cancel.sh: a call stuck on a memcached that accepts and never answers
# (SIGSTOPped) ends within 100 ms (+ slack for a busy 2-core machine) of
# pg_cancel_backend, statement_timeout or pg_terminate_backend, for every
# kind of call; and the same backend's next call works.
set -u
source "$MC_ROOT/test/lib.sh"
fail=0
say() { echo "$1 - $2"; [ "$1" = ok ] || fail=1; }
q() { timeout 60 psql -X -At "$@"; }
stopped=$(mc_memcached_pid "$MC_STOPPED_PORT")
trap 'kill -CONT $stopped 2>/dev/null' EXIT
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS memcache" >/dev/null
hole="SET memcache.servers = '127.0.0.1:$MC_STOPPED_PORT'; SET memcache.timeout = '20s'; SET memcache.server_retry_delay = 0;"

# victim CALL [SETTINGS]: runs CALL against the black hole, catches the
# cancel and prints the epoch at which it got control back.
victim() {
	q 2>&1 <<SQL
$hole
SET application_name = 'cancel_victim';
$2
DO \$\$
BEGIN
  PERFORM $1;
EXCEPTION WHEN query_canceled THEN
  RAISE NOTICE 'CAUGHT % %', extract(epoch FROM clock_timestamp()), extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000;
END \$\$;
SQL
}

kill -STOP "$stopped"
for call in "memcache_get('k')" "memcache_set('k', 'v')" "memcache_get_multi(ARRAY['a', 'b'])" \
	"memcache_stats()" "memcache_servers()" "memcache_delete('k')" "memcache_incr('k')"; do
	# statement_timeout
	out=$(victim "$call" "SET statement_timeout = '300ms';")
	ms=$(echo "$out" | sed -n 's/.*CAUGHT [0-9.]* \([0-9]*\).*/\1/p')
	[ -n "$ms" ] && [ "$ms" -lt 550 ] && say ok "statement_timeout 300 ms ended $call after $ms ms" ||
		say "not ok" "statement_timeout, $call: $out"
	# pg_cancel_backend from another session
	victim "$call" "" >"$MC_WORK/victim.out" &
	v=$!
	sleep 0.5
	sent=$(q -c "SELECT extract(epoch FROM clock_timestamp()), pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'cancel_victim' AND state = 'active'" | cut -d'|' -f1)
	wait $v
	caught=$(sed -n 's/.*CAUGHT \([0-9.]*\) .*/\1/p' "$MC_WORK/victim.out")
	ms=$(awk -v a="${caught:-0}" -v b="${sent:-0}" 'BEGIN { printf "%d", (a - b) * 1000 }')
	[ -n "$caught" ] && [ -n "$sent" ] && [ "$ms" -lt 250 ] && say ok "pg_cancel_backend ended $call after $ms ms" ||
		say "not ok" "pg_cancel_backend, $call: sent '$sent', caught '$caught': $(cat "$MC_WORK/victim.out")"
done

# pg_terminate_backend: the backend is gone within 100 ms (+ slack)
victim "memcache_get('k')" "" >/dev/null 2>&1 &
sleep 0.5
out=$(q 2>&1 <<'SQL'
DO $$
DECLARE p int; t timestamptz;
BEGIN
  SELECT pid INTO p FROM pg_stat_activity WHERE application_name = 'cancel_victim' AND state = 'active';
  t := clock_timestamp();
  PERFORM pg_terminate_backend(p);
  FOR i IN 1..600 LOOP
    PERFORM pg_stat_clear_snapshot();  -- else the view keeps the transaction's snapshot
    EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = p);
    PERFORM pg_sleep(0.005);
  END LOOP;
  RAISE NOTICE 'GONE %', round(extract(epoch FROM clock_timestamp() - t) * 1000);
END $$;
SQL
)
wait
ms=$(echo "$out" | sed -n 's/.*GONE \([0-9]*\).*/\1/p')
[ -n "$ms" ] && [ "$ms" -lt 300 ] && say ok "pg_terminate_backend: the backend stuck in memcache_get was gone after $ms ms" ||
	say "not ok" "pg_terminate_backend: $out"

# The next call in the same backend works and reads its own reply: the
# connection left mid-command is dropped, not reused (a reused one would
# hand the stale reply of the cancelled command to the next one).
out=$(q 2>&1 <<SQL
$hole
SET statement_timeout = '300ms';
SELECT memcache_set('stale', 'first');
\! kill -CONT $stopped
RESET statement_timeout;
SELECT memcache_set('fresh', 'second'), memcache_get('fresh');
SELECT memcache_get('stale');
SQL
)
echo "$out" | grep -q '^t|second$' && say ok "after a cancelled call the same backend's next calls get their own replies" ||
	say "not ok" "next call after cancel: $out"
exit $fail
