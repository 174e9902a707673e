#!/bin/bash
# preload.sh: every way of loading the module, each in its own throwaway
# cluster: shared_preload_libraries (the postmaster stays Go-free, a single
# thread; backends that never call the extension too; fast shutdown
# completes), session_preload_libraries, and LOAD.
set -u
fail=0
say() { echo "$1 - $2"; [ "$1" = ok ] || fail=1; }
port=$((MC_PGPORT + 3))
dir=$MC_WORK/preload
cleanup() { runuser -u postgres -- pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1; }
trap cleanup EXIT

start() { # start "postgresql.conf line"
	cleanup
	rm -rf "$dir"
	mkdir -p "$dir/data"
	chown -R postgres: "$dir"
	runuser -u postgres -- initdb -D "$dir/data" -A trust -U postgres >/dev/null
	printf "listen_addresses = ''\nport = $port\nunix_socket_directories = '$dir'\nmemcache.servers = '127.0.0.1:$MC_PORT_BASE'\n%s\n" "$1" >>"$dir/data/postgresql.conf"
	runuser -u postgres -- pg_ctl -D "$dir/data" -l "$dir/log" -w start >/dev/null
}
q() { timeout 60 psql -X -At -h "$dir" -p "$port" "$@"; }
threads() { awk '/^Threads:/ {print $2}' "/proc/$1/status"; }

# shared_preload_libraries
start "shared_preload_libraries = 'memcache'"
pm=$(head -1 "$dir/data/postmaster.pid")
q -c "CREATE EXTENSION memcache" >/dev/null
r1=$(q -c "SELECT memcache_set('preload', 'shared'), memcache_get('preload')")
r2=$(q -c "SELECT memcache_get('preload')")
r3=$(q -c "SHOW memcache.servers")
# threads BEFORE_CALL: a session's backend thread count, with or without a call first
backend_threads() {
	q <<SQL | tail -1
$1
SELECT pg_backend_pid() AS p \gset
\setenv P :p
\! awk '/^Threads:/ {print \$2}' /proc/\$P/status
SQL
}
idle_threads=$(backend_threads "")
used_threads=$(backend_threads "SELECT memcache_get('preload') IS NOT NULL;")
[ "$r1" = "t|shared" ] && [ "$r2" = shared ] && [ "$r3" = "127.0.0.1:$MC_PORT_BASE" ] &&
	say ok "shared_preload_libraries: sessions set and get" || say "not ok" "shared_preload_libraries: '$r1' '$r2' '$r3'"
[ "$(threads "$pm")" = 1 ] && say ok "the postmaster has 1 thread: no Go runtime before fork" ||
	say "not ok" "the postmaster has $(threads "$pm") threads"
[ "$idle_threads" = 1 ] && [ "${used_threads:-1}" -gt 1 ] &&
	say ok "a backend that never called the extension has 1 thread; one that did has $used_threads" ||
	say "not ok" "threads: idle backend $idle_threads, using backend $used_threads"
q -c "SET memcache.servers = 'x:abc'" >/dev/null 2>&1 && say "not ok" "a bad SET was accepted in a fresh session" ||
	say ok "preloaded, a bad memcache.servers is rejected at SET in a fresh session"
start_t=$(date +%s%N)
timeout 40 runuser -u postgres -- pg_ctl -D "$dir/data" -m fast -w -t 30 stop >/dev/null
st=$?
ms=$((($(date +%s%N) - start_t) / 1000000))
[ $st = 0 ] && say ok "pg_ctl -m fast stop completed in $ms ms" || say "not ok" "fast stop failed or hung ($ms ms)"

# session_preload_libraries
start "session_preload_libraries = 'memcache'"
q -c "CREATE EXTENSION memcache" >/dev/null
r=$(q -c "SELECT memcache_set('sess', 'session'), memcache_get('sess')")
[ "$r" = "t|session" ] && say ok "session_preload_libraries: set and get" || say "not ok" "session_preload_libraries: '$r'"

# LOAD, then use
start ""
q -c "CREATE EXTENSION memcache" >/dev/null
r=$(q -c "LOAD 'memcache'" -c "SET memcache.timeout = '2s'" -c "SELECT memcache_set('load', 'loaded'), memcache_get('load')" | tail -1)
[ "$r" = "t|loaded" ] && say ok "LOAD 'memcache': set and get" || say "not ok" "LOAD: '$r'"
grep -q 'terminated by signal' "$dir/log" && say "not ok" "a backend crashed: $(grep 'terminated by signal' "$dir/log" | head -1)"
exit $fail
