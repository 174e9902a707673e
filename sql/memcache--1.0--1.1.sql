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
