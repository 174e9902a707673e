#!/bin/bash
# limits.sh: no resource limit crashes a backend or the cluster; where the
# Go runtime cannot have what it needs, the calling session gets an ERROR.
# Each part runs a throwaway cluster of its own (port MC_PGPORT+2, unix
# socket in its directory) as the user nobody, so that a process limit
# counts this cluster's threads only (the postgres user's count includes
# every other cluster on the machine), started under a limit as a DBA would
# in a small container:
#  (a) a process limit (ulimit -u) with room for one backend using the
#      extension and a little more: the next session's first call cannot
#      have the Go runtime's threads and gets ERROR 53000 (the threads it
#      did get are let go); with the limit reached, the first session's
#      calls that keep the runtime busy (get_multi over three servers,
#      stats against a hung server) still work; one backend's own limit
#      lowered (prlimit) gives the same ERROR, and raised again, the same
#      session works;
#  (b) an address-space limit (ulimit -v 1 GB): the extension works; a
#      backend given less room than the runtime needs (prlimit --as) gets
#      ERROR 53200, at every size from none to enough; a call whose result
#      does not fit the room left is an ERROR, and the next call works; a
#      loaded backend's Go heap has the whole of its first 64 MB reservation
#      to grow into; a loaded backend left no address space at all (or 256
#      kB, 1 MB), sending to 40 new servers, gets its result or ERROR 53200,
#      never an abort;
#  (c) a file-descriptor limit (ulimit -n 128): the client's sockets are
#      told to fd.c, so that a session with 30 sockets that reads 150 tables
#      can still load a library and connect; the runtime's poller opens at
#      the first call, and a backend with too few descriptors free gets an
#      ERROR there, never an abort; 200 servers: the client holds no more
#      sockets than its third, the rest fail with a WARNING; and under
#      ulimit -n 64 with 60 servers, a WAL write after another session's
#      DROP DATABASE still finds a descriptor (it was a PANIC);
#  and the server log never shows a crash or a Go runtime abort.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
port=$((MC_PGPORT + 2))
user=nobody
servers3="127.0.0.1:${MC_PORTS[0]},127.0.0.1:${MC_PORTS[1]},127.0.0.1:${MC_PORTS[2]}"
hung=127.0.0.1:$MC_STOPPED_PORT
stopped=$(mc_memcached_pid "$MC_STOPPED_PORT")
dir=
bgs=()

stop_cluster() {
	[ -n "$dir" ] && [ -f "$dir/data/postmaster.pid" ] &&
		timeout 40 runuser -u $user -- pg_ctl -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1
	true
}
cleanup() {
	local p
	kill -CONT "$stopped" 2>/dev/null
	for p in "${bgs[@]}"; do kill "$p" 2>/dev/null; done
	pkill -u $user -x sleep 2>/dev/null
	stop_cluster
	rm -rf "$MC_WORK"/limits-*
}
on_exit 'cleanup'

# new_cluster NAME [LIMIT]: initdb (once per NAME) and start, under the
# shell limit LIMIT ("ulimit -u 40"); sets dir.
new_cluster() {
	stop_cluster
	dir=$MC_WORK/limits-$1
	if [ ! -d "$dir/data" ]; then
		mkdir -p "$dir/data"
		chown -R $user: "$dir"
		runuser -u $user -- initdb -D "$dir/data" -A trust -U postgres >/dev/null 2>&1 || return 1
		{
			echo "listen_addresses = ''"
			echo "port = $port"
			echo "unix_socket_directories = '$dir'"
			echo "memcache.servers = '127.0.0.1:$MC_PORT_BASE'"
			echo "max_connections = 20"
			echo "shared_buffers = 16MB"
			echo "autovacuum = off"
		} >>"$dir/data/postgresql.conf"
	fi
	timeout 70 runuser -u $user -- bash -c "${2:-true} && exec pg_ctl -D '$dir/data' -l '$dir/log' -w -t 60 start" >/dev/null 2>&1 &&
		pq -c "CREATE EXTENSION IF NOT EXISTS memcache" >/dev/null
}
pq() { timeout 60 psql -X -At -v ON_ERROR_STOP=0 -h "$dir" -p "$port" -U postgres -d postgres "$@"; }
# tasks: the threads and processes of the user, what ulimit -u limits
tasks() { ps -L -u $user --no-headers | wc -l; }
# sqlstate OUTPUT: the SQLSTATE of the first error in psql's verbose output
sqlstate() { sed -n 's/^.*ERROR:  \([0-9A-Z]\{5\}\): .*/\1/p' <<<"$1" | head -1; }
# as_user_prlimit: SQL lines with which a session lowers (or restores) a
# soft limit of its own backend: the backend's user may do that, root
# without CAP_SYS_RESOURCE may not.
prlimit_sql() { # prlimit_sql OPTION
	printf '%s\n' 'SELECT pg_backend_pid() AS bpid \gset' '\setenv BPID :bpid' \
		"\\! runuser -u $user -- prlimit --pid \$BPID $1"
}

