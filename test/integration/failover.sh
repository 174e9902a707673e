#!/bin/bash
# failover.sh: memcache.server_retry_delay. After a server times out, calls
# for its keys fail at once for the delay; then one call tries it again, and
# a restarted server is used again. A refused connection marks nothing: a
# server restarted after it gets the next (commit-time) write at once. Keys
# are never moved to another server.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

port=$((MC_PORT_BASE + 4))
start_mc() {
	(memcached -u root -l 127.0.0.1 -p "$port" -U 0 -m 16 -P "$MC_WORK/memcached-$port.pid" >/dev/null 2>&1 &)
	for _ in $(seq 100); do "$MC_ROOT/test/mcwire" "$port" version >/dev/null 2>&1 && return; sleep 0.05; done
}
stop_mc() { kill -9 "$(cat "$MC_WORK/memcached-$port.pid")" 2>/dev/null; sleep 0.2; }
stopped=$(mc_memcached_pid "$MC_STOPPED_PORT")
on_exit 'kill -CONT $stopped 2>/dev/null; stop_mc'
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS memcache" >/dev/null

# 1. A black hole: the first call waits for the timeout, the next 20 fail at once.
kill -STOP "$stopped"
out=$(q 2>&1 <<SQL | grep -o 'RESULT.*'
SET memcache.servers = '127.0.0.1:$MC_STOPPED_PORT';
SET memcache.timeout = '300ms';
SET memcache.server_retry_delay = '10s';
SET client_min_messages = error;
DO \$\$
DECLARE t timestamptz; first float8; worst float8 := 0; d float8;
BEGIN
  t := clock_timestamp();
  PERFORM memcache_get('k');
  first := extract(epoch FROM clock_timestamp() - t) * 1000;
  FOR i IN 1..20 LOOP
    t := clock_timestamp();
    PERFORM CASE i % 4 WHEN 0 THEN memcache_set('k' || i, 'v')::text WHEN 1 THEN (SELECT value FROM memcache_gets('k' || i))
      WHEN 2 THEN memcache_cas('k' || i, 'v', 1)::text ELSE memcache_gat('k' || i, interval '1 s') END;
    d := extract(epoch FROM clock_timestamp() - t) * 1000;
    worst := greatest(worst, d);
  END LOOP;
  RAISE EXCEPTION 'RESULT % %', round(first::numeric, 1), round(worst::numeric, 2);
END \$\$;
SQL
)
kill -CONT "$stopped"
read -r _ first worst <<<"$out"
if [ -n "${first:-}" ] && awk "BEGIN{exit !($first >= 250 && $first < 600)}"; then
	say ok "first call to a black-hole server ended by memcache.timeout=300ms: ${first} ms"
else
	say "not ok" "first call: '${first:-?}' ms (want 300 ms + slack)"
fi
if [ -n "${worst:-}" ] && awk "BEGIN{exit !($worst < 100)}"; then
	say ok "the next 20 calls (set, gets, cas, gat) to the marked server each took < 100 ms (worst ${worst} ms)"
else
	say "not ok" "the next 20 calls: worst '${worst:-?}' ms (want < 100)"
fi

# 1b. Every kind of call against the black hole returns within
# memcache.timeout (300 ms) plus slack, with a WARNING (no fast fail here).
kill -STOP "$stopped"
for call in "memcache_set('k', 'v')" "memcache_get('k')" "memcache_get_multi(ARRAY['a', 'b'])" \
	"memcache_delete('k')" "memcache_incr('k')" "memcache_touch('k', interval '1 s')" "memcache_stats()" \
	"memcache_server_stats()" "memcache_flush_all()" "memcache_set_multi(ARRAY['a'], ARRAY['b'])" \
	"memcache_gets('k')" "memcache_gets_bytea('k')" "memcache_cas('k', 'v', 1)" "memcache_cas('k', 'v'::bytea, 1, interval '1 s')" \
	"memcache_gat('k', interval '1 s')" "memcache_gat_bytea('k', now())"; do
	ms=$(q 2>/dev/null <<SQL | tail -1
SET memcache.servers = '127.0.0.1:$MC_STOPPED_PORT';
SET memcache.timeout = '300ms';
SET memcache.server_retry_delay = 0;
SET client_min_messages = error;
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM (SELECT $call) s;
SELECT round(extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SQL
)
	[ -n "$ms" ] && [ "$ms" -lt 600 ] && say ok "$call returned after $ms ms (memcache.timeout 300 ms)" ||
		say "not ok" "$call: '$ms' ms"
done
kill -CONT "$stopped"

# 2. The message says why, and keys of other servers are unaffected.
kill -STOP "$stopped"
msg=$(q 2>&1 <<SQL
SET memcache.servers = '127.0.0.1:$MC_STOPPED_PORT';
SET memcache.timeout = '300ms';
SELECT memcache_get('a');
SELECT memcache_get('a');
SQL
)
kill -CONT "$stopped"
echo "$msg" | grep -q "is marked down for .* s more after: reading from 127.0.0.1:$MC_STOPPED_PORT timed out after 300 ms (memcache.timeout) (memcache.server_retry_delay)" &&
	say ok "a fast-failed call names the server, the cause and the setting" ||
	say "not ok" "fast-fail message: $msg"

# 3. A refused connection marks nothing: the server is tried again by the
# next call, so one back from a restart gets the commit-time writes at once
# (a skipped write would leave the key stale).
start_mc
stop_mc
out=$(q 2>&1 <<SQL
SET memcache.servers = '127.0.0.1:$port';
SET memcache.server_retry_delay = '10s';
SELECT memcache_set('back', 'refused');
\! bash -c 'memcached -u root -l 127.0.0.1 -p $port -U 0 -m 16 -P $MC_WORK/memcached-$port.pid >/dev/null 2>&1 & for i in \$(seq 100); do $MC_ROOT/test/mcwire $port version >/dev/null 2>&1 && break; sleep 0.05; done'
BEGIN;
SELECT memcache_set_on_commit('back', 'at once');
COMMIT;
SQL
)
got=$(mc_get "$port" back)
if [ "$got" = "at once" ] && echo "$out" | grep -q "connection refused" && ! echo "$out" | grep -q "marked down"; then
	say ok "after a refused connection, the restarted server got the next commit-time write at once"
else
	say "not ok" "restarted after a refusal: memcached has '$got'; psql said: $out"
fi

# 4. A server that timed out is used again once server_retry_delay has
# passed, not before.
stop_mc
start_mc
mcpid=$(cat "$MC_WORK/memcached-$port.pid")
out=$(q 2>&1 <<SQL
SET memcache.servers = '127.0.0.1:$port';
SET memcache.timeout = '300ms';
SET memcache.server_retry_delay = '2s';
SELECT memcache_set('back', 'before');
\! kill -STOP $mcpid
SELECT memcache_set('back', 'timed out');
\! kill -CONT $mcpid
SELECT memcache_set('back', 'too early');
SELECT pg_sleep(2.2);
SELECT memcache_set('back', 'after');
SQL
)
kill -CONT "$mcpid" 2>/dev/null
got=$(mc_get "$port" back)
if [ "$got" = after ] && echo "$out" | grep -q 'set "back" failed: 127.0.0.1:.* is marked down'; then
	say ok "a server that timed out is used again once server_retry_delay has passed (value '$got' reached it)"
else
	say "not ok" "timed-out server: memcached has '$got'; psql said: $out"
fi
finish
