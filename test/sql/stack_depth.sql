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

CREATE FUNCTION too_deep(depth int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  PERFORM memcache_set('stack_too_deep', depth::text);
  RETURN too_deep(depth + 1);
END $$;
SELECT too_deep(0);
SELECT memcache_get('stack_too_deep')::int > 100 AS went_deep;
SELECT memcache_set('stack_after', 'ok'), memcache_get('stack_after');
DROP FUNCTION deep_call(int, text), too_deep(int);
