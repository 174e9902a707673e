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

-- pgmemcache's bytea keys (the key's bytes as they are)
CREATE FUNCTION memcache_get(key bytea)
RETURNS text
AS 'MODULE_PATHNAME', 'memcache_get'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_get_multi(keys bytea[], OUT key text, OUT value text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'memcache_get_multi'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_set(key bytea, value text)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_set'
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

-- What did not work before an ALTER TABLE is not refused after it: these
-- are noted when the command starts.
CREATE FUNCTION memcache_note_triggers()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'memcache_note_triggers'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
REVOKE ALL ON FUNCTION memcache_note_triggers() FROM PUBLIC;

CREATE EVENT TRIGGER memcache_note_triggers ON ddl_command_start
  WHEN TAG IN ('ALTER TABLE', 'ALTER FOREIGN TABLE')
  EXECUTE FUNCTION memcache_note_triggers();

-- Compare-and-set and get-and-touch.  memcache_gets returns the value and
-- its CAS token (NULL on a miss); memcache_cas stores only if the item is
-- unchanged since (false when it changed or is gone).  The token is
-- memcached's unsigned 64-bit number as the bigint of the same 64 bits.
CREATE FUNCTION memcache_gets(key text, OUT value text, OUT cas bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'memcache_gets'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_gets_bytea(key text, OUT value bytea, OUT cas bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'memcache_gets_bytea'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_cas(key text, value text, cas bigint)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_cas'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_cas(key text, value text, cas bigint, expire interval)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_cas'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_cas(key text, value text, cas bigint, expire timestamptz)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_cas_at'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_cas(key text, value bytea, cas bigint)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_cas'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_cas(key text, value bytea, cas bigint, expire interval)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_cas'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_cas(key text, value bytea, cas bigint, expire timestamptz)
RETURNS bool
AS 'MODULE_PATHNAME', 'memcache_cas_at'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- memcache_gat: the value (NULL on a miss), and the item gets a new expiry.

CREATE FUNCTION memcache_gat(key text, expire interval)
RETURNS text
AS 'MODULE_PATHNAME', 'memcache_gat'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_gat(key text, expire timestamptz)
RETURNS text
AS 'MODULE_PATHNAME', 'memcache_gat_at'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_gat_bytea(key text, expire interval)
RETURNS bytea
AS 'MODULE_PATHNAME', 'memcache_gat_bytea'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_gat_bytea(key text, expire timestamptz)
RETURNS bytea
AS 'MODULE_PATHNAME', 'memcache_gat_at_bytea'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- Counters (README: "Monitoring"): one row per server, then one for the
-- commit queue (server NULL); the other kind's columns are NULL.
-- memcache_stat_local: this session's.  memcache_stat (the view) and
-- memcache_stat_cluster: every session's, summed in shared memory (the
-- module must be in shared_preload_libraries).
CREATE FUNCTION memcache_stat_local(
  OUT server text,
  OUT cmd_get bigint,
  OUT cmd_get_multi bigint,
  OUT cmd_gets bigint,
  OUT cmd_gat bigint,
  OUT cmd_set bigint,
  OUT cmd_add bigint,
  OUT cmd_replace bigint,
  OUT cmd_append bigint,
  OUT cmd_prepend bigint,
  OUT cmd_cas bigint,
  OUT cmd_delete bigint,
  OUT cmd_incr bigint,
  OUT cmd_decr bigint,
  OUT cmd_touch bigint,
  OUT cmd_other bigint,
  OUT get_hits bigint,
  OUT get_misses bigint,
  OUT not_found bigint,
  OUT not_stored bigint,
  OUT err_refused bigint,
  OUT err_timeout bigint,
  OUT err_reset bigint,
  OUT err_server bigint,
  OUT err_too_large bigint,
  OUT err_while_down bigint,
  OUT err_other bigint,
  OUT cancelled bigint,
  OUT bytes_sent bigint,
  OUT bytes_received bigint,
  OUT connections bigint,
  OUT marked_down bigint,
  OUT time_ms double precision,
  OUT trips_under_1ms bigint,
  OUT trips_1_to_10ms bigint,
  OUT trips_10_to_100ms bigint,
  OUT trips_over_100ms bigint,
  OUT commit_xacts bigint,
  OUT commit_queued bigint,
  OUT commit_dropped bigint,
  OUT commit_superseded bigint,
  OUT commit_sent bigint,
  OUT commit_failed bigint,
  OUT commit_over_limit bigint,
  OUT commit_unordered bigint,
  OUT commit_waits bigint,
  OUT commit_wait_ms double precision)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'memcache_stat_local'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION memcache_stat_cluster(
  OUT server text,
  OUT cmd_get bigint,
  OUT cmd_get_multi bigint,
  OUT cmd_gets bigint,
  OUT cmd_gat bigint,
  OUT cmd_set bigint,
  OUT cmd_add bigint,
  OUT cmd_replace bigint,
  OUT cmd_append bigint,
  OUT cmd_prepend bigint,
  OUT cmd_cas bigint,
  OUT cmd_delete bigint,
  OUT cmd_incr bigint,
  OUT cmd_decr bigint,
  OUT cmd_touch bigint,
  OUT cmd_other bigint,
  OUT get_hits bigint,
  OUT get_misses bigint,
  OUT not_found bigint,
  OUT not_stored bigint,
  OUT err_refused bigint,
  OUT err_timeout bigint,
  OUT err_reset bigint,
  OUT err_server bigint,
  OUT err_too_large bigint,
  OUT err_while_down bigint,
  OUT err_other bigint,
  OUT cancelled bigint,
  OUT bytes_sent bigint,
  OUT bytes_received bigint,
  OUT connections bigint,
  OUT marked_down bigint,
  OUT time_ms double precision,
  OUT trips_under_1ms bigint,
  OUT trips_1_to_10ms bigint,
  OUT trips_10_to_100ms bigint,
  OUT trips_over_100ms bigint,
  OUT commit_xacts bigint,
  OUT commit_queued bigint,
  OUT commit_dropped bigint,
  OUT commit_superseded bigint,
  OUT commit_sent bigint,
  OUT commit_failed bigint,
  OUT commit_over_limit bigint,
  OUT commit_unordered bigint,
  OUT commit_waits bigint,
  OUT commit_wait_ms double precision)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'memcache_stat_cluster'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE VIEW memcache_stat AS SELECT * FROM memcache_stat_cluster();

-- memcache_stat_reset: zeroes memcache_stat (superuser only).
CREATE FUNCTION memcache_stat_reset()
RETURNS void
AS 'MODULE_PATHNAME', 'memcache_stat_reset'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- Nothing new for PUBLIC; the counters for monitoring roles (pg_monitor),
-- which also need EXECUTE on the function behind the view.
REVOKE ALL ON FUNCTION memcache_gets(text), memcache_gets_bytea(text),
  memcache_cas(text, text, bigint), memcache_cas(text, text, bigint, interval),
  memcache_cas(text, text, bigint, timestamptz), memcache_cas(text, bytea, bigint),
  memcache_cas(text, bytea, bigint, interval), memcache_cas(text, bytea, bigint, timestamptz),
  memcache_gat(text, interval), memcache_gat(text, timestamptz),
  memcache_gat_bytea(text, interval), memcache_gat_bytea(text, timestamptz),
  memcache_stat_local(), memcache_stat_cluster(), memcache_stat_reset() FROM PUBLIC;
REVOKE ALL ON memcache_stat FROM PUBLIC;
GRANT EXECUTE ON FUNCTION memcache_stat_local(), memcache_stat_cluster() TO pg_monitor;
GRANT SELECT ON memcache_stat TO pg_monitor;
