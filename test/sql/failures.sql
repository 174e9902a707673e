-- memcached unreachable: memcache.on_error decides what a caller sees.
SET memcache.servers = '127.0.0.1:22129';
-- first without the dead-server fast fail (see the end): every call tries
SET memcache.server_retry_delay = 0;

-- warning (default): a WARNING, and false / NULL
SELECT memcache_set('k', 'v');
SELECT memcache_get('k');
SELECT memcache_delete('k');
SELECT memcache_incr('k');
SELECT memcache_touch('k', interval '1 minute');
SELECT * FROM memcache_get_multi(ARRAY['k']);
SELECT memcache_flush_all();
SELECT memcache_server_for_key('k');	-- no network: works
SELECT server, reachable, error FROM memcache_servers();

-- silent: no message
SET memcache.on_error = silent;
SELECT memcache_set('k', 'v');
SELECT memcache_get('k');

-- error: an ERROR (SQLSTATE 58030) that aborts the statement, and the backend recovers
SET memcache.on_error = error;
SELECT memcache_set('k', 'v');
\echo :LAST_ERROR_SQLSTATE
BEGIN;
SELECT memcache_get('k');
ROLLBACK;
-- bad input is an ERROR whatever on_error says (22023), before any network
SELECT memcache_set('bad key', 'v');
\echo :LAST_ERROR_SQLSTATE
SET memcache.on_error = silent;
SELECT memcache_set('bad key', 'v');
RESET memcache.on_error;

