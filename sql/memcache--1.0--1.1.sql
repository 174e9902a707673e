-- memcache 1.0 -> 1.1
-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION memcache UPDATE TO '1.1'" to load this file. \quit

-- What 1.1 adds is also in sql/memcache--1.1.sql (the full script a fresh
-- CREATE EXTENSION runs); test/integration/upgrade.sh checks that both give
-- the same objects. EXECUTE is revoked from PUBLIC on each new function
-- only (a 1.0 function the administrator granted to PUBLIC keeps its grant).

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

-- Nothing new for PUBLIC; the counters for monitoring roles (pg_monitor),
-- which also need EXECUTE on the function behind the view.
REVOKE ALL ON FUNCTION memcache_gets(text), memcache_gets_bytea(text),
  memcache_cas(text, text, bigint), memcache_cas(text, text, bigint, interval),
  memcache_cas(text, text, bigint, timestamptz), memcache_cas(text, bytea, bigint),
  memcache_cas(text, bytea, bigint, interval), memcache_cas(text, bytea, bigint, timestamptz),
  memcache_gat(text, interval), memcache_gat(text, timestamptz),
  memcache_gat_bytea(text, interval), memcache_gat_bytea(text, timestamptz),
  memcache_stat_local(), memcache_stat_cluster(), memcache_stat_reset(),
  memcache_get(bytea), memcache_get_multi(bytea[]), memcache_set(bytea, text) FROM PUBLIC;
REVOKE ALL ON memcache_stat FROM PUBLIC;
GRANT EXECUTE ON FUNCTION memcache_stat_local(), memcache_stat_cluster() TO pg_monitor;
GRANT SELECT ON memcache_stat TO pg_monitor;
