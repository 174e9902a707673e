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
SELECT memcache_server_add('127.0.0.1:22122');   -- in the session's list already: true, nothing changes
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

-- memcache.password never goes into a catalog that every role can read
-- (checked where the module is loaded: preload it, see below)
LOAD 'memcache';
ALTER ROLE mc_app SET memcache.password = 'secret';
ALTER ROLE ALL SET memcache.password = 'secret';
SELECT format('ALTER DATABASE %I SET memcache.password = %L', current_database(), 'secret') \gexec
SELECT format('ALTER ROLE mc_app IN DATABASE %I SET memcache.password = %L', current_database(), 'secret') \gexec
CREATE FUNCTION leaky() RETURNS int LANGUAGE sql SET memcache.password = 'secret' AS 'SELECT 1';
SELECT count(*) AS passwords_in_catalogs FROM pg_db_role_setting
WHERE array_to_string(setconfig, ' ') LIKE '%memcache.password%';
-- the server's own files are the place: ALTER SYSTEM (postgresql.auto.conf)
-- or memcache.password_file
ALTER SYSTEM SET memcache.password = 'secret';
ALTER SYSTEM RESET memcache.password;
ALTER ROLE mc_app SET memcache.password = '';
ALTER ROLE mc_app RESET memcache.password;
-- a session that has not loaded the module cannot check the setting (it is
-- a placeholder): ALTER ROLE stores it, and every session of that role then
-- refuses it with a WARNING when the module loads (preload the module)
\c - postgres
ALTER ROLE mc_app SET memcache.password = 'leaked';
\c - mc_app
SELECT memcache_set('k', 'v') AS works_without_it;
\c - postgres
ALTER ROLE mc_app RESET memcache.password;

-- triggers fire without EXECUTE on their function (PostgreSQL checks it at
-- CREATE TRIGGER only): a role that may write the table keeps it cached
CREATE TABLE exec_t (id int PRIMARY KEY, v text);
CREATE TRIGGER exec_sync AFTER INSERT OR UPDATE OR DELETE ON exec_t
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', 'v', 'exec:');
GRANT INSERT ON exec_t TO mc_app;
SET ROLE mc_app;
SELECT has_function_privilege('memcache_sync()', 'EXECUTE') AS may_execute_memcache_sync;
INSERT INTO exec_t VALUES (1, 'written by mc_app');
RESET ROLE;
\! test/mcwire 22122 'get exec:1'
-- a rule's function calls, however, need EXECUTE for the role that runs
-- the statement
CREATE RULE exec_rule AS ON UPDATE TO exec_t
  DO ALSO SELECT memcache_set_on_commit('rule:' || NEW.id, NEW.v);
GRANT UPDATE, SELECT ON exec_t TO mc_app;
SET ROLE mc_app;
UPDATE exec_t SET v = 'updated by mc_app';
RESET ROLE;
DROP TABLE exec_t;
DROP OWNED BY mc_app;
DROP ROLE mc_app;
