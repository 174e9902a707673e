-- Every function of pgmemcache (2.3, ext/pgmemcache.sql) exists with its
-- argument types and result, so that its callers run unchanged.
SELECT sig, to_regprocedure(sig) IS NOT NULL AS exists,
       pg_get_function_result(to_regprocedure(sig)) AS result
FROM (VALUES
  ('memcache_server_add(text)'), ('memcache_stats()'), ('memcache_flush_all()'),
  ('memcache_delete(text, interval)'), ('memcache_delete(text)'),
  ('memcache_get(text)'), ('memcache_get(bytea)'),
  ('memcache_get_multi(text[])'), ('memcache_get_multi(bytea[])'),
  ('memcache_set(text, text, timestamptz)'), ('memcache_set(text, text, interval)'),
  ('memcache_set(text, text)'), ('memcache_set(bytea, text)'), ('memcache_set(text, bytea)'),
  ('memcache_add(text, text, timestamptz)'), ('memcache_add(text, text, interval)'), ('memcache_add(text, text)'),
  ('memcache_replace(text, text, timestamptz)'), ('memcache_replace(text, text, interval)'), ('memcache_replace(text, text)'),
  ('memcache_append(text, text, timestamptz)'), ('memcache_append(text, text, interval)'), ('memcache_append(text, text)'),
  ('memcache_prepend(text, text, timestamptz)'), ('memcache_prepend(text, text, interval)'), ('memcache_prepend(text, text)'),
  ('memcache_incr(text, bigint)'), ('memcache_incr(text)'),
  ('memcache_decr(text, bigint)'), ('memcache_decr(text)')) AS pgmemcache(sig)
ORDER BY sig;

-- bytea keys: the key's bytes as they are, the same item as the text key
SELECT memcache_set('compat:k'::bytea, 'from a bytea key');
SELECT memcache_get('compat:k'), memcache_get('compat:k'::bytea);
\! test/mcwire 22122 'get compat:k'
SELECT memcache_set('compat:k2', 'two');
SELECT * FROM memcache_get_multi(ARRAY['compat:k'::bytea, 'compat:k2'::bytea, 'compat:none'::bytea]);
-- the rules for keys are the same
SELECT memcache_set('bad key'::bytea, 'x');
SELECT memcache_get('\x6100'::bytea);
-- a bytea key comes back from get_multi as text: it must be text
SELECT * FROM memcache_get_multi(ARRAY['\xff'::bytea]);
SELECT * FROM memcache_get_multi(ARRAY['compat:k'::bytea, NULL]);

-- untyped literals go to the text functions, as with pgmemcache
SELECT memcache_set('compat:lit', 'literal'), memcache_get('compat:lit');
SELECT * FROM memcache_get_multi(ARRAY['compat:lit']);
-- an array literal needs its type, as with pgmemcache
DO $$
BEGIN
  PERFORM * FROM memcache_get_multi('{compat:lit}');
EXCEPTION WHEN ambiguous_function THEN
  RAISE NOTICE 'an untyped array literal is ambiguous (%)', SQLSTATE;
END
$$;
SELECT * FROM memcache_get_multi('{compat:lit}'::text[]);
