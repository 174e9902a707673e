#!/bin/bash
# stat.sh: the counters summed across the cluster (memcache_stat), in a
# cluster of its own that preloads the module (port MC_PGPORT+9):
#  - concurrent sessions' calls add up exactly, each counted once, as soon
#    as its transaction ends (an idle session's calls show), an aborted
#    transaction's calls too;
#  - failures by kind: refused (each call tries again), timed out (a black
#    hole) and then marked down, cancelled, a memcached restarted under a pooled connection;
#  - the commit queue: writes lost at COMMIT, a commit-order wait and its
#    time, sets sent as deletes when the wait times out;
#  - memcache_stat_reset() (superuser) starts again from zero (the servers'
#    rows stay);
#  - nothing crashes.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
port=$((MC_PGPORT + 9))
mcport=$((MC_PORT_BASE + 15))
mc=127.0.0.1:$mcport
hole=127.0.0.1:$MC_STOPPED_PORT
dir=$MC_WORK/stat
stopped=$(mc_memcached_pid "$MC_STOPPED_PORT")

start_mc() {
	(memcached -u root -l 127.0.0.1 -p "$mcport" -U 0 -m 16 -P "$dir/memcached.pid" >/dev/null 2>&1 &)
	for _ in $(seq 100); do "$MC_ROOT/test/mcwire" "$mcport" version >/dev/null 2>&1 && return; sleep 0.05; done
}
stop_mc() { kill -9 "$(cat "$dir/memcached.pid" 2>/dev/null)" 2>/dev/null; sleep 0.2; }
cleanup() {
	kill -CONT "$stopped" 2>/dev/null
	[ -f "$dir/data/postmaster.pid" ] && timeout 40 runuser -u postgres -- pg_ctl -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1
	stop_mc
	rm -rf "$dir"
}
on_exit cleanup

rm -rf "$dir"
mkdir -p "$dir/data"
chown -R postgres: "$dir"
runuser -u postgres -- initdb -D "$dir/data" -A trust -U postgres >/dev/null 2>&1
{
	echo "listen_addresses = ''"
	echo "port = $port"
	echo "unix_socket_directories = '$dir'"
	echo "shared_preload_libraries = 'memcache'"
	echo "memcache.servers = '$mc'"
	echo "max_connections = 30"
	echo "shared_buffers = 16MB"
} >>"$dir/data/postgresql.conf"
timeout 70 runuser -u postgres -- pg_ctl -D "$dir/data" -l "$dir/log" -w -t 60 start >/dev/null 2>&1 ||
	{ say "not ok" "a preloading cluster starts: $(tail -5 "$dir/log")"; finish; }
start_mc
sq() { timeout 60 psql -X -At -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres "$@"; }
sq0() { timeout 60 psql -X -At -v ON_ERROR_STOP=0 -h "$dir" -p "$port" -U postgres -d postgres "$@"; }
sq -q -c "SET client_min_messages = warning" -c "CREATE EXTENSION memcache"
# stat COLUMNS [WHERE]: the view's columns for server $mc
stat() { sq -c "SELECT $1 FROM memcache_stat WHERE ${2:-server = '$mc'}"; }

# 1. Four sessions at once, 200 sets and 200 gets each, in 20 transactions
# of 10 calls: the sums are exact.
for s in 1 2 3 4; do
	(for t in $(seq 20); do
		echo "BEGIN;"
		echo "SELECT count(*) FROM generate_series(1, 10) i WHERE memcache_set('s$s:' || i, 'v');"
		echo "SELECT count(*) FROM generate_series(1, 10) i WHERE memcache_get('s$s:' || i) = 'v';"
		echo "COMMIT;"
	done | sq -q >"$dir/s$s.out" 2>&1) &
done
wait
got=$(stat "cmd_set, cmd_get, get_hits, get_misses, connections")
check "4 sessions x 200 sets and 200 gets: sets, gets, hits, misses, connections = $got (want 800|800|800|0|4)" \
	test "$got" = "800|800|800|0|4"
got=$(stat "trips_under_1ms + trips_1_to_10ms + trips_10_to_100ms + trips_over_100ms, time_ms > 0, bytes_sent > 800 * 20, bytes_received > 800 * 20")
check "every call is one round trip, timed; bytes both ways ($got)" test "$got" = "1600|t|t|t"

# 2. An idle session's calls show once its transaction ended; an aborted
# transaction's calls count too.
sq -q >"$dir/idle.out" 2>&1 <<SQL &
SELECT memcache_set('idle', 'x'), memcache_delete('idle'), memcache_delete('idle');
\! sleep 3
SQL
idle=$!
sleep 1.5
got=$(stat "cmd_delete, not_found")
check "a session's calls show while it sits idle after its statement (deletes, not found: $got, want 2|1)" test "$got" = "2|1"
wait $idle
sq0 -q -c "BEGIN" -c "SELECT memcache_add('ab', 'x')" -c "SELECT 1/0" -c "ROLLBACK" >/dev/null 2>&1
check "an aborted transaction's call counts (add: $(stat cmd_add))" test "$(stat cmd_add)" = 1

