-- Calls from deep in the backend's stack. The session's first call, which
-- loads the module and starts Go, is made 100 PL/pgSQL frames down; calls
-- follow at other depths; and PostgreSQL's own stack limit stays an ERROR
-- (stack depth limit exceeded) that the session survives, with a call into
-- Go at every level of the recursion it stops.
\set VERBOSITY terse
CREATE FUNCTION deep_call(depth int, key text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  IF depth > 0 THEN
    RETURN deep_call(depth - 1, key);
  END IF;
  PERFORM memcache_set(key, 'depth ' || key);
  RETURN memcache_get(key);
END $$;
SELECT deep_call(100, 'stack_first');
SELECT memcache_get('stack_first');
SELECT d, deep_call(d, 'stack_' || d) FROM (VALUES (0), (5), (50), (100)) v(d);

-- (a get at every level: gets change nothing on memcached; the levels are
-- counted by a sequence, which an ERROR does not roll back)
CREATE SEQUENCE stack_levels;
CREATE FUNCTION too_deep() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  PERFORM nextval('stack_levels'), memcache_get('stack_first');
  RETURN too_deep();
END $$;
SELECT too_deep();
SELECT last_value > 100 AS went_deep FROM stack_levels;
SELECT memcache_set('stack_after', 'ok'), memcache_get('stack_after');
DROP FUNCTION deep_call(int, text), too_deep();
DROP SEQUENCE stack_levels;
