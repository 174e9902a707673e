#!/bin/bash
# commit_safety.sh: nothing about the commit-time send can crash the server
# or fail the COMMIT, and it is bounded.
#  1. A failure reported after commit in a foreign client encoding (keys
#     that encoding cannot show, memcached refusing the value): a WARNING,
#     never an ERROR inside the COMMIT callback (that PANICs the cluster).
#  2. A huge queue (1,100 values of 1 MB) commits, with small memory: past
#     memcache.commit_queue_limit sets are queued as deletes.
#  3. A 100k-row UPDATE of a memcache_sync table sends every row.
#  4. pg_terminate_backend ends a COMMIT stuck sending to a hung memcached
#     within a second; the commit is durable.
#  5. memcache.commit_timeout (superuser-only) bounds the send of a role
#     that set memcache.timeout to 35 minutes.
# Every part checks the server log for a crash.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
stopped=$(mc_memcached_pid "$MC_STOPPED_PORT")
on_exit 'kill -CONT $stopped 2>/dev/null'
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS memcache" \
	-c "DROP TABLE IF EXISTS safety_rows, big_sync" -c "CREATE TABLE safety_rows (tag text)" >/dev/null

# 1. foreign client encodings
bad=0
for enc in LATIN1 WIN1252 SJIS EUC_JP BIG5 KOI8R SQL_ASCII; do
	out=$(q0 2>&1 <<SQL
SET client_encoding = '$enc';
BEGIN;
INSERT INTO safety_rows VALUES ('$enc');
SELECT memcache_set_on_commit('enc:' || chr(8364) || chr(233) || chr(12354), repeat('x', 2000000));
SELECT memcache_set_on_commit('enc:' || chr(1046) || '$enc', 'fine');
COMMIT;
SELECT 'rows=' || count(*) FROM safety_rows WHERE tag = '$enc';
SQL
)
	if ! echo "$out" | grep -q 'rows=1' || echo "$out" | grep -qE '^ERROR:|PANIC|server closed' ||
		! echo "$out" | grep -qF 'WARNING:  memcache: cache writes after commit failed: 1 of 2 operations failed; the first: set "enc:\xe2\x82\xac\xc3\xa9\xe3\x81\x82"'; then
		bad=$((bad + 1))
		echo "$out" | sed "s/^/# $enc: /"
	fi
done
[ $bad = 0 ] && say ok "a failure after commit is reported in ASCII in 7 client encodings; every row committed" ||
	say "not ok" "$bad client encodings failed"
no_crash "foreign client encodings at COMMIT"

# 2. 1,100 queued values of 1 MB (1.1 GB) in one transaction, to a
# memcached of its own (its 1 MB items would crowd the shared ones out)
big_port=$((MC_PORT_BASE + 5))
memcached -u root -l 127.0.0.1 -p $big_port -U 0 -m 256 -P "$MC_WORK/memcached-big.pid" >/dev/null 2>&1 &
on_exit 'kill $(cat "$MC_WORK/memcached-big.pid" 2>/dev/null) 2>/dev/null'
for _ in $(seq 100); do "$MC_ROOT/test/mcwire" $big_port version >/dev/null 2>&1 && break; sleep 0.05; done
out=$(q0 2>&1 <<SQL
SET memcache.servers = '127.0.0.1:$big_port';
BEGIN;
INSERT INTO safety_rows VALUES ('huge');
SELECT pg_backend_pid() AS pid \gset
SELECT count(memcache_set_on_commit('huge:' || i, repeat('v', 1000000))) FROM generate_series(1, 1100) i;
COMMIT;
SELECT 'hwm=' || (regexp_match(pg_read_file('/proc/' || :pid || '/status'), 'VmHWM:\s+(\d+)'))[1];
SELECT 'rows=' || count(*) FROM safety_rows WHERE tag = 'huge';
SELECT 'stored=' || count(*) FROM generate_series(1, 1100) i WHERE memcache_get('huge:' || i) IS NOT NULL;
SQL
)
hwm=$(echo "$out" | sed -n 's/^hwm=//p')
stored=$(echo "$out" | sed -n 's/^stored=//p')
if echo "$out" | grep -q 'rows=1' && ! echo "$out" | grep -q '^ERROR:' && [ -n "$hwm" ] && [ "$hwm" -lt 400000 ] &&
	[ "${stored:-0}" -gt 0 ] && [ "${stored:-0}" -lt 1100 ] && echo "$out" | grep -q 'NOTICE:  memcache: this transaction.s cache writes reached memcache.commit_queue_limit'; then
	say ok "1,100 values of 1 MB queued: COMMIT succeeds, $stored stored, the rest sent as deletes; backend peak memory $((hwm / 1024)) MB"
else
	say "not ok" "huge queue: $(echo "$out" | grep -v '^$' | head -8 | tr '\n' ' ')"
fi
no_crash "a huge commit queue"