# --- (a) a process limit ---------------------------------------------------------
if new_cluster procs; then
	base=$(tasks)
	stop_cluster
	limit=$((base + 8)) # one backend (1 + 4 threads), one more backend and 2 threads
	if new_cluster procs "ulimit -u $limit"; then
		say ok "cluster started under ulimit -u $limit ($base processes of its own)"
		kill -STOP "$stopped"
		pq >"$dir/first.out" 2>&1 <<SQL &
\\set VERBOSITY verbose
SET client_min_messages = warning;
SELECT 'FIRST', memcache_set('limits_1', 'v1');
SELECT pg_sleep(4);
SET memcache.servers = '$servers3';
SELECT 'SETS', count(*) FILTER (WHERE memcache_set('limits_1_' || i, 'x' || i)) FROM generate_series(1, 300) i;
SELECT 'MULTI', count(*) FROM memcache_get_multi(array(SELECT 'limits_1_' || i FROM generate_series(1, 300) i));
SET memcache.servers = '127.0.0.1:$MC_PORT_BASE,$hung';
SET memcache.timeout = '300ms';
SELECT 'STATS', count(*) FROM memcache_server_stats();
RESET memcache.servers;
SELECT 'AGAIN', memcache_get('limits_1');
SQL
		bgs+=($!)
		for _ in $(seq 100); do grep -q '^FIRST\|ERROR' "$dir/first.out" 2>/dev/null && break; sleep 0.05; done
		r=$(pq 2>&1 <<SQL
\\set VERBOSITY verbose
SELECT pg_backend_pid() AS bpid \\gset
\\setenv BPID :bpid
SELECT 'FIRST', memcache_get('limits_1');
\\! echo THREADS \$(ls /proc/\$BPID/task | wc -l)
SQL
		)
		echo "$r" | grep ERROR | sed 's/^/#   /'
		[ "$(sqlstate "$r")" = 53000 ] && echo "$r" | grep -q 'could not create the threads of the Go runtime' &&
			! echo "$r" | grep -q '^FIRST' && grep -q '^FIRST|t' "$dir/first.out" &&
			say ok "at the process limit, a second session's first call is ERROR 53000 (the first session's worked)" ||
			say "not ok" "process limit: first session: $(head -3 "$dir/first.out" | tr '\n' ' '); second: $(echo "$r" | tr '\n' ' ')"
		[ "$(echo "$r" | sed -n 's/^THREADS //p')" = 1 ] &&
			say ok "the refused backend let go of the threads it had created (1 thread left)" ||
			say "not ok" "the refused backend holds $(echo "$r" | sed -n 's/^THREADS //p') threads"
		# take whatever room there is while the first session works
		runuser -u $user -- bash -c "ulimit -u $limit; while [ ! -e '$dir/done' ]; do sleep 30 & sleep 0.02; done" >/dev/null 2>&1 &
		bgs+=($!)
		sleep 3
		echo "#   at the limit: $(tasks) of $limit"
		wait "${bgs[0]}"
		touch "$dir/done"
		r=$(grep '^SETS\|^MULTI\|^STATS\|^AGAIN' "$dir/first.out" | tr '\n' ' ')
		[[ "$r" =~ ^"SETS|300 MULTI|300 STATS|"[0-9]+" AGAIN|v1 "$ ]] &&
			say ok "with no room for another thread, the first session sets 300 keys and gets them over three servers, and asks for stats with one server hung" ||
			say "not ok" "calls at the process limit: '$r' $(grep ERROR "$dir/first.out" | head -2)"
		pkill -u $user -x sleep
		kill -CONT "$stopped"
		for _ in $(seq 100); do [ "$(tasks)" -le $((base + 1)) ] && break; sleep 0.05; done
		echo "#   after the others ended: $(tasks) of $limit"

		# One backend's own limit, lowered and raised again.
		r=$(pq 2>&1 <<SQL
\\set VERBOSITY verbose
$(prlimit_sql "--nproc=1:")
SELECT 'FIRST', memcache_get('limits_1');
\\! runuser -u $user -- prlimit --pid \$BPID --nproc=$limit:
SELECT 'SECOND', memcache_get('limits_1');
SQL
		)
		[ "$(sqlstate "$r")" = 53000 ] && ! echo "$r" | grep -q '^FIRST' && echo "$r" | grep -qx 'SECOND|v1' &&
			say ok "a backend whose own limit leaves no room: ERROR 53000; the limit raised, the same session's next call works" ||
			say "not ok" "prlimit --nproc: $(echo "$r" | tr '\n' ' ')"
		r=$(pq -c "SELECT memcache_get('limits_1')" 2>&1)
		[ "$r" = v1 ] && say ok "the cluster keeps serving" || say "not ok" "after the process limit: '$r'"
	else
		say "not ok" "the cluster did not start under ulimit -u $limit: $(tail -5 "$dir/log" 2>/dev/null | tr '\n' ' ')"
	fi
	no_crash "process limit" "$dir/log"
