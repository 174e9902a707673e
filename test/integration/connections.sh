#!/bin/bash
# connections.sh: a backend holds one connection per memcached server,
# whatever SQL functions it calls (memcached's curr_connections, read over
# its own protocol while the session is open), and keeps them when a
# function's SET clause switches the server list for each call and back.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

p0=${MC_PORTS[0]} p1=${MC_PORTS[1]} p2=${MC_PORTS[2]}
work=$MC_WORK/connections
mkdir -p "$work"
# count.sh: memcached's curr_connections of each server (its own stats
# connection included), "p0 p1 p2"
cat >"$work/count.sh" <<SH
for p in $p0 $p1 $p2; do "$MC_ROOT/test/mcwire" \$p stats | sed -n 's/^STAT curr_connections //p'; done | tr '\n' ' '
SH
sleep 0.3 # connections of earlier sessions are closed by now
before=$(bash "$work/count.sh")

# One session: the server list set, one server added, then every function
# that talks to memcached, with keys on every server; the counts are read
# while the session is still open (\!), then again after a second round.
out=$(q 2>&1 <<SQL
SET client_min_messages = warning;
SET memcache.servers = '127.0.0.1:$p0, 127.0.0.1:$p1';
SELECT memcache_server_add('127.0.0.1:$p2');
SELECT count(DISTINCT memcache_server_for_key('c' || i)) FROM generate_series(1, 30) i;
CREATE TEMP TABLE conn_sync (k text PRIMARY KEY, v text);
CREATE TRIGGER conn_sync AFTER INSERT OR UPDATE OR DELETE ON conn_sync
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('k', 'v', 'conn_sync:');
CREATE FUNCTION pg_temp.every_call(r int) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE kk text;
BEGIN
  FOR i IN 1..30 LOOP
    kk := 'c' || i;
    PERFORM memcache_set(kk, 'v'), memcache_set(kk || 'b', '\x00'::bytea, interval '1 hour'),
            memcache_add(kk || 'a' || r, 'a'), memcache_replace(kk, 'r'),
            memcache_append(kk, '+'), memcache_prepend(kk, '-'),
            memcache_get(kk), memcache_get_bytea(kk || 'b'),
            memcache_set(kk || 'n', '1'), memcache_incr(kk || 'n', 5), memcache_decr(kk || 'n'),
            memcache_touch(kk, interval '1 hour'), memcache_delete(kk || 'a' || r);
    PERFORM memcache_set_on_commit(kk || 'oc', 'v');
    PERFORM memcache_delete_on_commit(kk || 'od');
  END LOOP;
  PERFORM * FROM memcache_get_multi(ARRAY(SELECT 'c' || i FROM generate_series(1, 30) i));
  PERFORM * FROM memcache_get_multi_bytea(ARRAY(SELECT 'c' || i || 'b' FROM generate_series(1, 30) i));
  PERFORM memcache_set_multi(ARRAY(SELECT 'm' || i FROM generate_series(1, 30) i),
                             ARRAY(SELECT 'v' || i FROM generate_series(1, 30) i));
  PERFORM memcache_stats();
  PERFORM * FROM memcache_server_stats();
  PERFORM * FROM memcache_servers();
  INSERT INTO conn_sync SELECT 's' || i, 'v' FROM generate_series(1, 30) i
    ON CONFLICT (k) DO UPDATE SET v = excluded.v || r;
END \$\$;
SELECT pg_temp.every_call(1);
SELECT memcache_flush_all();
\! bash $work/count.sh > $work/during1
SELECT pg_temp.every_call(2);
SELECT memcache_flush_all();
\! bash $work/count.sh > $work/during2
SQL
)
echo "$out" | grep -E 'WARNING|ERROR' && say "not ok" "the session's calls warned or failed"
read -r b0 b1 b2 <<<"$before"
for round in 1 2; do
	read -r d0 d1 d2 <"$work/during$round" || true
	added="$((${d0:-0} - b0)) $((${d1:-0} - b1)) $((${d2:-0} - b2))"
	if [ "$added" = "1 1 1" ]; then
		say ok "after round $round of every function, the backend holds 1 connection per server (curr_connections $before -> ${d0:-?} ${d1:-?} ${d2:-?})"
	else
		say "not ok" "after round $round of every function, connections added per server: $added (curr_connections $before -> ${d0:-?} ${d1:-?} ${d2:-?}); want 1 1 1"
	fi
done

