-- Empty values: memcached stores them, every read returns them (not NULL,
-- not an error), also as a session's first call, when the Go side has no
-- result buffer yet, and after a large result gave its buffer back.
SELECT memcache_set('empty', ''), memcache_set('empty_b', ''::bytea);
\! test/mcwire 22122 'set fromwire_empty 0 0 0' ''

-- each read as the first call of a new session
\c
SELECT memcache_get('empty') = '' AS get;
\c
SELECT memcache_get_bytea('empty_b') = ''::bytea AS get_bytea;
\c
SELECT value = '' AS gets, cas > 0 AS has_cas FROM memcache_gets('empty');
\c
SELECT value = ''::bytea AS gets_bytea FROM memcache_gets_bytea('empty');
\c
SELECT memcache_gat('empty', interval '1 hour') = '' AS gat;
\c
SELECT memcache_gat_bytea('empty', interval '1 hour') = ''::bytea AS gat_bytea;
\c
SELECT key, value = '' AS empty FROM memcache_get_multi(ARRAY['empty', 'fromwire_empty']);
\c
SELECT key, value = ''::bytea AS empty FROM memcache_get_multi_bytea(ARRAY['fromwire_empty']);
\c
SELECT memcache_get('fromwire_empty') = '' AS written_by_another_client;

-- after a result over 4 MB (its buffer is given back when the call is done)
SELECT memcache_set_multi(array_agg('big' || i), array_agg(repeat('x', 500000)))
  FROM generate_series(1, 10) i;
SELECT count(*), sum(length(value)) FROM memcache_get_multi(ARRAY(SELECT 'big' || i FROM generate_series(1, 10) i));
SELECT memcache_get('empty') = '' AS get_after_large;
SELECT count(*) FROM memcache_get_multi(ARRAY(SELECT 'big' || i FROM generate_series(1, 10) i));
SELECT value = '' AS gets_after_large FROM memcache_gets('empty');

-- appending to an empty value, and an empty append
SELECT memcache_append('empty', 'tail'), memcache_get('empty');
SELECT memcache_append('empty', ''), memcache_get('empty');
SELECT memcache_set('empty', ''), memcache_prepend('empty', ''), memcache_get('empty') = '' AS still_empty;

-- the rows of memcache_sync with an empty value reach the cache as empty
CREATE TABLE empty_rows (id text PRIMARY KEY, data text NOT NULL);
CREATE TRIGGER empty_rows_cache AFTER INSERT OR UPDATE OR DELETE ON empty_rows
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', 'data');
INSERT INTO empty_rows VALUES ('row_empty', '');
\! test/mcwire 22122 'get row_empty'
\c
SELECT memcache_get('row_empty') = '' AS synced_empty;
DROP TABLE empty_rows;
