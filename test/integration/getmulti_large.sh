#!/bin/bash
# getmulti_large.sh: get_multi at production scale.
#  - 200k keys of 200 bytes over 3 healthy servers with the default
#    memcache.timeout (1 s), three times: every row each time, and no server
#    marked down after (the backend's own work on 200k keys is not a
#    server's timeout; the requests and replies of all servers are in flight
#    at once, so no server stalls on a full socket);
#  - 500k keys on one server, default memcache.timeout: every row (sent as
#    one get line, memcached took 1.8-3.6 s to start answering it);
#  - 300 values of 900 kB (270 MB): the backend's resident memory grows by
#    at most 1.5 times the result during the call, and its private memory
#    is back within a few MB of where it was once the call returns;
#  - the same in a throwaway cluster whose backends have too little address
#    space for it (ulimit -v): an ERROR "out of memory" in that session,
#    which goes on working, and no crash (Go's own out-of-memory is fatal).
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
servers="127.0.0.1:$MC_PORT_BASE,127.0.0.1:$((MC_PORT_BASE + 1)),127.0.0.1:$((MC_PORT_BASE + 2))"

# 1. 200k keys, default memcache.timeout.
q -c "SET memcache.servers = '$servers'" \
	-c "SELECT memcache_set_multi(array_agg('gm:' || i), array_agg(repeat('v', 200))) FROM generate_series(1, 200000) i" >/dev/null
