#!/bin/bash
# consistency.sh: a randomized check of memcache_sync. Several concurrent
# sessions run thousands of random transactions (insert, update value,
# update key, delete; random rollbacks and rolled-back savepoints) on a
# table kept in memcached; afterwards every row's key holds exactly the
# row's value and no deleted, moved or rolled-back key exists.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
MC_Q_TIMEOUT=120
CLIENTS=${MC_CONSISTENCY_CLIENTS:-4}
TX=${MC_CONSISTENCY_TX:-750}

db=consistency_test
q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
q -d $db <<SQL >/dev/null
CREATE EXTENSION memcache;
ALTER DATABASE $db SET memcache.servers = '127.0.0.1:$MC_PORT_BASE, 127.0.0.1:$((MC_PORT_BASE + 1)), 127.0.0.1:$((MC_PORT_BASE + 2))';
SQL
q -d $db <<'SQL' >/dev/null
SELECT memcache_flush_all();
CREATE SEQUENCE moved START 1000;
CREATE TABLE items (id int PRIMARY KEY, val text NOT NULL);
CREATE TRIGGER items_cache AFTER INSERT OR UPDATE OR DELETE ON items
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', 'val', 'item:');
SELECT memcache_set('stats:rollbacks', '0'), memcache_set('stats:savepoints', '0');
SQL

script=$MC_WORK/consistency.pgbench
cat >"$script" <<'PGB'
\set op random(1, 100)
\set id random(1, 200)
\set rb random(1, 10)
BEGIN;
\if :op <= 30
INSERT INTO items VALUES (:id, md5(random()::text)) ON CONFLICT (id) DO UPDATE SET val = EXCLUDED.val;
\elif :op <= 60
UPDATE items SET val = md5(random()::text) WHERE id = :id;
\elif :op <= 70
UPDATE items SET id = nextval('moved') WHERE id = :id;
\elif :op <= 85
DELETE FROM items WHERE id = :id;
\else
UPDATE items SET val = 'kept-' || md5(random()::text) WHERE id = :id;
SAVEPOINT s;
UPDATE items SET val = 'savepoint-rolled-back' WHERE id = :id;
INSERT INTO items VALUES (:id + 500, 'savepoint-rolled-back') ON CONFLICT DO NOTHING;
ROLLBACK TO s;
SELECT memcache_incr('stats:savepoints');
\endif
\if :rb = 1
SELECT memcache_incr('stats:rollbacks');
ROLLBACK;
\else
COMMIT;
\endif
PGB
log=$MC_WORK/consistency.log
timeout 600 pgbench -n -c "$CLIENTS" -j 2 -t "$TX" -f "$script" $db >"$log" 2>&1
st=$?
processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$log")
failed=$(pgbench_failed "$log")
[ $st = 0 ] && [ "${failed:-x}" = 0 ] ||
	say "not ok" "pgbench exit $st, failed '${failed:-?}': $(tail -5 "$log")"

read -r rows wrong missing stale rollbacks savepoints <<<"$(q -d $db -F ' ' <<'SQL'
WITH cached AS (
  SELECT i.id, i.val, memcache_get('item:' || i.id) AS c FROM items i
), absent AS (
  SELECT g AS id FROM generate_series(1, (SELECT last_value FROM moved)) g
  WHERE NOT EXISTS (SELECT 1 FROM items WHERE id = g)
)
SELECT (SELECT count(*) FROM items),
       (SELECT count(*) FROM cached WHERE c IS NOT NULL AND c <> val),
       (SELECT count(*) FROM cached WHERE c IS NULL),
       (SELECT count(*) FROM absent WHERE memcache_get('item:' || id) IS NOT NULL),
       memcache_get('stats:rollbacks'), memcache_get('stats:savepoints');
SQL
)"
echo "#   $processed transactions by $CLIENTS sessions: ${rollbacks:-?} rolled back, ${savepoints:-?} with a rolled-back savepoint; $rows rows at the end"
echo "#   rows whose key holds another value: $wrong; rows missing from memcached: $missing; keys of absent rows still cached: $stale"
if [ "${wrong:-x}" = 0 ] && [ "${missing:-x}" = 0 ] && [ "${stale:-x}" = 0 ] && [ "${processed:-0}" -gt 0 ]; then
	say ok "zero stale keys after $processed random transactions"
else
	say "not ok" "stale: $wrong wrong values, $missing missing, $stale keys of absent rows"
fi
q -c "DROP DATABASE $db" >/dev/null
finish
