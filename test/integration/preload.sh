#!/bin/bash
# preload.sh: every way of loading the module, each in a throwaway cluster
# of its own (port MC_PGPORT+1, unix socket in its directory, no TCP):
#  (a) shared_preload_libraries: the cluster starts, sessions work, the
#      postmaster stays Go-free (1 thread: a Go runtime does not survive
#      fork), a backend that never called the extension has 1 thread, one
#      that did has more, and pg_ctl -m fast stop completes;
#  (b) session_preload_libraries; (c) LOAD 'memcache'.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
port=$((MC_PGPORT + 1))
mcserver=127.0.0.1:$MC_PORT_BASE
dir=
bg=

stop_cluster() { # stop_cluster MODE
	[ -n "$dir" ] && [ -f "$dir/data/postmaster.pid" ] &&
		timeout 40 runuser -u postgres -- pg_ctl -D "$dir/data" -m "$1" -w -t 30 stop >/dev/null 2>&1
	true
}
cleanup() {
	[ -n "$bg" ] && kill "$bg" 2>/dev/null
	stop_cluster immediate
	rm -rf "$MC_WORK"/preload-*
}
on_exit 'cleanup'

# new_cluster NAME "postgresql.conf line": initdb and start; sets dir.
new_cluster() {
	stop_cluster immediate
	dir=$MC_WORK/preload-$1
	rm -rf "$dir"
	mkdir -p "$dir/data"
	chown -R postgres: "$dir"
	runuser -u postgres -- initdb -D "$dir/data" -A trust -U postgres >/dev/null 2>&1 || return 1
	{
		echo "listen_addresses = ''"
		echo "port = $port"
		echo "unix_socket_directories = '$dir'"
		echo "memcache.servers = '$mcserver'"
		echo "max_connections = 20"
		echo "shared_buffers = 16MB"
		echo "$2"
	} >>"$dir/data/postgresql.conf"
	timeout 70 runuser -u postgres -- pg_ctl -D "$dir/data" -l "$dir/log" -w -t 60 start >/dev/null 2>&1
}
pq() { timeout 60 psql -X -At -v ON_ERROR_STOP=0 -h "$dir" -p "$port" -U postgres -d postgres "$@"; }
threads_of() { awk '/^Threads:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
# THREADS_SQL: psql lines printing "THREADS n" for this session's backend
THREADS_SQL='SELECT pg_backend_pid() AS bpid \gset
\setenv BPID :bpid
\! awk '"'"'/^Threads:/ {print "THREADS", $2}'"'"' /proc/$BPID/status'
threads_in() { echo "$1" | sed -n "s/^THREADS //p" | sed -n "${2:-1}p"; }
no_crash() { # no_crash LABEL
	if grep -q 'terminated by signal\|was terminated by\|PANIC' "$dir/log"; then
		say "not ok" "$1: the server log shows a crash: $(grep 'terminated by signal\|was terminated by\|PANIC' "$dir/log" | head -2 | tr '\n' ' ')"
	else
		say ok "$1: no backend crashed (server log)"
	fi
}

# --- (a) shared_preload_libraries -----------------------------------------------
if new_cluster shared "shared_preload_libraries = 'memcache'"; then
	say ok "shared_preload_libraries = 'memcache': the cluster starts"
	pm=$(head -1 "$dir/data/postmaster.pid")
	r1=$(pq 2>&1 <<SQL
SET client_min_messages = warning;
CREATE EXTENSION memcache;
SHOW memcache.servers;
SELECT memcache_set('preload_shared_1', 'one'), memcache_get('preload_shared_1');
SQL
	)
	direct=$("$MC_ROOT/test/mcwire" "$MC_PORT_BASE" "get preload_shared_1" 2>&1 | tr '\n' ' ')
	if echo "$r1" | grep -qx "$mcserver" && echo "$r1" | grep -qx 't|one' && [ "$direct" = "VALUE preload_shared_1 0 3 one END " ]; then
		say ok "preloaded: a new session creates the extension, sets and gets on $mcserver (the key is on that memcached)"
	else
		say "not ok" "preloaded, first session: $(echo "$r1" | tr '\n' ' '); on $mcserver: '$direct'"
	fi
	# two more sessions, at the same time
	pq -c "SELECT memcache_set('preload_shared_2', 'two'), memcache_get('preload_shared_2'), memcache_get('preload_shared_1')" >"$dir/s2.out" 2>&1 &
	s2=$!
	r3=$(pq -c "SELECT memcache_set('preload_shared_3', 'three'), memcache_get('preload_shared_3'), memcache_get('preload_shared_1')" 2>&1)
	wait $s2
	r2=$(cat "$dir/s2.out")
	[ "$r2" = "t|two|one" ] && [ "$r3" = "t|three|one" ] &&
		say ok "preloaded: two more sessions set and get ($r2, $r3)" ||
		say "not ok" "preloaded, two more sessions: '$r2' '$r3'"

	idle=$(pq 2>&1 <<SQL
SELECT 1;
$THREADS_SQL
SQL
	)
	used=$(pq 2>&1 <<SQL
$THREADS_SQL
SELECT memcache_get('preload_shared_1');
$THREADS_SQL
SQL
	)
	idle_n=$(threads_in "$idle")
	used_before=$(threads_in "$used" 1)
	used_after=$(threads_in "$used" 2)
	[ "$idle_n" = 1 ] &&
		say ok "preloaded: a backend that never called the extension has $idle_n thread" ||
		say "not ok" "preloaded: a backend that never called the extension has '$idle_n' threads: $(echo "$idle" | tr '\n' ' ')"
	[ "$used_before" = 1 ] && [ "${used_after:-0}" -gt 1 ] && echo "$used" | grep -qx one &&
		say ok "preloaded: a backend has $used_before thread before its first call and $used_after after it" ||
		say "not ok" "preloaded: backend threads before/after its first call: '$used_before' '$used_after': $(echo "$used" | tr '\n' ' ')"
	pm_threads=$(threads_of "$pm")
	[ "$pm_threads" = 1 ] &&
		say ok "preloaded: the postmaster (pid $pm) has $pm_threads thread after all this: Go never started there" ||
		say "not ok" "preloaded: the postmaster (pid $pm) has '$pm_threads' threads"

	# fast stop with a Go-loaded session connected
	pq -c "SET application_name = 'mc_preload_idle'" -c "SELECT memcache_set('preload_shared_4', 'four')" -c "SELECT pg_sleep(60)" >"$dir/bg.out" 2>&1 &
	bg=$!
	for _ in $(seq 200); do
		[ "$(pq -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mc_preload_idle' AND wait_event = 'PgSleep'" 2>/dev/null)" = 1 ] && break
		sleep 0.05
	done
	start=$(date +%s%N)
	timeout 40 runuser -u postgres -- pg_ctl -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1
	st=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	for _ in $(seq 100); do kill -0 "$bg" 2>/dev/null || break; sleep 0.05; done
	kill "$bg" 2>/dev/null
	wait "$bg" 2>/dev/null
	bg=
	if [ $st = 0 ] && [ $ms -lt 30000 ] && grep -qx 't' "$dir/bg.out"; then
		say ok "preloaded: pg_ctl -m fast stop with a Go-loaded session connected completed in $ms ms (limit 30000)"
	else
		say "not ok" "preloaded: pg_ctl -m fast stop: status $st after $ms ms; the session: $(tr '\n' ' ' <"$dir/bg.out")"
	fi
	no_crash "shared_preload_libraries"
else
	say "not ok" "shared_preload_libraries = 'memcache': the cluster did not start: $(tail -5 "$dir/log" 2>/dev/null | tr '\n' ' ')"
fi

# --- (b) session_preload_libraries ----------------------------------------------
if new_cluster session "session_preload_libraries = 'memcache'"; then
	pq -c "SET client_min_messages = warning" -c "CREATE EXTENSION memcache" >/dev/null 2>&1
	r=$(pq 2>&1 <<SQL
$THREADS_SQL
SELECT memcache_set('preload_session', 'session'), memcache_get('preload_session');
$THREADS_SQL
SQL
	)
	r2=$(pq -c "SELECT memcache_get('preload_session')" 2>&1)
	before=$(threads_in "$r" 1)
	after=$(threads_in "$r" 2)
	echo "$r" | grep -qx 't|session' && [ "$r2" = session ] &&
		say ok "session_preload_libraries = 'memcache': set and get in one session, get in another" ||
		say "not ok" "session_preload_libraries: '$(echo "$r" | tr '\n' ' ')' '$r2'"
	[ "$before" = 1 ] && [ "${after:-0}" -gt 1 ] &&
		say ok "session_preload_libraries: $before thread before the first call, $after after it" ||
		say "not ok" "session_preload_libraries: threads before/after the first call '$before' '$after'"
	start=$(date +%s%N)
	stop_cluster fast
	ms=$((($(date +%s%N) - start) / 1000000))
	[ ! -f "$dir/data/postmaster.pid" ] && say ok "session_preload_libraries: fast stop in $ms ms" ||
		say "not ok" "session_preload_libraries: fast stop did not complete ($ms ms)"
	no_crash "session_preload_libraries"
else
	say "not ok" "session_preload_libraries = 'memcache': the cluster did not start: $(tail -5 "$dir/log" 2>/dev/null | tr '\n' ' ')"
fi

# --- (c) LOAD -------------------------------------------------------------------------
if new_cluster load ""; then
	pq -c "SET client_min_messages = warning" -c "CREATE EXTENSION memcache" >/dev/null 2>&1
	r=$(pq 2>&1 <<SQL
LOAD 'memcache';
$THREADS_SQL
SET memcache.timeout = '2s';
SELECT memcache_set('preload_load', 'loaded'), memcache_get('preload_load');
SELECT memcache_get('preload_load');
$THREADS_SQL
SQL
	)
	before=$(threads_in "$r" 1)
	after=$(threads_in "$r" 2)
	echo "$r" | grep -qx 't|loaded' && echo "$r" | grep -qx 'loaded' && ! echo "$r" | grep -q ERROR &&
		say ok "LOAD 'memcache', then set and get" ||
		say "not ok" "LOAD 'memcache': $(echo "$r" | tr '\n' ' ')"
	[ "$before" = 1 ] && [ "${after:-0}" -gt 1 ] &&
		say ok "LOAD 'memcache': $before thread after LOAD, $after after the first call" ||
		say "not ok" "LOAD 'memcache': threads after LOAD/after the first call '$before' '$after'"
	stop_cluster fast
	[ ! -f "$dir/data/postmaster.pid" ] || say "not ok" "LOAD: fast stop did not complete"
	no_crash "LOAD"
else
	say "not ok" "no preload: the cluster did not start: $(tail -5 "$dir/log" 2>/dev/null | tr '\n' ' ')"
fi
finish
