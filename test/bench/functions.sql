-- Loops run inside one backend, the same text in every database: each
-- database resolves memcache_set / memcache_get / memcache_get_multi to its
-- own implementation (this extension, pgmemcache, or the PL/Perl functions).
-- Each returns operations (or keys) per second.
CREATE FUNCTION bench_set(n int, val text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t timestamptz := clock_timestamp();
BEGIN
  PERFORM count(*) FROM generate_series(1, n) i WHERE memcache_set('bench' || (i % 1000), val);
  RETURN n / extract(epoch FROM clock_timestamp() - t);
END $$;
CREATE FUNCTION bench_get(n int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t timestamptz := clock_timestamp();
BEGIN
  PERFORM count(*) FROM generate_series(1, n) i WHERE memcache_get('bench' || (i % 1000)) IS NOT NULL;
  RETURN n / extract(epoch FROM clock_timestamp() - t);
END $$;
CREATE FUNCTION bench_miss(n int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t timestamptz := clock_timestamp();
BEGIN
  PERFORM count(*) FROM generate_series(1, n) i WHERE memcache_get('missing' || i) IS NOT NULL;
  RETURN n / extract(epoch FROM clock_timestamp() - t);
END $$;
CREATE FUNCTION bench_getmulti(n int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t timestamptz; keys text[][] := ARRAY(SELECT 'bench' || i FROM generate_series(0, 99) i);
BEGIN
  t := clock_timestamp();
  FOR j IN 1..n LOOP
    PERFORM count(*) FROM memcache_get_multi(keys);
  END LOOP;
  RETURN n * 100 / extract(epoch FROM clock_timestamp() - t);
END $$;
CREATE FUNCTION bench_getmulti_keys(n int, nkeys int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t timestamptz; keys text[] := ARRAY(SELECT 'bench' || i FROM generate_series(0, nkeys - 1) i);
BEGIN
  t := clock_timestamp();
  FOR j IN 1..n LOOP
    PERFORM count(*) FROM memcache_get_multi(keys);
  END LOOP;
  RETURN n * nkeys / extract(epoch FROM clock_timestamp() - t);
END $$;
