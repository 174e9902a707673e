-- Privileges: nothing for PUBLIC; flush_all and server_add superuser-only.
SELECT count(*) AS functions,
       count(*) FILTER (WHERE has_function_privilege('public', p.oid, 'EXECUTE')) AS public_can_execute
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid
JOIN pg_extension e ON e.oid = d.refobjid
WHERE e.extname = 'memcache' AND d.deptype = 'e';
SELECT bool_and(provolatile = 'v' AND proisstrict AND proparallel = 'u') AS volatile_strict_unsafe
FROM pg_proc WHERE proname LIKE 'memcache\_%';

CREATE ROLE mc_app LOGIN;
SET ROLE mc_app;
SELECT memcache_get('k');
SELECT memcache_set('k', 'v');
SELECT memcache_flush_all();
RESET ROLE;

-- the GRANT an application role needs (README)
GRANT EXECUTE ON FUNCTION memcache_get(text), memcache_set(text, text),
  memcache_delete(text), memcache_flush_all(), memcache_server_add(text) TO mc_app;
SET ROLE mc_app;
SELECT memcache_set('k', 'v'), memcache_get('k'), memcache_delete('k');
SELECT memcache_flush_all();
SELECT memcache_server_add('127.0.0.1:22123');
-- settings that shape the client are superuser-only
SET memcache.servers = '127.0.0.1:22123';
SET memcache.key_prefix = 'other:';
SET memcache.key_distribution = gomemcache;
SET memcache.server_retry_delay = 0;
-- per-call behaviour is anyone's
SET memcache.timeout = '200ms';
SET memcache.on_error = error;
RESET ROLE;

-- ALTER ROLE ... SET memcache.key_prefix confines a role's keys
ALTER ROLE mc_app SET memcache.key_prefix = 'tenant1:';
\c - mc_app
SHOW memcache.key_prefix;
SELECT memcache_set('k', 'confined');
\! test/mcwire 22122 'get tenant1:k'
\c - postgres
DROP OWNED BY mc_app;
DROP ROLE mc_app;
