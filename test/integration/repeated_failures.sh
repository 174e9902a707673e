#!/bin/bash
# repeated_failures.sh: a statement of 200k rows with one of two servers
# refusing connections (memcache.on_error = warning) gives its client two
# WARNINGs, the first failure and the count of the others at the end, and
# the server log as many; the same for an INSERT whose row trigger calls
# memcache_set, and for a DO block. The rows of the healthy server are
# stored.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
servers="127.0.0.1:$MC_PORT_BASE,127.0.0.1:$MC_CLOSED_PORT"
log=$MC_WORK/postgresql.log
N=${MC_FLOOD_ROWS:-200000}

# run LABEL SQL: the client's stderr and the server log lines the statement
# wrote, counted; prints "warnings loglines seconds" and keeps the output.
run() {
	local before after t0 t1
	before=$(wc -l <"$log")
	t0=$(date +%s.%N)
	q -c "SET memcache.servers = '$servers'" -c "$2" >"$MC_WORK/flood.out" 2>"$MC_WORK/flood.err"
	t1=$(date +%s.%N)
	sleep 0.5 # the logging collector may write a moment later
	after=$(wc -l <"$log")
	tail -n +"$((before + 1))" "$log" | head -n "$((after - before))" >"$MC_WORK/flood.log"
	echo "$(grep -c '^WARNING:' "$MC_WORK/flood.err") $(grep -c 'WARNING:' "$MC_WORK/flood.log") $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')"
}

check_run() { # check_run LABEL WARNINGS LOGLINES SECONDS
	local first count
	first=$(grep -m1 '^WARNING:' "$MC_WORK/flood.err")
	count=$(grep '^WARNING:.* more failures of 127.0.0.1:'"$MC_CLOSED_PORT"' in this statement' "$MC_WORK/flood.err")
	echo "#   $1: $2 WARNINGs to the client, $3 in the server log ($(wc -c <"$MC_WORK/flood.log") bytes), $4 s"
	echo "#     $first"
	echo "#     $count"
	if [ "$2" = 2 ] && [ "$3" = 2 ] && echo "$first" | grep -q "127.0.0.1:$MC_CLOSED_PORT: connect: connection refused" &&
		grep -q 'DETAIL:  Further failures of 127.0.0.1:'"$MC_CLOSED_PORT"' in this statement are counted' "$MC_WORK/flood.err" &&
		[ -n "$count" ]; then
		say ok "$1: two WARNINGs (the first failure, then the count), two in the server log"
	else
		say "not ok" "$1: $2 WARNINGs to the client, $3 in the log: $(head -c 300 "$MC_WORK/flood.err")"
	fi
}

read -r w l s <<<"$(run select "SELECT count(*) FILTER (WHERE memcache_set('flood:' || i, 'v')) FROM generate_series(1, $N) i")"
check_run "SELECT of $N rows" "$w" "$l" "$s"
stored=$(grep -o '^[0-9]*' "$MC_WORK/flood.out")
failed=$(sed -n 's/.*WARNING:  memcache: \([0-9]*\) more failures.*/\1/p' "$MC_WORK/flood.err")
[ -n "$stored" ] && [ -n "$failed" ] && [ $((stored + failed + 1)) = "$N" ] && [ "$stored" -gt $((N / 3)) ] &&
	say ok "every row is either stored ($stored) or counted ($failed + 1)" ||
	say "not ok" "stored '$stored', counted '$failed' of $N"

q -c "DROP TABLE IF EXISTS flood" -c "CREATE TABLE flood (k text)" >/dev/null
q <<'SQL' >/dev/null
CREATE OR REPLACE FUNCTION flood_set() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM memcache_set(NEW.k, 'v');
  RETURN NULL;
END $$;
CREATE TRIGGER flood_set AFTER INSERT ON flood FOR EACH ROW EXECUTE FUNCTION flood_set();
SQL
on_exit 'q -c "DROP TABLE IF EXISTS flood" -c "DROP FUNCTION IF EXISTS flood_set()" >/dev/null 2>&1'
read -r w l s <<<"$(run insert "INSERT INTO flood SELECT 'flood:' || i FROM generate_series(1, $((N / 4))) i")"
check_run "INSERT of $((N / 4)) rows, a row trigger calling memcache_set" "$w" "$l" "$s"
read -r w l s <<<"$(run do "DO \$\$ BEGIN FOR i IN 1..$((N / 4)) LOOP PERFORM memcache_get('flood:' || i); END LOOP; END \$\$")"
check_run "DO block of $((N / 4)) calls" "$w" "$l" "$s"
# Forty servers failing in one statement: the first 32 are reported and
# counted one by one, the others share one entry ("other servers"). A 33rd
# server used to crash the backend (a NULL entry written through).
forty=$(seq -f "127.0.3.%g:$MC_CLOSED_PORT" 1 40 | paste -sd,)
for stmt in "SELECT count(*) FROM memcache_get_multi(array(SELECT 'k' || g FROM generate_series(1, 500) g))" \
	"SELECT count(*) FILTER (WHERE memcache_set('k' || g, 'v')) FROM generate_series(1, 2000) g"; do
	r=$(q -c "SET memcache.servers = '$forty'" -c "$stmt" 2>&1)
	firsts=$(echo "$r" | grep -c '^WARNING:  memcache: .*connect: connection refused')
	others=$(echo "$r" | grep -c '^WARNING:  memcache: [0-9]* more failures of other servers in this statement')
	echo "#   ${stmt:0:50}...: $(echo "$r" | grep -c '^WARNING:') WARNINGs, $firsts first failures, $others count of other servers"
	echo "$r" | grep -qx '0' && [ "$firsts" = 33 ] && [ "$others" = 1 ] &&
		say ok "40 servers failing in one statement (${stmt:26:20}...): the first 32 reported one by one, the others together" ||
		say "not ok" "40 servers failing in one statement: $(echo "$r" | tail -5 | tr '\n' ' ')"
done
r=$(q -c "SELECT memcache_set('k', 'v'), memcache_get('k')" 2>&1)
[ "$r" = "t|v" ] && say ok "the session after them works" || say "not ok" "after 40 servers failing: $r"
no_crash "repeated failures"
finish
