-- memcached unreachable: memcache.on_error decides what a caller sees.
SET memcache.servers = '127.0.0.1:22129';

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

-- back to a live server: the same backend works
RESET memcache.servers;
SELECT memcache_set('k', 'v'), memcache_get('k');
