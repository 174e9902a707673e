#!/bin/bash
# load.sh: the blog's sessions workload under pgbench (8 clients, 30 s:
# INSERT and UPDATE through rules calling memcache_set) while memcached is
# killed and restarted twice. Pass: pgbench reports 0 failed transactions,
# every row is in the table, no backend crashed, and writes reach memcached
# again after the restart.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

port=$((MC_PORT_BASE + 5))
pidf=$MC_WORK/memcached-$port.pid
start_mc() {
	(memcached -u root -l 127.0.0.1 -p "$port" -U 0 -m 64 -c 1024 -P "$pidf" >/dev/null 2>&1 &)
	for _ in $(seq 100); do "$MC_ROOT/test/mcwire" "$port" version >/dev/null 2>&1 && return; sleep 0.05; done
}
stop_mc() { kill -9 "$(cat "$pidf" 2>/dev/null)" 2>/dev/null; sleep 0.1; }
on_exit 'stop_mc'
start_mc

db=load_test
q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
q -d $db <<SQL >/dev/null
CREATE EXTENSION memcache;
ALTER DATABASE $db SET memcache.servers = '127.0.0.1:$port';
ALTER DATABASE $db SET client_min_messages = error;
CREATE TABLE sessions (session_id char(32) PRIMARY KEY, data bytea NOT NULL);
CREATE RULE sessions_insert AS ON INSERT TO sessions
  DO ALSO SELECT memcache_set(NEW.session_id::text, NEW.data);
CREATE RULE sessions_update AS ON UPDATE TO sessions
  DO ALSO SELECT memcache_set(NEW.session_id::text, NEW.data);
INSERT INTO sessions SELECT md5(i::text), '\x00' FROM generate_series(1, 1000) i;
SQL

script=$MC_WORK/load.pgbench
cat >"$script" <<'PGB'
\set id random(1, 1000)
INSERT INTO sessions VALUES (md5(random()::text || clock_timestamp()::text), convert_to(:client_id::text, 'UTF8'));
UPDATE sessions SET data = convert_to(clock_timestamp()::text, 'UTF8') WHERE session_id = md5(:id::text);
PGB

log=$MC_WORK/load.log
pgbench -n -c 8 -j 2 -T 30 -f "$script" $db >"$log" 2>"$log.err" &
bench=$!
sleep 7; stop_mc; echo "# memcached killed at 7 s"
sleep 4; start_mc; echo "# memcached restarted at 11 s"
sleep 6; stop_mc; echo "# memcached killed at 17 s"
sleep 4; start_mc; echo "# memcached restarted at 21 s"
wait $bench
st=$?
cat "$log" | grep -E 'transactions|failed|tps' | sed 's/^/#   /'

processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$log")
failed=$(pgbench_failed "$log" "$log.err")
[ $st = 0 ] && [ "${failed:-x}" = 0 ] && [ "${processed:-0}" -gt 0 ] &&
	say ok "pgbench: $processed transactions, 0 failed, while memcached was killed twice" ||
	say "not ok" "pgbench exit $st, processed '${processed:-?}', failed '${failed:-?}': $(head -5 "$log.err")"

rows=$(q -d $db -c "SELECT count(*) FROM sessions")
[ "$rows" = $((1000 + ${processed:-0})) ] &&
	say ok "every row is in the table ($rows = 1000 + $processed)" ||
	say "not ok" "table has $rows rows, expected $((1000 + ${processed:-0}))"

# Writes reach memcached again (the retry delay has passed by now).
sleep 5
q -d $db -c "INSERT INTO sessions VALUES ('after-restart-000000000000000000', 'arrived')" >/dev/null
got=$("$MC_ROOT/test/mcwire" "$port" 'get after-restart-000000000000000000' | sed -n 2p)
[ "$got" = arrived ] && say ok "after the restarts a new row reached memcached" ||
	say "not ok" "after the restarts memcached has '$got'"
items=$("$MC_ROOT/test/mcwire" "$port" stats | sed -n 's/^STAT curr_items //p')
echo "#   memcached holds $items items written since its last restart"

if grep -q 'terminated by signal\|server process .* was terminated' "$MC_WORK/postgresql.log"; then
	say "not ok" "a backend crashed: $(grep 'terminated by signal' "$MC_WORK/postgresql.log" | head -2)"
else
	say ok "no backend crashed (server log)"
fi
q -c "DROP DATABASE $db" >/dev/null
finish