else
	say "not ok" "could not create a cluster as $user: $(tail -5 "$dir/log" 2>/dev/null | tr '\n' ' ')"
fi

# Forty servers: one memcached on 127.0.0.2-41, for (b) and (c); the same
# on 127.0.2.1-200 for longer lists.
forty_port=$((MC_PORT_BASE + 14))
forty=$(seq -f "127.0.0.%g:$forty_port" 2 41 | paste -sd,)
many() { seq -f "127.0.2.%g:$forty_port" 1 "$1" | paste -sd,; }
forty_started=
start_forty() {
	[ -n "$forty_started" ] && return
	forty_started=1
	memcached -u root -l "$(seq -f '127.0.0.%g' 2 41 | paste -sd,),$(seq -f '127.0.2.%g' 1 200 | paste -sd,)" \
		-p $forty_port -U 0 -m 8 -c 4096 -P "$MC_WORK/memcached-$forty_port.pid" >/dev/null 2>&1 &
	on_exit "kill \$(cat $MC_WORK/memcached-$forty_port.pid) 2>/dev/null"
	for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.41/$forty_port") 2>/dev/null && break; sleep 0.05; done
}

# --- (b) an address-space limit ----------------------------------------------------
if new_cluster vsize "ulimit -v 1048576"; then
	r=$(pq -c "SELECT memcache_set('limits_v', 'vv'), memcache_get('limits_v')" 2>&1)
	[ "$r" = "t|vv" ] && say ok "under ulimit -v 1048576 (1 GB), set and get work" ||
		say "not ok" "under ulimit -v 1 GB: $r"
	# A new backend each, given DELTA MB of address space above what it has.
	outcomes=()
	loaded_at=
	for delta in 0 8 16 32 48 64 80 96 112 128 144 160 256; do
		r=$(pq 2>&1 <<SQL
\\set VERBOSITY verbose
LOAD 'memcache';
$(prlimit_sql "--as=\$(( \$(awk '{print \$1 * 4096}' /proc/\$BPID/statm) + $delta * 1048576 )):")
SELECT 'GOT', memcache_get('limits_v');
SQL
		)
		if echo "$r" | grep -qx 'GOT|vv'; then
			outcomes+=("$delta:ok")
			[ -n "$loaded_at" ] || loaded_at=$delta
		elif [ "$(sqlstate "$r")" = 53200 ]; then
			outcomes+=("$delta:53200")
		else
			outcomes+=("$delta:other($(echo "$r" | grep -m1 'ERROR\|FATAL\|closed\|prlimit'))")
		fi
	done
	echo "#   MB of address space to spare: outcome: ${outcomes[*]}"
	! echo "${outcomes[*]}" | grep -q other && [ "${outcomes[0]}" = "0:53200" ] && [ "${outcomes[-1]}" = "256:ok" ] &&
		say ok "with 0 to 256 MB of address space to spare, a backend's first call works or is ERROR 53200 (not enough address space), never anything else" ||
		say "not ok" "address space: ${outcomes[*]}"
	[ -n "$loaded_at" ] && [ "$loaded_at" -le 160 ] &&
		say ok "the Go runtime loads with $loaded_at MB to spare (at most 160)" ||
		say "not ok" "the Go runtime needs more than 160 MB of address space (loaded at '${loaded_at:-never}')"
	# A loaded backend left 32 MB of address space: a get_multi of 108 MB
	# over three servers cannot be held; the call fails, the backend lives.
	r=$(pq 2>&1 <<SQL
\\set VERBOSITY verbose
SET client_min_messages = warning;
SET memcache.servers = '$servers3';
SELECT 'SET', count(*) FILTER (WHERE memcache_set('limits_big' || i, repeat(i::text, 900000 / length(i::text)))) FROM generate_series(1, 120) i;
$(prlimit_sql "--as=\$(( \$(awk '{print \$1 * 4096}' /proc/\$BPID/statm) + 32 * 1048576 )):")
SELECT 'MULTI', count(*) FROM memcache_get_multi(array(SELECT 'limits_big' || i FROM generate_series(1, 120) i));
SELECT 'AFTER', memcache_set('limits_after', 'v'), memcache_get('limits_after');
SQL
	)
	echo "$r" | grep ERROR | sed 's/^/#   /'
	echo "$r" | grep -qx 'SET|120' && echo "$r" | grep -q 'ERROR:  [0-9A-Z]\{5\}: .*out of memory' &&
		! echo "$r" | grep -q '^MULTI' && echo "$r" | grep -qx 'AFTER|t|v' &&
		say ok "a get_multi too big for the address space left is an ERROR (out of memory), and the session's next call works" ||
		say "not ok" "a get_multi too big for the address space: $(echo "$r" | tr '\n' ' ')"
	# The Go heap of a loaded backend starts at the beginning of the 64 MB
	# it reserves: it grows that far without asking for address space.
	# Go 1.26 put the start at a random 4 MB step in it, the same for every
	# backend of one cluster start; in one start of sixteen there was no
	# room past the first 4 MB, and a backend at its address-space limit
	# whose heap grew (the 40-server case below) aborted: a fatal "out of
	# memory" in a small allocation.
	r=$(pq 2>&1 <<SQL
SELECT memcache_set('limits_heap', 'h');
SELECT pg_backend_pid() AS bpid \gset
\setenv BPID :bpid
\! cat /proc/\$BPID/maps > $MC_WORK/limits-maps
SQL
	)
	# The anonymous mappings under 1 TB: the Go heap (its random address
	# lies below 1 << 38, see goruntime/address_space.patch; in one cluster
	# start of 64 below 4 GB too), not PostgreSQL's (above, or named).
	heap=()
	while read -r range perms _ _ _ path; do
		a=$((16#${range%-*})) b=$((16#${range#*-}))
		[ -z "$path" ] && [ $a -lt $((1 << 40)) ] && heap+=("$a $b $perms")
	done <"$MC_WORK/limits-maps"
	read -r a b perms <<<"${heap[0]:-0 0 none}"
	read -r _ end _ <<<"${heap[-1]:-0 0 none}"
	[ "$perms" = rw-p ] && [ $((a % (64 << 20))) = 0 ] && [ $((end - a)) -ge $((64 << 20)) ] &&
		say ok "a loaded backend's Go heap starts at the beginning of its 64 MB reservation ($(((b - a) >> 20)) MB in use)" ||
		say "not ok" "the Go heap's mappings: ${heap[*]:-none} ($(echo "$r" | tr '\n' ' '))"
	# A loaded backend left no address space at all (or 256 kB, or 1 MB),
	# then sent to 40 new servers (memcache_stats): the runtime needs new
	# span structures, whose mmap is refused. That was Go's fatal "cannot
	# allocate memory" (the cluster restarted); it takes from its reserve,
	# the call works or is an ERROR, and with room again the same session's
	# calls work. (With no room at all, PostgreSQL itself often fails first.)
	start_forty
	fine=0
	for slack in 0 256 1024; do
		r=$(pq 2>&1 <<SQL
\\set VERBOSITY verbose
SET client_min_messages = warning;
SELECT 'WARM', memcache_set('limits_warm', 'w');
$(prlimit_sql "--as=\$(( \$(awk '{print \$1 * 4096}' /proc/\$BPID/statm) + $slack * 1024 )):")
SET memcache.servers = '$forty';
SELECT 'STATS', length(memcache_stats()) > 0;
$(prlimit_sql "--as=1073741824:")
SELECT 'AGAIN', length(memcache_stats()) > 0, memcache_get('limits_warm') IS NULL;
SQL
		)
		if echo "$r" | grep -qx 'WARM|t' && echo "$r" | grep -qx 'AGAIN|t|t' &&
			{ echo "$r" | grep -qx 'STATS|t' || [ "$(sqlstate "$r")" = 53200 ]; }; then
			fine=$((fine + 1))
		else
			echo "#   $slack kB to spare: $(echo "$r" | grep -E 'WARM|STATS|AGAIN|ERROR|FATAL|closed' | tr '\n' ' ')"
		fi
	done
	[ $fine = 3 ] &&
		say ok "a loaded backend left 0, 256 kB or 1 MB of address space, sending to 40 new servers: the call works or is ERROR 53200, and with room again the session works (3 of 3)" ||
		say "not ok" "no address space left, 40 new servers: $fine of 3 sessions went as they should"
	r=$(pq -c "SELECT memcache_get('limits_v')" 2>&1)
	[ "$r" = vv ] && say ok "the cluster keeps serving" || say "not ok" "after the address-space limits: '$r'"
	no_crash "address-space limit" "$dir/log"
else
	say "not ok" "the cluster did not start under ulimit -v 1048576: $(tail -5 "$dir/log" 2>/dev/null | tr '\n' ' ')"
fi

# --- (c) a file-descriptor limit ---------------------------------------------------
# Under ulimit -n 128, fd.c lets a backend keep about 110 files open. A
# session holds 30 sockets to memcached, then reads 150 tables: fd.c, told
# of the sockets, keeps room for them, so a library still loads after
# that (PL/pgSQL's, at the session's first DO block), the client's next
# connection is made, and its calls work. Untold, fd.c filled the process's
# descriptor table with cached files, and both failed: "Too many open
# files".
if new_cluster nofile "ulimit -n 128"; then
	start_forty
	pq -q >/dev/null 2>&1 <<'SQL'
SELECT format('CREATE TABLE IF NOT EXISTS limits_fd%s (i int)', g) FROM generate_series(1, 150) g \gexec
SQL
	r=$(pq 2>&1 <<SQL
\\set VERBOSITY verbose
SET client_min_messages = notice;
SET memcache.servers = '$(many 30)';
SELECT 'STATS', length(memcache_stats()) > 0;
SELECT format('SELECT count(*) FROM limits_fd%s', g) FROM generate_series(1, 150) g \\gexec
DO \$\$ BEGIN RAISE NOTICE 'PL/pgSQL loaded'; END \$\$;
SET memcache.servers = '127.0.0.1:${MC_PORTS[0]}';
SELECT 'NEW', memcache_set('limits_fd', 'f'), memcache_get('limits_fd');
SET memcache.servers = '$(many 30)';
SELECT 'AGAIN', length(memcache_stats()) > 0;
SQL
	)
	echo "$r" | grep 'ERROR\|WARNING\|FATAL' | sed 's/^/#   /'
	echo "$r" | grep -qx 'STATS|t' && echo "$r" | grep -q 'NOTICE:  .*PL/pgSQL loaded' &&
		echo "$r" | grep -qx 'NEW|t|f' && echo "$r" | grep -qx 'AGAIN|t' && ! echo "$r" | grep -q 'ERROR\|WARNING' &&
		say ok "under ulimit -n 128, a session holding 30 sockets reads 150 tables, then loads PL/pgSQL, connects to another server and calls the 30 again" ||
		say "not ok" "file descriptors: $(echo "$r" | grep -v '^0$' | tr '\n' ' ')"
	# The Go runtime's network poller (an epoll and an eventfd) opens at
	# the first call, where room is kept for it; before, it opened at the
	# runtime's first timer, whenever that came, and with no descriptor
	# free then it was Go's fatal "netpollinit failed".
	r=$(pq 2>&1 <<SQL
SELECT pg_backend_pid() AS bpid \\gset
\\setenv BPID :bpid
\\! echo BEFORE \$(ls -l /proc/\$BPID/fd | grep -c 'eventpoll\\|eventfd')
SELECT 'GOT', memcache_set('limits_fd', 'f');
\\! echo AFTER \$(ls -l /proc/\$BPID/fd | grep -c 'eventpoll\\|eventfd')
SQL
	)
	before=$(echo "$r" | sed -n 's/^BEFORE //p') after=$(echo "$r" | sed -n 's/^AFTER //p')
	echo "$r" | grep -qx 'GOT|t' && [ -n "$before" ] && [ "$after" = $((before + 2)) ] &&
		say ok "the Go runtime's poller (an epoll and an eventfd) opens at a backend's first call" ||
		say "not ok" "the runtime's poller at the first call: $(echo "$r" | tr '\n' ' ')"
	# A backend's own limit lowered (prlimit --nofile) to leave K
	# descriptors free at its first call: loading the libraries takes one
	# for a moment, the poller two, the connection one. The call works or
	# is an ERROR or a WARNING saying so, never an abort; with the limit
	# raised again, the same session works.
	outcomes=()
	for k in 0 1 2 3 4; do
		r=$(pq 2>&1 <<SQL
\\set VERBOSITY verbose
$(prlimit_sql "--nofile=\$(( \$(ls /proc/\$BPID/fd | sort -n | awk 'BEGIN { n = 0 } \$1 == n { n++ } END { print n }') + $k )):")
SELECT 'FIRST', memcache_set('limits_fd$k', 'f');
$(prlimit_sql "--nofile=128:")
SELECT 'AGAIN', memcache_set('limits_fd$k', 'f'), memcache_get('limits_fd$k');
SQL
		)
		if ! echo "$r" | grep -qx 'AGAIN|t|f'; then
			outcomes+=("$k:not-again($(echo "$r" | grep -m1 'ERROR\|FATAL\|closed'))")
		elif echo "$r" | grep -qx 'FIRST|t'; then
			outcomes+=("$k:ok")
		elif echo "$r" | grep -q 'no file descriptors free for the Go runtime'; then
			outcomes+=("$k:runtime-53000")
		elif [ "$(sqlstate "$r")" = 53000 ] || echo "$r" | grep -q 'WARNING:  58030: .*too many open files'; then
			outcomes+=("$k:emfile")
		else
			outcomes+=("$k:other($(echo "$r" | grep -m1 'ERROR\|WARNING\|FATAL\|closed'))")
		fi
	done
	echo "#   descriptors free at the first call: outcome: ${outcomes[*]}"
	! echo "${outcomes[*]}" | grep -q 'other\|not-again' && echo "${outcomes[*]}" | grep -q runtime-53000 &&
		[ "${outcomes[-1]}" = 4:ok ] &&
		say ok "a backend with 0 to 4 descriptors free: its first call works or fails saying so (the runtime's: ERROR 53000), and with room again the session works" ||
		say "not ok" "descriptors free at the first call: ${outcomes[*]}"
	# Writes queued for COMMIT by a session that made no direct call (as
	# with triggers): the servers of the lists they were queued under are
	# told to fd.c before the commit sends (PRE_COMMIT). They were not, and
	# most of the writes failed with "too many open files".
	r=$(pq 2>&1 <<SQL
SET memcache.servers = '$(many 30)';
SELECT format('SELECT count(*) FROM limits_fd%s', g) FROM generate_series(1, 150) g \\gexec
SELECT 'QUEUED', count(memcache_set_on_commit('limits_q' || i, 'v')) FROM generate_series(1, 300) i;
SQL
	)
	echo "$r" | grep -qx 'QUEUED|300' && ! echo "$r" | grep -q 'WARNING\|ERROR' &&
		say ok "under ulimit -n 128, a session that only queues writes reads 150 tables, then its COMMIT sends 300 writes to 30 servers without a failure" ||
		say "not ok" "commit-time writes under ulimit -n 128: $(echo "$r" | grep -v '^0$' | head -c 600 | tr '\n' ' ')"
	# 200 servers, more than the backend may have sockets for: the client
	# holds a third of what fd.c may keep open, the servers past it fail
	# (a WARNING says why), and PostgreSQL's own opens still have room.
	r=$(pq 2>&1 <<SQL
\\set VERBOSITY verbose
SET memcache.servers = '$(many 200)';
SELECT 'STATS', memcache_stats() IS NULL;
SELECT format('SELECT count(*) FROM limits_fd%s', g) FROM generate_series(1, 150) g \\gexec
DO \$\$ BEGIN RAISE NOTICE 'PL/pgSQL loaded'; END \$\$;
SQL
	)
	echo "$r" | grep 'ERROR\|WARNING\|FATAL' | grep -v '^0$' | sort | uniq -c | head -3 | sed 's/^/#   /'
	echo "$r" | grep -qx 'STATS|t' && echo "$r" | grep -q 'WARNING:.*already holds [0-9]* sockets to memcached' &&
		echo "$r" | grep -q 'NOTICE:  .*PL/pgSQL loaded' && ! echo "$r" | grep -q 'ERROR' &&
		say ok "under ulimit -n 128, 200 servers: the client stops at its third of the descriptors (a WARNING), and PostgreSQL still loads PL/pgSQL after reading 150 tables" ||
		say "not ok" "200 servers under ulimit -n 128: $(echo "$r" | grep -v '^0$' | head -c 600 | tr '\n' ' ')"
	no_crash "file-descriptor limit" "$dir/log"
else
	say "not ok" "the cluster did not start under ulimit -n 128: $(tail -5 "$dir/log" 2>/dev/null | tr '\n' ' ')"
fi
# Under ulimit -n 64 a backend may keep about 49 files open. With 60 servers,
# a session's client used to take every descriptor fd.c let go of (another
# session's DROP DATABASE makes every backend close its cached files), and
# the backend's next WAL write could not open its segment: a PANIC, and the
# cluster restarted.
if new_cluster nofile64 "ulimit -n 64"; then
	start_forty
	r=$(pq 2>&1 <<SQL
SELECT pg_backend_pid() AS bpid \\gset
\\setenv BPID :bpid
SET memcache.servers = '$(many 60)';
SELECT 'MULTI', count(*) FROM memcache_get_multi(array(SELECT 'k' || g FROM generate_series(1, 200) g));
\\! echo "FDS \$(ls /proc/\$BPID/fd | wc -l)"
\\! psql -X -q -h '$dir' -p $port -U postgres -d postgres -c 'CREATE DATABASE limits_dx' -c 'DROP DATABASE limits_dx'
SELECT 1;
SELECT 'MULTI', count(*) FROM memcache_get_multi(array(SELECT 'k' || g FROM generate_series(1, 200) g));
\\! echo "FDS \$(ls /proc/\$BPID/fd | wc -l)"
SELECT 'WAL', pg_logical_emit_message(false, 'limits', 'x') IS NOT NULL;
SQL
	)
	echo "$r" | grep '^FDS' | tr '\n' ' ' | sed 's/^/#   descriptors: /'; echo
	echo "$r" | grep -qx 'WAL|t' && [ "$(echo "$r" | grep -c '^MULTI|0$')" = 2 ] &&
		say ok "under ulimit -n 64, 60 servers and another session's DROP DATABASE: the backend's WAL write still opens its segment" ||
		say "not ok" "60 servers under ulimit -n 64: $(echo "$r" | grep -v '^0$' | tail -8 | tr '\n' ' ')"
	no_crash "file-descriptor limit of 64" "$dir/log"
else
	say "not ok" "the cluster did not start under ulimit -n 64: $(tail -5 "$dir/log" 2>/dev/null | tr '\n' ' ')"
fi
finish