-- memcache.server_retry_delay: a server that timed out is marked down, and
-- calls for its keys fail at once for the delay (test/integration/failover.sh
-- shows it with a server that does not answer). A refused connection costs
-- nothing and marks nothing: the next call tries the server again, so one
-- back from a restart is used at once.
SET memcache.server_retry_delay = '5s';
SET memcache.on_error = error;
CREATE FUNCTION pg_temp.try(k text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM memcache_get(k);
  RETURN 'ok';
EXCEPTION WHEN others THEN
  RETURN SQLSTATE || ' ' || regexp_replace(SQLERRM, '[0-9.]+ s more', 'N s more');
END $$;
SELECT pg_temp.try('k') AS first_call;
SELECT pg_temp.try('k') AS next_call;
-- keys of a healthy server are unaffected
SET memcache.servers = '127.0.0.1:22129, 127.0.0.1:22122';
SELECT memcache_server_for_key('k3') AS k3_server, memcache_server_for_key('k2') AS k2_server;
SELECT pg_temp.try('k3') AS k3_first, pg_temp.try('k3') AS k3_next, pg_temp.try('k2') AS k2;
-- get_multi returns what the healthy servers hold (the failure is a WARNING
-- by default; silent here, its text is shown above)
SET memcache.on_error = silent;
SELECT memcache_set('k2', 'v2');
SELECT * FROM memcache_get_multi(ARRAY['k3', 'k2']);
-- memcache_servers() probes every server anyway
SELECT server, reachable FROM memcache_servers();
RESET memcache.on_error;
RESET memcache.server_retry_delay;

-- Repeated failures of one server in a statement: the first WARNING says
-- further ones are counted, and one WARNING with the count comes when the
-- top-level statement ends; other servers' failures are their own.
SELECT count(*) FILTER (WHERE memcache_set('rep' || i, 'v')) AS stored FROM generate_series(1, 20) i;
SELECT count(*) FILTER (WHERE memcache_get('rep' || i) IS NOT NULL) AS found FROM generate_series(1, 2) i;
-- a single failure: no count
SELECT memcache_get('rep2');
-- a DO block
DO $$ BEGIN FOR i IN 1..10 LOOP PERFORM memcache_delete('rep' || i); END LOOP; END $$;
-- an INSERT whose row trigger calls an immediate function
CREATE TEMP TABLE rep (k text);
CREATE FUNCTION pg_temp.rep_set() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM memcache_set(NEW.k, 'v');
  RETURN NULL;
END $$;
CREATE TRIGGER rep_set AFTER INSERT ON rep FOR EACH ROW EXECUTE FUNCTION pg_temp.rep_set();
INSERT INTO rep SELECT 'rep' || i FROM generate_series(1, 20) i;
-- deferred to COMMIT: counted until the transaction commits
CREATE TEMP TABLE rep_later (k text);
CREATE CONSTRAINT TRIGGER rep_later AFTER INSERT ON rep_later DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION pg_temp.rep_set();
BEGIN;
INSERT INTO rep_later SELECT 'rep' || i FROM generate_series(1, 20) i;
SELECT 'before commit' AS step;
COMMIT;
-- a procedure, committing inside
CREATE PROCEDURE pg_temp.rep_proc() LANGUAGE plpgsql AS $$
BEGIN
  PERFORM memcache_touch('rep' || i, interval '1 hour') FROM generate_series(1, 10) i;
  COMMIT;
  PERFORM memcache_touch('rep' || i, interval '1 hour') FROM generate_series(11, 20) i;
END $$;
CALL pg_temp.rep_proc();
-- a statement that ends with an ERROR reports no count; the next counts anew
SELECT count(memcache_get('rep' || i)) / 0 FROM generate_series(1, 20) i;
SELECT count(*) FILTER (WHERE memcache_get('rep' || i) IS NOT NULL) AS found FROM generate_series(1, 20) i;
-- nor does the next statement when it fails nothing: no stale count, also
-- not at a ROLLBACK (with a cursor open, whose executor ends there) or at
-- a ROLLBACK TO SAVEPOINT
SELECT count(memcache_get('rep' || i)) / 0 FROM generate_series(1, 20) i;
SELECT 'no count here' AS step;
SET statement_timeout = '300ms';
SELECT count(memcache_get('rep' || i)), pg_sleep(5) FROM generate_series(1, 20) i;
RESET statement_timeout;
SELECT 'nor here' AS step;
BEGIN;
DECLARE rep_cur CURSOR FOR SELECT i FROM generate_series(1, 3) i;
FETCH 1 FROM rep_cur;
SELECT count(memcache_get('rep' || i)) / 0 FROM generate_series(1, 20) i;
ROLLBACK;
BEGIN;
SAVEPOINT s;
SELECT count(memcache_get('rep' || i)) / 0 FROM generate_series(1, 20) i;
ROLLBACK TO SAVEPOINT s;
SELECT 'nor here' AS step;
COMMIT;
-- a procedure's own ROLLBACK does not end its statement
CREATE PROCEDURE pg_temp.rep_rollback() LANGUAGE plpgsql AS $$
BEGIN
  PERFORM memcache_get('rep' || i) FROM generate_series(1, 5) i;
  ROLLBACK;
  PERFORM memcache_get('rep' || i) FROM generate_series(6, 10) i;
END $$;
CALL pg_temp.rep_rollback();
-- two servers failing: one count each (get_multi reports each server)
SET memcache.servers = '127.0.0.1:22129, 127.0.0.1:22122, 127.0.0.1:22128';
SELECT count(*) FROM generate_series(1, 5) i, memcache_get_multi(ARRAY['rep' || i, 'rep' || i + 5, 'rep' || i + 10]);
-- failures of no server in particular: one WARNING per message
SET memcache.servers = '';
SELECT count(*) FILTER (WHERE memcache_get('rep' || i) IS NOT NULL) AS found FROM generate_series(1, 20) i;
RESET memcache.servers;
-- memcache.on_error = error stops at the first; silent says nothing
SET memcache.servers = '127.0.0.1:22129';
SET memcache.on_error = error;
SELECT count(memcache_get('rep' || i)) FROM generate_series(1, 20) i;
SET memcache.on_error = silent;
SELECT count(memcache_get('rep' || i)) FROM generate_series(1, 20) i;
RESET memcache.on_error;

-- a key the client encoding cannot show: the message escapes it (a WARNING
-- that cannot be converted would become an ERROR and fail the statement)
SET client_encoding = 'LATIN1';
SELECT memcache_set('enc' || chr(8364), 'v');
SELECT memcache_get('enc' || chr(8364)), memcache_gets('enc' || chr(8364));
SELECT count(*) FROM memcache_get_multi(ARRAY['enc' || chr(8364)]);
SET memcache.on_error = error;
SELECT memcache_delete('enc' || chr(8364));
RESET memcache.on_error;
SELECT memcache_get('enc' || chr(8364) || ' x');
SET memcache.servers = '127.0.0.1:22122';
SELECT memcache_set('enc' || chr(8364), repeat('x', 2000000));
SELECT memcache_set('enc' || chr(8364), '\xff'::bytea), memcache_get('enc' || chr(8364));
RESET client_encoding;
SET memcache.servers = '127.0.0.1:22129';

-- back to a live server: the same backend works
RESET memcache.servers;
SELECT memcache_set('k', 'v'), memcache_get('k');
