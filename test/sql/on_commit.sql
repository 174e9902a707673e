-- Transactional cache writes: memcache_set_on_commit / memcache_delete_on_commit.
-- memcached is read over its own protocol while the transaction is open.
SELECT memcache_flush_all();

-- nothing before COMMIT, everything right after
BEGIN;
SELECT memcache_set_on_commit('t:1', 'one');
SELECT memcache_set_on_commit('t:2', '\x00ff'::bytea);
\! test/mcwire 22122 'get t:1 t:2'
COMMIT;
\! test/mcwire 22122 'get t:1'
\! test/mcwire 22122 'get t:2' | od -An -c

-- ROLLBACK sends nothing
BEGIN;
SELECT memcache_set_on_commit('t:rb', 'never');
SELECT memcache_delete_on_commit('t:1');
ROLLBACK;
\! test/mcwire 22122 'get t:rb t:1'

-- a failed transaction sends nothing either
BEGIN;
SELECT memcache_set_on_commit('t:failed', 'never');
SELECT 1 / 0;
COMMIT;
SELECT memcache_get('t:failed') IS NULL AS not_sent;

-- savepoints: rolled back ones drop their operations, released ones keep them
BEGIN;
SELECT memcache_set_on_commit('t:sp', 'outer');
SAVEPOINT a;
SELECT memcache_set_on_commit('t:sp', 'inner-a');
SELECT memcache_set_on_commit('t:sp-a', 'a');
SAVEPOINT b;
SELECT memcache_set_on_commit('t:sp-b', 'b');
RELEASE b;
ROLLBACK TO a;
SAVEPOINT c;
SELECT memcache_set_on_commit('t:sp-c', 'c');
SAVEPOINT d;
SELECT memcache_set_on_commit('t:sp-d', 'd');
ROLLBACK TO d;
RELEASE c;
COMMIT;
SELECT * FROM memcache_get_multi(ARRAY['t:sp', 't:sp-a', 't:sp-b', 't:sp-c', 't:sp-d']);

-- a PL/pgSQL exception block is a savepoint too
DO $$
BEGIN
  PERFORM memcache_set_on_commit('t:exc-kept', 'kept');
  BEGIN
    PERFORM memcache_set_on_commit('t:exc-dropped', 'dropped');
    RAISE division_by_zero;
  EXCEPTION WHEN division_by_zero THEN
    NULL;
  END;
END $$;
SELECT * FROM memcache_get_multi(ARRAY['t:exc-kept', 't:exc-dropped']);

-- per key the last operation wins
BEGIN;
SELECT memcache_set_on_commit('t:last', 'first');
SELECT memcache_delete_on_commit('t:last');
SELECT memcache_set_on_commit('t:last', 'second');
SELECT memcache_set_on_commit('t:gone', 'x');
SELECT memcache_delete_on_commit('t:gone');
COMMIT;
SELECT * FROM memcache_get_multi(ARRAY['t:last', 't:gone']);

-- autocommit statements work: each statement is its own transaction
SELECT memcache_set_on_commit('t:auto', 'auto');
SELECT memcache_get('t:auto');
SELECT memcache_delete_on_commit('t:auto');
SELECT memcache_get('t:auto') IS NULL AS deleted;

-- expiry
SELECT memcache_set_on_commit('t:exp', 'v', interval '1 hour');
\! test/mcwire 22122 'mg t:exp t' | awk '{ for (i=1;i<=NF;i++) if ($i ~ /^t[0-9]+$/) { t=substr($i,2); print (t > 3500 && t <= 3605) ? "ttl about 1 hour" : "ttl " t } }'

-- arguments are checked when called, not after commit
BEGIN;
SELECT memcache_set_on_commit('bad key', 'x');
ROLLBACK;
SELECT memcache_set_on_commit('k', 'v', interval '-1 s');

-- PREPARE TRANSACTION with queued operations is refused
BEGIN;
SELECT memcache_set_on_commit('t:prepared', 'x');
PREPARE TRANSACTION 'memcache_test';
SELECT memcache_get('t:prepared') IS NULL AS not_sent;

-- 100 keys over three servers, all after COMMIT
SET memcache.servers = '127.0.0.1:22122, 127.0.0.1:22123, 127.0.0.1:22124';
SELECT memcache_flush_all();
BEGIN;
SELECT count(memcache_set_on_commit('many:' || i, 'v' || i)) FROM generate_series(1, 100) i;
SELECT count(*) AS visible_before_commit FROM memcache_get_multi(ARRAY(SELECT 'many:' || i FROM generate_series(1, 100) i));
COMMIT;
SELECT count(*) AS after_commit, count(DISTINCT memcache_server_for_key(key)) AS servers
FROM memcache_get_multi(ARRAY(SELECT 'many:' || i FROM generate_series(1, 100) i));

-- memcached down at COMMIT: the COMMIT succeeds and warns
SET memcache.servers = '127.0.0.1:22129';
SET memcache.server_retry_delay = 0;
CREATE TEMP TABLE kept (x int);
BEGIN;
INSERT INTO kept VALUES (1);
SELECT memcache_set_on_commit('t:down', 'x');
COMMIT;
SELECT count(*) AS row_committed FROM kept;
-- on_error = error cannot turn that into an ERROR: the transaction is committed
SET memcache.on_error = error;
BEGIN;
INSERT INTO kept VALUES (2);
SELECT memcache_set_on_commit('t:down', 'x');
COMMIT;
SELECT count(*) AS rows_committed FROM kept;
RESET memcache.on_error;
-- more writes than one chunk of the send (4096): the WARNING counts them all
BEGIN;
SELECT count(memcache_set_on_commit('t:down' || i, 'x')) FROM generate_series(1, 10000) i;
COMMIT;
RESET memcache.server_retry_delay;
RESET memcache.servers;

-- memcache_set_multi: immediate, returns how many were stored
SELECT memcache_set_multi(ARRAY['sm:1', 'sm:2'], ARRAY['a', 'b']);
SELECT memcache_set_multi(ARRAY['sm:3'], ARRAY['\x01'::bytea], interval '1 hour');
SELECT * FROM memcache_get_multi(ARRAY['sm:1', 'sm:2', 'sm:3']);
SELECT memcache_set_multi(ARRAY['a'], ARRAY['x', 'y']);
SELECT memcache_set_multi(ARRAY['a', NULL], ARRAY['x', 'y']);
SELECT memcache_set_multi(ARRAY['ok', 'bad key'], ARRAY['x', 'y']);
SELECT memcache_set_multi('{}'::text[], '{}'::text[]);
