-- This extension only: warming the cache in batches of 1000 keys.
CREATE FUNCTION bench_setmulti(batches int, val text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t timestamptz; keys text[] := ARRAY(SELECT 'bench' || i FROM generate_series(0, 999) i);
        vals text[] := array_fill(val, ARRAY[1000]);
BEGIN
  t := clock_timestamp();
  FOR j IN 1..batches LOOP
    PERFORM memcache_set_multi(keys, vals);
  END LOOP;
  RETURN batches * 1000 / extract(epoch FROM clock_timestamp() - t);
END $$;