out=$(q 2>&1 <<SQL
LOAD 'memcache';
SET memcache.servers = '$servers';
SHOW memcache.timeout;
SELECT clock_timestamp() AS t0 \gset
SELECT 'rows', count(*), sum(length(value)) FROM memcache_get_multi(ARRAY(SELECT 'gm:' || i FROM generate_series(1, 200000) i));
SELECT 'ms', round(extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SELECT 'rows', count(*), sum(length(value)) FROM memcache_get_multi(ARRAY(SELECT 'gm:' || i FROM generate_series(1, 200000) i));
SELECT 'rows', count(*), sum(length(value)) FROM memcache_get_multi(ARRAY(SELECT 'gm:' || i FROM generate_series(1, 200000) i));
-- one key of each server, each read alone: none may be marked down
SELECT 'after', string_agg(coalesce(length(memcache_get(k))::text, 'NULL'), ',' ORDER BY s)
FROM (SELECT DISTINCT ON (memcache_server_for_key('gm:' || i)) memcache_server_for_key('gm:' || i) AS s, 'gm:' || i AS k
      FROM generate_series(1, 50) i) per_server;
SQL
)
rows=$(echo "$out" | grep -c '^rows|200000|40000000$')
ms=$(echo "$out" | sed -n 's/^ms|//p')
echo "#   memcache.timeout $(echo "$out" | grep -m1 -x "[0-9]*m\?s"); the first call took $ms ms"
if [ "$rows" = 3 ] && ! echo "$out" | grep -q WARNING; then
	say ok "get_multi of 200k keys over 3 servers, default memcache.timeout: every row, 3 times of 3, no WARNING"
else
	say "not ok" "get_multi of 200k keys: $(echo "$out" | grep -E '^rows|WARNING' | head -4 | tr '\n' ' ')"
fi
if echo "$out" | grep -q '^after|200,200,200$'; then
	say ok "no server is marked down after it: a key of each server is read at once"
else
	say "not ok" "after the large get_multi: $(echo "$out" | grep -E '^after|WARNING|marked' | head -3 | tr '\n' ' ')"
fi
q -c "SET memcache.servers = '$servers'" -c "SELECT memcache_flush_all()" >/dev/null

# 1b. 500k keys on one server: the request goes in get lines of 2 kB. A
# memcached of its own, with room for them all.
p=$((MC_PORT_BASE + 13))
memcached -u root -l 127.0.0.1 -p "$p" -U 0 -m 128 -P "$MC_WORK/memcached-$p.pid" >/dev/null 2>&1 &
on_exit "kill \$(cat $MC_WORK/memcached-$p.pid) 2>/dev/null"
for _ in $(seq 100); do "$MC_ROOT/test/mcwire" "$p" version >/dev/null 2>&1 && break; sleep 0.05; done
out=$(q 2>&1 <<SQL
SET memcache.servers = '127.0.0.1:$p';
SELECT memcache_set_multi(array_agg('gl:' || i), array_agg((i % 10)::text)) FROM generate_series(1, 500000) i;
SELECT clock_timestamp() AS t0 \gset
SELECT 'rows', count(*), sum(value::int) FROM memcache_get_multi(ARRAY(SELECT 'gl:' || i FROM generate_series(1, 500000) i));
SELECT 'ms', round(extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SELECT 'after', memcache_get('gl:7');
SQL
)
echo "#   500k keys on one server: $(echo "$out" | sed -n 's/^ms|//p') ms"
if echo "$out" | grep -q '^rows|500000|2250000$' && echo "$out" | grep -q '^after|7$' && ! echo "$out" | grep -q WARNING; then
	say ok "get_multi of 500k keys on one server, default memcache.timeout: every row, no WARNING, the server not marked down"
else
	say "not ok" "get_multi of 500k keys on one server: $(echo "$out" | grep -E '^rows|^after|WARNING' | head -3 | tr '\n' ' ')"
fi

# 2. 300 values of 900 kB, on memcached servers of their own with room for
# them (the harness's have 64 MB each).
big=()
for i in 0 1 2; do
	p=$((MC_PORT_BASE + 10 + i))
	memcached -u root -l 127.0.0.1 -p "$p" -U 0 -m 256 -P "$MC_WORK/memcached-$p.pid" >/dev/null 2>&1 &
	big+=("127.0.0.1:$p")
done
on_exit 'for i in 0 1 2; do kill $(cat $MC_WORK/memcached-$((MC_PORT_BASE + 10 + i)).pid) 2>/dev/null; done'
for i in 0 1 2; do
	for _ in $(seq 100); do "$MC_ROOT/test/mcwire" $((MC_PORT_BASE + 10 + i)) version >/dev/null 2>&1 && break; sleep 0.05; done
done
bigservers=$(IFS=,; echo "${big[*]}")
q -c "SET memcache.servers = '$bigservers'" \
	-c "SELECT memcache_set_multi(array_agg('big:' || i), array_agg(repeat(chr(97 + i % 26), 900000))) FROM generate_series(1, 300) i" >/dev/null

mem=$MC_WORK/gm_mem.sh
cat >"$mem" <<'SH'
# gm_mem.sh LABEL PID: private memory and peak resident memory (kB); "reset"
# starts a new peak
if [ "$1" = reset ]; then echo 5 >/proc/$2/clear_refs; exit; fi
echo "$1 $(awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' /proc/$2/smaps_rollup) $(awk '/^VmRSS:/ {r = $2} /^VmHWM:/ {h = $2} END {print r, h}' /proc/$2/status)"
SH
out=$(q 2>&1 <<SQL
SET memcache.servers = '$bigservers';
SELECT memcache_get('warm') \g /dev/null
SELECT pg_backend_pid() AS pid \gset
\setenv BPID :pid
\! sh $mem before \$BPID
\! sh $mem reset \$BPID
SELECT 'sum', count(*), sum(length(value)), count(DISTINCT value) FROM memcache_get_multi(ARRAY(SELECT 'big:' || i FROM generate_series(1, 300) i));
\! sh $mem after \$BPID
SELECT pg_sleep(1);
\! sh $mem idle \$BPID
SQL
)
read -r _ p0 r0 _ <<<"$(echo "$out" | grep '^before ')"
read -r _ p1 _ h1 <<<"$(echo "$out" | grep '^after ')"
read -r _ p2 _ _ <<<"$(echo "$out" | grep '^idle ')"
result_kb=$((270000000 / 1024))
if ! echo "$out" | grep -q '^sum|300|270000000|26$' || [ -z "${h1:-}" ]; then
	say "not ok" "get_multi of 300 values of 900 kB: $(echo "$out" | grep -E '^sum|WARNING|ERROR' | head -3 | tr '\n' ' ')"
else
	peak=$((h1 - r0))
	echo "#   result $result_kb kB; resident memory grew by $peak kB at the peak ($((peak * 100 / result_kb))% of the result); private memory $p0 kB before, $p1 kB right after, $p2 kB 1 s later"
	[ "$peak" -le $((result_kb * 3 / 2)) ] &&
		say ok "get_multi of 270 MB: resident memory at most 1.5x the result at the peak ($((peak * 100 / result_kb))%)" ||
		say "not ok" "get_multi of 270 MB: resident memory grew by $peak kB, over 1.5x the result ($result_kb kB)"
	[ "$p1" -le $((p0 + 16384)) ] && [ "$p2" -le $((p0 + 16384)) ] &&
		say ok "the backend's private memory is back within 16 MB of where it was when the call returns ($p0 -> $p1 kB)" ||
		say "not ok" "the backend keeps the result: private memory $p0 kB before, $p1 kB after, $p2 kB 1 s later"
fi
no_crash "large get_multi"

# A cancel 100 ms into the call ends it soon after, though the servers'
# values keep arriving (the call never waits for them) and the result is
# copied into the tuplestore after.
(for _ in $(seq 200); do
	psql -X -At -c "SELECT 1 FROM pg_stat_activity WHERE query LIKE '%gm_cancel%' AND state = 'active' AND pid <> pg_backend_pid()" | grep -q 1 && break
	sleep 0.01
done
sleep 0.1; psql -X -At -c "SELECT 'sent', extract(epoch FROM clock_timestamp()), pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%gm_cancel%' AND pid <> pg_backend_pid()") >"$MC_WORK/gm_cancel.out" &
cpid=$!
out=$(q0 2>&1 <<SQL
SET memcache.servers = '$bigservers';
SELECT 'gm_cancel', count(*) FROM memcache_get_multi(ARRAY(SELECT 'big:' || i FROM generate_series(1, 300) i)), generate_series(1, 3);
SELECT 'ended', extract(epoch FROM clock_timestamp());
SQL
)
wait $cpid
sent=$(sed -n 's/^sent|\([0-9.]*\)|t$/\1/p' "$MC_WORK/gm_cancel.out")
ended=$(echo "$out" | sed -n 's/^ended|//p')
late=$(awk -v a="$sent" -v b="$ended" 'BEGIN { if (a != "" && b != "") printf "%d", (b - a) * 1000 }')
if echo "$out" | grep -q 'canceling statement due to user request' && ms_lt "$late" 150; then
	say ok "a cancel ends a get_multi of 270 MB within $late ms"
else
	say "not ok" "a cancel of a get_multi of 270 MB: ended ${late:-?} ms after it was sent: $(echo "$out" | grep -E 'gm_cancel|ERROR' | head -2 | tr '\n' ' ')"
fi

# 3. Under an address-space limit the result cannot grow to. The limit is
# what a backend of this build maps once the Go runtime is started, plus
# 150 MB.
dir=$MC_WORK/gm-limit
lport=$((MC_PGPORT + 2))
on_exit 'runuser -u postgres -- pg_ctl -D $dir/data -m immediate -w stop >/dev/null 2>&1'
mkdir -p "$dir/data"
chown -R postgres: "$dir"
runuser -u postgres -- initdb -D "$dir/data" -A trust -U postgres >/dev/null 2>&1
{
	echo "listen_addresses = ''"
	echo "port = $lport"
	echo "unix_socket_directories = '$dir'"
	echo "memcache.servers = '$bigservers'"
	echo "shared_buffers = 16MB"
	echo "max_connections = 10"
} >>"$dir/data/postgresql.conf"
lq() { timeout 120 psql -X -At -v ON_ERROR_STOP=0 -h "$dir" -p "$lport" -U postgres -d postgres "$@"; }
start_limited() { # start_limited KB (empty: no limit)
	runuser -u postgres -- pg_ctl -D "$dir/data" -m fast -w stop >/dev/null 2>&1
	runuser -u postgres -- bash -c "${1:+ulimit -v $1;} pg_ctl -D '$dir/data' -l '$dir/log' -w -t 60 start" >/dev/null 2>&1
}
start_limited ""
lq -c "CREATE EXTENSION memcache" >/dev/null
vsz=$(lq <<'SQL' | sed -n 's/^VSZ //p'
SELECT memcache_get('warm') \g /dev/null
SELECT pg_backend_pid() AS pid \gset
\setenv BPID :pid
\! awk '/^VmSize:/ {print "VSZ", $2}' /proc/$BPID/status
SQL
)
limit=$((vsz + 150 * 1024))
start_limited "$limit"
out=$(lq 2>&1 <<'SQL'
SELECT memcache_get('warm') IS NULL AS go_started;
\set VERBOSITY verbose
SELECT count(*) FROM memcache_get_multi(ARRAY(SELECT 'big:' || i FROM generate_series(1, 300) i));
\set VERBOSITY default
SELECT 'small', count(*), sum(length(value)) FROM memcache_get_multi(ARRAY(SELECT 'big:' || i FROM generate_series(1, 20) i));
SELECT 'same session', pg_backend_pid() = pg_backend_pid();
SQL
)
echo "#   a backend maps $vsz kB once Go runs; limit $limit kB"
echo "$out" | sed 's/^/#   /' | head -8
if echo "$out" | grep -q 'ERROR:  53200: out of memory' && echo "$out" | grep -q '^small|20|18000000$'; then
	say ok "get_multi of 270 MB under ulimit -v: ERROR out of memory (53200), and the session goes on (a smaller one works)"
else
	say "not ok" "get_multi under ulimit -v: $(echo "$out" | tr '\n' ' ' | cut -c1-400)"
fi
lq -c "SELECT 1" >/dev/null && say ok "the limited cluster keeps running" || say "not ok" "the limited cluster is gone"
no_crash "get_multi under an address-space limit" "$dir/log"
finish