# Functions whose SET clause routes their calls to other servers (other
# pools of memcached), called for each row between calls on the session's
# list: three lists in turn, 400 switches. Then writes queued under the
# session's list and sent at COMMIT while a SET LOCAL routes to another,
# which shares a server with it. Each server gets one connection in all
# (memcached's total_connections, less those of the counting), and the
# backend holds one per server at the end (curr_connections, less the
# counting's own).
cat >"$work/total.sh" <<SH
for p in $p0 $p1 $p2; do "$MC_ROOT/test/mcwire" \$p stats | sed -n 's/^STAT total_connections //p'; done | tr '\n' ' '
SH
sleep 0.3
before=$(bash "$work/total.sh")
out=$(q 2>&1 <<SQL
SET client_min_messages = warning;
SET memcache.servers = '127.0.0.1:$p0, 127.0.0.1:$p1';
CREATE FUNCTION pg_temp.to_pool(k text) RETURNS bool LANGUAGE sql
  SET memcache.servers = '127.0.0.1:$p1, 127.0.0.1:$p2'
  AS \$\$ SELECT memcache_set(k, 'pool') \$\$;
CREATE FUNCTION pg_temp.to_third(k text) RETURNS bool LANGUAGE sql
  SET memcache.servers = '127.0.0.1:$p2'
  AS \$\$ SELECT memcache_set(k, 'third') \$\$;
SELECT 'rows', count(*) FILTER (WHERE memcache_set('d' || i, 'v') AND pg_temp.to_pool('r' || i)
                                  AND memcache_get('d' || i) = 'v' AND pg_temp.to_third('t' || i))
  FROM generate_series(1, 100) i;
BEGIN;
SELECT count(*) FROM (SELECT memcache_set_on_commit('oc' || i, 'queued') FROM generate_series(1, 30) i) q;
SET LOCAL memcache.servers = '127.0.0.1:$p1, 127.0.0.1:$p2';
SELECT memcache_get('x');
COMMIT;
SELECT 'queued', count(*) FROM generate_series(1, 30) i WHERE memcache_get('oc' || i) = 'queued';
\! bash $work/total.sh > $work/total_during
\! bash $work/count.sh > $work/curr_during
SQL
)
echo "$out" | grep -qx 'rows|100' || say "not ok" "the calls on the three lists failed: $(echo "$out" | tr '\n' ' ')"
echo "$out" | grep -qx 'queued|30' || say "not ok" "the writes queued under the session's list did not all arrive: $(echo "$out" | tr '\n' ' ')"
read -r b0 b1 b2 <<<"$before"
read -r d0 d1 d2 <"$work/total_during" || true
opened="$((${d0:-0} - b0 - 1)) $((${d1:-0} - b1 - 1)) $((${d2:-0} - b2 - 1))"
read -r c0 c1 c2 <"$work/curr_during" || true
held="$((${c0:-0} - 1)) $((${c1:-0} - 1)) $((${c2:-0} - 1))"
if [ "$opened" = "1 1 1" ] && [ "$held" = "1 1 1" ]; then
	say ok "400 switches between three server lists by functions' SET clauses, and a COMMIT under another: 1 connection opened per server, 1 held (total_connections $(echo $before) -> ${d0:-?} ${d1:-?} ${d2:-?}; curr_connections ${c0:-?} ${c1:-?} ${c2:-?})"
else
	say "not ok" "400 switches between three server lists, and a COMMIT under another: connections opened per server $opened, held $held; want 1 1 1 and 1 1 1 (total_connections $(echo $before) -> ${d0:-?} ${d1:-?} ${d2:-?})"
fi
# Writes queued by functions whose SET clauses route them to two other
# lists (sharing a server), alternating row by row, and no call made under
# those lists: at COMMIT the runs alternate between the lists, and each
# server still gets one connection (it got one per run, and past 20k rows
# commit_timeout ended the send with writes lost).
sleep 0.3
before=$(bash "$work/total.sh")
out=$(q 2>&1 <<SQL
SET client_min_messages = warning;
SET memcache.servers = '127.0.0.1:$p0';
SELECT memcache_get('warm') IS NULL;
CREATE FUNCTION pg_temp.q_pool(k text) RETURNS bool LANGUAGE sql
  SET memcache.servers = '127.0.0.1:$p1, 127.0.0.1:$p2'
  AS \$\$ SELECT memcache_set_on_commit(k, 'pool'); SELECT true \$\$;
CREATE FUNCTION pg_temp.q_third(k text) RETURNS bool LANGUAGE sql
  SET memcache.servers = '127.0.0.1:$p2'
  AS \$\$ SELECT memcache_set_on_commit(k, 'third'); SELECT true \$\$;
BEGIN;
SELECT count(*) FROM generate_series(1, 2000) i WHERE pg_temp.q_pool('qp' || i) AND pg_temp.q_third('qt' || i);
SELECT clock_timestamp() AS t0 \gset
COMMIT;
SELECT 'commit_ms', round(extract(epoch FROM clock_timestamp() - :'t0') * 1000);
\! bash $work/total.sh > $work/total_runs
SET memcache.servers = '127.0.0.1:$p1, 127.0.0.1:$p2';
SELECT 'pool', count(*) FROM generate_series(1, 2000) i WHERE memcache_get('qp' || i) = 'pool';
SET memcache.servers = '127.0.0.1:$p2';
SELECT 'third', count(*) FROM generate_series(1, 2000) i WHERE memcache_get('qt' || i) = 'third';
SQL
)
read -r b0 b1 b2 <<<"$before"
read -r d0 d1 d2 <"$work/total_runs" || true
opened="$((${d0:-0} - b0 - 1)) $((${d1:-0} - b1 - 1)) $((${d2:-0} - b2 - 1))"
if [ "$opened" = "1 1 1" ] && echo "$out" | grep -qx 'pool|2000' && echo "$out" | grep -qx 'third|2000'; then
	say ok "4000 writes queued under two other lists, alternating, sent at COMMIT ($(echo "$out" | sed -n 's/^commit_ms|//p') ms): every value arrived, 1 connection opened per server"
else
	say "not ok" "4000 writes queued under two other lists, alternating: connections opened per server $opened (want 1 1 1); $(echo "$out" | grep -E '^(pool|third|commit_ms)|WARNING|ERROR' | head -4 | tr '\n' ' ')"
fi
finish