# 3. Failures by kind.
out=$(sq0 2>&1 <<SQL
SET memcache.servers = '127.0.0.1:$MC_CLOSED_PORT';
SET memcache.on_error = silent;
SELECT memcache_get('a'), memcache_get('b'), memcache_get('c');
SQL
)
got=$(stat "cmd_get, err_refused, err_while_down, marked_down, connections" "server = '127.0.0.1:$MC_CLOSED_PORT'")
check "refused, not marked down (only a timeout marks a server down): gets, refused, failed while down, marks, connections = $got (want 3|3|0|0|0)" test "$got" = "3|3|0|0|0"
kill -STOP "$stopped"
sq0 -q >/dev/null 2>&1 <<SQL
SET memcache.servers = '$hole';
SET memcache.server_retry_delay = 0;
SET memcache.on_error = silent;
SET memcache.timeout = '200ms';
SELECT memcache_set('t', 'x');
SET memcache.timeout = '10s';
SET statement_timeout = '300ms';
SELECT memcache_get('t');
SQL
kill -CONT "$stopped"
got=$(stat "cmd_set, cmd_get, err_timeout, cancelled, trips_10_to_100ms + trips_over_100ms" "server = '$hole'")
check "a black hole: the set timed out, the get was cancelled, both slow round trips ($got, want 1|1|1|1|2)" test "$got" = "1|1|1|1|2"
# A timeout marks the server down (memcache.server_retry_delay): the next
# calls of that session fail at once.
cols="cmd_get, cmd_get_multi, err_timeout, err_while_down, marked_down"
before=$(stat "$cols" "server = '$hole'")
kill -STOP "$stopped"
sq0 -q >/dev/null 2>&1 <<SQL
SET memcache.servers = '$hole';
SET memcache.on_error = silent;
SET memcache.timeout = '200ms';
SELECT memcache_get('d');
SELECT memcache_get('d'), count(*) FROM memcache_get_multi(ARRAY['d', 'e']);
SQL
kill -CONT "$stopped"
after=$(stat "$cols" "server = '$hole'")
got=$(paste -d' ' <(tr '|' '\n' <<<"$after") <(tr '|' '\n' <<<"$before") | awk '{printf "%s%d", (NR > 1 ? "|" : ""), $1 - $2}')
check "timed out, then marked down: gets, get_multis, timeouts, failed while down, marks = $got (want 2|1|1|2|1)" test "$got" = "2|1|1|2|1"
# memcached restarted under a pooled connection: the call goes through on a
# new connection, no failure counted.
before=$(stat "connections")
out=$(sq0 2>&1 <<SQL
SELECT memcache_set('r', '1');
\! kill -9 \$(cat $dir/memcached.pid); sleep 0.2; memcached -u root -l 127.0.0.1 -p $mcport -U 0 -m 16 -P $dir/memcached.pid -d; sleep 0.3
SELECT memcache_set('r', '2');
SQL
)
got=$(stat "connections - $before, err_reset + err_refused + err_other")
check "memcached restarted between two calls: the second reconnects (new connections, failures: $got, want 2|0)" test "$got" = "2|0"

# 4. The commit queue. A's commit-time send hangs on the black hole holding
# the key's commit-order lock; B commits a write of the same key and waits.
kill -STOP "$stopped"
sq0 -q >"$dir/a.out" 2>&1 <<SQL &
SET memcache.servers = '$hole';
SET memcache.timeout = '1500ms';
SET memcache.server_retry_delay = 0;
BEGIN;
SELECT memcache_set_on_commit('ordered', 'a');
COMMIT;
SQL
a=$!
sleep 0.5
sq0 -q >"$dir/b.out" 2>&1 <<SQL
SET memcache.commit_timeout = '400ms';
BEGIN;
SELECT memcache_set_on_commit('ordered', 'b');
COMMIT;
SQL
wait $a
kill -CONT "$stopped"
got=$(stat "commit_xacts, commit_queued, commit_sent, commit_failed, commit_unordered, commit_waits, commit_wait_ms >= 350 AND commit_wait_ms < 1500" "server IS NULL")
check "commit queue: 2 commits, 2 queued, B's sent as a delete after a 400 ms wait, A's lost on the black hole ($got, want 2|2|1|1|1|1|t)" \
	test "$got" = "2|2|1|1|1|1|t"
grep -q "sent as deletes" "$dir/b.out" || say "not ok" "B's WARNING about the delete: $(cat "$dir/b.out")"

# 5. memcache_stat_reset(): superuser only, and from zero.
sq -q -c "CREATE ROLE stat_mon IN ROLE pg_monitor"
out=$(sq0 -c "SET ROLE stat_mon" -c "SELECT memcache_stat_reset()" 2>&1)
echo "$out" | grep -q "permission denied for function memcache_stat_reset" &&
	say ok "a pg_monitor member cannot reset the counters" || say "not ok" "reset by a pg_monitor member: $out"
got=$(sq -q -c "SET ROLE stat_mon" -c "SELECT count(*) FROM memcache_stat")
check "a pg_monitor member reads the view ($got rows)" test "$got" -ge 2
sq -q -c "SELECT memcache_stat_reset()"
got=$(sq -c "SELECT count(*), count(*) FILTER (WHERE cmd_get + cmd_set + cmd_delete + err_refused + connections + bytes_sent > 0 OR commit_queued + commit_sent + commit_waits > 0) FROM memcache_stat")
check "after memcache_stat_reset(): the rows of the 4 servers and the queue stay, every counter at zero ($got)" test "$got" = "4|0"
sq -q -c "SELECT memcache_get('after')" -c "SELECT memcache_get('after')"
check "counting starts again after a reset (gets: $(stat "cmd_get, get_misses"))" test "$(stat "cmd_get, get_misses")" = "2|2"
sq -q -c "DROP ROLE stat_mon"

if grep -q 'terminated by signal\|was terminated by\|PANIC' "$dir/log"; then
	say "not ok" "the preloading cluster's log shows a crash: $(grep -m2 'terminated by signal\|PANIC' "$dir/log" | tr '\n' ' ')"
else
	say ok "no crash in the preloading cluster's log"
fi
no_crash "stat"
finish
