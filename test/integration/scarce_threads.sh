#!/bin/bash
# scarce_threads.sh: the Go scheduler when it is refused a thread. A backend
# gives its Go runtime a fixed set of threads (extension/go_threads.h); when
# the runtime wants one more it is refused and must carry on with those it
# has. It once lost work on that path: every thread asleep, the backend's
# own one waiting for a goroutine nobody would run, forever and deaf to
# cancel (seen in CI under 180 clients; with one thread fewer it happened in
# the first 20 s). Here a throwaway cluster (port MC_PGPORT+1) is started
# with MEMCACHE_TEST_GO_THREADS=3, one thread fewer, so that refusals happen
# at every turn, and loaded two ways: 100 sessions calling at once, and
# 40 clients that open a new session for every transaction (each one starts
# a Go runtime, where the hang was first caught). Pass: both finish in time
# with no failed transaction, the sessions did run with 3 Go threads, and
# no backend crashed.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
port=$((MC_PGPORT + 1))
mcserver=127.0.0.1:$MC_PORT_BASE
dir=$MC_WORK/scarce
stop_cluster() {
	[ -f "$dir/data/postmaster.pid" ] &&
		timeout 40 runuser -u postgres -- pg_ctl -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1
	true
}
on_exit 'stop_cluster; rm -rf "$dir"'

rm -rf "$dir"
mkdir -p "$dir/data"
chown -R postgres: "$dir"
runuser -u postgres -- initdb -D "$dir/data" -A trust -U postgres >/dev/null 2>&1
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $port
unix_socket_directories = '$dir'
memcache.servers = '$mcserver'
max_connections = 120
shared_buffers = 32MB
CONF
if ! timeout 70 runuser -u postgres -- env MEMCACHE_TEST_GO_THREADS=3 \
	pg_ctl -D "$dir/data" -l "$dir/log" -w -t 60 start >/dev/null 2>&1; then
	say "not ok" "the throwaway cluster did not start: $(tail -3 "$dir/log" 2>/dev/null | tr '\n' ' ')"
	finish
fi
export PGHOST=$dir PGPORT=$port PGUSER=postgres
q -d postgres -c "CREATE EXTENSION memcache" >/dev/null

# The knob took: a session that called holds its own thread and 3 of Go's.
t=$(q -d postgres <<'SQL' 2>&1
SELECT memcache_set('scarce_0', 'v');
SELECT pg_backend_pid() AS bpid \gset
\setenv BPID :bpid
\! awk '/^Threads:/ {print "THREADS", $2}' /proc/$BPID/status
SQL
)
t=$(echo "$t" | sed -n 's/^THREADS //p')
[ "$t" = 4 ] &&
	say ok "a session runs with 3 Go threads besides its own ($t in all)" ||
	say "not ok" "a session has '$t' threads (expected 4: MEMCACHE_TEST_GO_THREADS=3 did not take)"

script=$MC_WORK/scarce.pgbench
cat >"$script" <<'PGB'
\set k random(1, 10000)
SELECT memcache_set('scarce_' || :k, repeat('v', :k));
SELECT length(memcache_get('scarce_' || :k)), memcache_get('scarce_' || (:k + 1));
PGB

# run LABEL SECONDS PGBENCH-ARGS...: pgbench, bounded; says how it went.
run() {
	local label=$1 secs=$2 st processed failed
	shift 2
	timeout 180 pgbench -n -T "$secs" -f "$script" "$@" postgres >"$MC_WORK/scarce.log" 2>"$MC_WORK/scarce.err"
	st=$?
	[ $st != 124 ] || { echo "#   pgbench did not finish in 180 s"; dump_stuck postgres; }
	processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$MC_WORK/scarce.log")
	failed=$(pgbench_failed "$MC_WORK/scarce.log" "$MC_WORK/scarce.err")
	[ $st = 0 ] && [ "${failed:-x}" = 0 ] && [ "${processed:-0}" -gt 0 ] &&
		say ok "$label: $processed transactions in ${secs} s, 0 failed" ||
		say "not ok" "$label: exit $st, processed '${processed:-?}', failed '${failed:-?}': $(grep -v WARNING "$MC_WORK/scarce.err" | head -3 | tr '\n' ' ')"
}
run "100 sessions at once, 3 Go threads each" 15 -c 100 -j 2
run "40 clients, a new session (a new Go runtime) for every transaction" 15 -c 40 -j 2 -C

no_crash "scarce threads" "$dir/log"
finish