# 3. a 100k-row UPDATE of a memcache_sync table
q >/dev/null <<'SQL'
CREATE TABLE big_sync (id int PRIMARY KEY, v text);
CREATE TRIGGER big_sync_cache AFTER INSERT OR UPDATE OR DELETE ON big_sync
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', 'v', 'bs:');
INSERT INTO big_sync SELECT g, 'old' FROM generate_series(1, 100000) g;
SQL
out=$(q0 2>&1 <<'SQL'
SET memcache.servers = '127.0.0.1:22122, 127.0.0.1:22123, 127.0.0.1:22124';
SELECT clock_timestamp() AS t0 \gset
UPDATE big_sync SET v = 'new-' || id || repeat('.', 100);
SELECT 'ms=' || round(extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SELECT 'wrong=' || count(*) FROM (SELECT id, v FROM big_sync) b
  LEFT JOIN memcache_get_multi(ARRAY(SELECT 'bs:' || id FROM big_sync)) m ON m.key = 'bs:' || b.id
  WHERE m.value IS DISTINCT FROM b.v;
SQL
)
ms=$(echo "$out" | sed -n 's/^ms=//p')
[ "$(echo "$out" | sed -n 's/^wrong=//p')" = 0 ] && ! echo "$out" | grep -qE '^(ERROR|WARNING):' &&
	say ok "a 100k-row UPDATE of a memcache_sync table: every row's key holds its new value (UPDATE and COMMIT: $ms ms)" ||
	say "not ok" "100k-row UPDATE: $(echo "$out" | head -5 | tr '\n' ' ')"
no_crash "a 100k-row UPDATE"

# 4. terminate during a hung send
kill -STOP "$stopped"
q0 >"$MC_WORK/term.out" 2>&1 <<SQL &
SET memcache.servers = '127.0.0.1:$MC_STOPPED_PORT';
SET memcache.timeout = '30s';
SET memcache.commit_timeout = '60s';
SET application_name = 'commit_term';
BEGIN;
INSERT INTO safety_rows VALUES ('terminated');
SELECT memcache_set_on_commit('term', 'x');
COMMIT;
SQL
victim=$!
sleep 1
ms=$(q 2>/dev/null <<'SQL'
SELECT pid AS p FROM pg_stat_activity WHERE application_name = 'commit_term' \gset
SELECT clock_timestamp() AS t0 \gset
SELECT pg_terminate_backend(:p);
DO $$ BEGIN
  WHILE EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'commit_term') AND clock_timestamp() < now() + interval '20 s' LOOP
    PERFORM pg_sleep(0.01);
    -- pg_stat_activity is read once per transaction unless the snapshot is dropped
    PERFORM pg_stat_clear_snapshot();
  END LOOP;
END $$;
SELECT round(extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SQL
)
ms=$(echo "$ms" | tail -1)
kill -CONT "$stopped"
wait $victim
rows=$(q -c "SELECT count(*) FROM safety_rows WHERE tag = 'terminated'")
ms_lt "$ms" 1000 && [ "$rows" = 1 ] &&
	say ok "pg_terminate_backend ends a COMMIT stuck sending to a hung memcached in $ms ms (memcache.timeout 30 s); the row is committed" ||
	say "not ok" "terminate during the commit-time send: $ms ms, rows $rows; $(tr '\n' ' ' <"$MC_WORK/term.out")"
no_crash "terminate during the commit-time send"

# 5. a role's 35-minute memcache.timeout is bounded by the superuser's
# memcache.commit_timeout
q >/dev/null <<SQL
DROP ROLE IF EXISTS mc_slow;
CREATE ROLE mc_slow LOGIN;
GRANT EXECUTE ON FUNCTION memcache_set_on_commit(text, text) TO mc_slow;
GRANT INSERT ON safety_rows TO mc_slow;
GRANT EXECUTE ON FUNCTION memcache_stat_local() TO mc_slow;
ALTER ROLE mc_slow SET memcache.servers = '127.0.0.1:$MC_STOPPED_PORT';
ALTER ROLE mc_slow SET memcache.commit_timeout = '1500ms';
SQL
kill -STOP "$stopped"
out=$(MC_Q_TIMEOUT=30 q0 -U mc_slow 2>&1 <<'SQL'
SET memcache.timeout = '35min';
SET memcache.commit_timeout = '1h';
BEGIN;
INSERT INTO safety_rows VALUES ('slow role');
SELECT memcache_set_on_commit('slow', 'x');
SELECT clock_timestamp() AS t0 \gset
COMMIT;
SELECT 'ms=' || round(extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SELECT 'down=' || coalesce(sum(marked_down), 0) FROM memcache_stat_local();
SQL
)
kill -CONT "$stopped"
ms=$(echo "$out" | sed -n 's/^ms=//p')
if ms_lt "$ms" 2500 && echo "$out" | grep -q 'permission denied to set parameter "memcache.commit_timeout"' &&
	echo "$out" | grep -q 'WARNING:  memcache: cache writes after commit failed' &&
	echo "$out" | grep -q 'memcache.commit_timeout) passed' && echo "$out" | grep -qx 'down=0'; then
	say ok "a role with memcache.timeout = 35min cannot hold a COMMIT longer than memcache.commit_timeout (1.5 s, set by a superuser): $ms ms; the WARNING names commit_timeout, and the server is not marked down"
else
	say "not ok" "commit_timeout: $out"
fi
q -c "DROP OWNED BY mc_slow" -c "DROP ROLE mc_slow" -c "DROP TABLE safety_rows, big_sync" >/dev/null
no_crash commit_safety
finish
