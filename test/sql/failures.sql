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

-- memcache.server_retry_delay: after a failure the server is marked down and
-- calls for its keys fail at once, saying so, until the delay has passed
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
-- only that server: keys of a healthy one are unaffected
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

-- back to a live server: the same backend works
RESET memcache.servers;
SELECT memcache_set('k', 'v'), memcache_get('k');
