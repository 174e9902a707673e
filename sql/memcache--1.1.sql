-- memcache 1.1: memcached from SQL.
-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION memcache" to load this file. \quit

-- Every function is STRICT, VOLATILE and PARALLEL UNSAFE (each talks to
-- memcached from this backend), and EXECUTE is revoked from PUBLIC at the
-- end: grant what an application role needs (see README).

-- memcache_set: true when stored, false when not (or on a failure, see memcache.on_error).
CREATE FUNCTION memcache_set(key text, value text)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_set'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_set(key text, value text, expire interval)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_set'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_set(key text, value text, expire timestamptz)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_set_at'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_set(key text, value bytea)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_set'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_set(key text, value bytea, expire interval)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_set'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_set(key text, value bytea, expire timestamptz)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_set_at'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- memcache_add: true when stored, false when not (or on a failure, see memcache.on_error).
CREATE FUNCTION memcache_add(key text, value text)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_add'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_add(key text, value text, expire interval)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_add'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_add(key text, value text, expire timestamptz)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_add_at'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_add(key text, value bytea)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_add'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_add(key text, value bytea, expire interval)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_add'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_add(key text, value bytea, expire timestamptz)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_add_at'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- memcache_replace: true when stored, false when not (or on a failure, see memcache.on_error).
CREATE FUNCTION memcache_replace(key text, value text)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_replace'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_replace(key text, value text, expire interval)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_replace'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_replace(key text, value text, expire timestamptz)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_replace_at'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_replace(key text, value bytea)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_replace'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_replace(key text, value bytea, expire interval)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_replace'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_replace(key text, value bytea, expire timestamptz)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_replace_at'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- memcache_append: true when stored, false when not (or on a failure, see memcache.on_error).
CREATE FUNCTION memcache_append(key text, value text)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_append'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_append(key text, value text, expire interval)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_append'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_append(key text, value text, expire timestamptz)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_append_at'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_append(key text, value bytea)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_append'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_append(key text, value bytea, expire interval)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_append'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_append(key text, value bytea, expire timestamptz)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_append_at'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- memcache_prepend: true when stored, false when not (or on a failure, see memcache.on_error).
CREATE FUNCTION memcache_prepend(key text, value text)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_prepend'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_prepend(key text, value text, expire interval)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_prepend'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_prepend(key text, value text, expire timestamptz)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_prepend_at'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_prepend(key text, value bytea)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_prepend'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_prepend(key text, value bytea, expire interval)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_prepend'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_prepend(key text, value bytea, expire timestamptz)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_prepend_at'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- memcache_get: NULL on a miss.
CREATE FUNCTION memcache_get(key text)
RETURNS text
AS 'MODULE_PATHNAME', 'memcache_get'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_get_bytea(key text)
RETURNS bytea
AS 'MODULE_PATHNAME', 'memcache_get_bytea'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- memcache_get_multi: the keys found, one round trip per server.
CREATE FUNCTION memcache_get_multi(keys text[], OUT key text, OUT value text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'memcache_get_multi'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_get_multi_bytea(keys text[], OUT key text, OUT value bytea)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'memcache_get_multi_bytea'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- memcache_delete: false when the key was not there.
CREATE FUNCTION memcache_delete(key text)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_delete'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_delete(key text, hold interval)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_delete'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- memcache_incr/decr: the new value, NULL when the key is missing.
CREATE FUNCTION memcache_incr(key text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'memcache_incr'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_incr(key text, delta bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'memcache_incr'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_decr(key text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'memcache_decr'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_decr(key text, delta bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'memcache_decr'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- memcache_touch: new expiry; false when the key is missing.
CREATE FUNCTION memcache_touch(key text, expire interval)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_touch'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_touch(key text, expire timestamptz)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_touch_at'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- Superuser only, even when granted.
CREATE FUNCTION memcache_flush_all()
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_flush_all'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_stats()
RETURNS text
AS 'MODULE_PATHNAME', 'memcache_stats'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_server_stats(OUT server text, OUT name text, OUT value text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'memcache_server_stats'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- memcache_servers: probes every configured server now.
CREATE FUNCTION memcache_servers(OUT server text, OUT "position" int, OUT reachable bool, OUT latency_ms float8, OUT error text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'memcache_servers'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_server_for_key(key text)
RETURNS text
AS 'MODULE_PATHNAME', 'memcache_server_for_key'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- Appends to this session's server list. Superuser only, even when granted.
CREATE FUNCTION memcache_server_add(server text)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_server_add'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- memcache_set_multi: how many were stored; one connection per server, servers in parallel.
CREATE FUNCTION memcache_set_multi(keys text[], "values" text[])
RETURNS int
AS 'MODULE_PATHNAME', 'memcache_set_multi'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_set_multi(keys text[], "values" text[], expire interval)
RETURNS int
AS 'MODULE_PATHNAME', 'memcache_set_multi'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_set_multi(keys text[], "values" bytea[])
RETURNS int
AS 'MODULE_PATHNAME', 'memcache_set_multi'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_set_multi(keys text[], "values" bytea[], expire interval)
RETURNS int
AS 'MODULE_PATHNAME', 'memcache_set_multi'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- Transactional cache writes: queued, sent when the top-level transaction
-- commits, dropped when it (or the savepoint they were queued in) rolls back.
CREATE FUNCTION memcache_set_on_commit(key text, value text)
RETURNS void
AS 'MODULE_PATHNAME', 'memcache_set_on_commit'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_set_on_commit(key text, value text, expire interval)
RETURNS void
AS 'MODULE_PATHNAME', 'memcache_set_on_commit'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_set_on_commit(key text, value bytea)
RETURNS void
AS 'MODULE_PATHNAME', 'memcache_set_on_commit'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_set_on_commit(key text, value bytea, expire interval)
RETURNS void
AS 'MODULE_PATHNAME', 'memcache_set_on_commit'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_delete_on_commit(key text)
RETURNS void
AS 'MODULE_PATHNAME', 'memcache_delete_on_commit'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- Row triggers: memcache_sync('key_column' [, 'value_column' [, 'key_prefix' [, 'expire_seconds']]])
-- keeps rows in memcached on commit; memcache_invalidate('key_column' [, 'key_prefix'])
-- deletes their keys on commit.
CREATE FUNCTION memcache_sync()
RETURNS trigger
AS 'MODULE_PATHNAME', 'memcache_sync'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_invalidate()
RETURNS trigger
AS 'MODULE_PATHNAME', 'memcache_invalidate'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

DO $$
DECLARE f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
           JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
           JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
           WHERE e.extname = 'memcache' AND d.deptype = 'e'
  LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END
$$;

-- memcache_sync and memcache_invalidate name their columns in strings that
-- PostgreSQL does not track.  This event trigger refuses a CREATE TRIGGER
-- whose arguments do not fit the table, and an ALTER TABLE that renames or
-- drops a column such a trigger uses (or gives its key column a type that
-- cannot be a key), so that the table's writes never meet a broken trigger.
CREATE FUNCTION memcache_check_triggers()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'memcache_check_triggers'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
REVOKE ALL ON FUNCTION memcache_check_triggers() FROM PUBLIC;

CREATE EVENT TRIGGER memcache_check_triggers ON ddl_command_end
  WHEN TAG IN ('CREATE TRIGGER', 'ALTER TABLE', 'ALTER FOREIGN TABLE')
  EXECUTE FUNCTION memcache_check_triggers();
