-- Storage commands: set, add, replace, append, prepend (text and bytea),
-- checked through memcached's own wire protocol (test/mcwire).
SELECT memcache_flush_all();

-- set stores text as its bytes
SELECT memcache_set('greeting', 'hello');
\! test/mcwire 22122 'get greeting'

-- bytea values are stored raw (not as \x hex text)
SELECT memcache_set('raw', '\x00010203ff'::bytea);
\! test/mcwire 22122 'get raw' | od -An -c | head -3

-- add: only when missing; false (no WARNING) when the key exists
SELECT memcache_add('greeting', 'other');
SELECT memcache_add('fresh', 'new');
\! test/mcwire 22122 'get greeting fresh'

-- replace: only when present
SELECT memcache_replace('nothere', 'x');
SELECT memcache_replace('greeting', 'hi');

-- append / prepend: only when present
SELECT memcache_append('nothere', 'x');
SELECT memcache_prepend('nothere', 'x');
SELECT memcache_append('greeting', ' there');
SELECT memcache_prepend('greeting', 'oh, ');
SELECT memcache_get('greeting');
SELECT memcache_append('raw', '\xee'::bytea), memcache_get_bytea('raw');
\! test/mcwire 22122 'get nothere'

-- multibyte text round-trips
SELECT memcache_set('utf8', 'grüße, 世界'), memcache_get('utf8');

-- empty values are values, not misses
SELECT memcache_set('empty', ''), memcache_get('empty') IS NULL AS is_null;

-- NULL arguments: STRICT, nothing is sent
SELECT memcache_set(NULL, 'x'), memcache_set('nullval', NULL::text);
\! test/mcwire 22122 'get nullval'

-- a value too large for memcached (1 MB items by default) is an ERROR
SELECT memcache_set('big', repeat('x', 2000000));
-- and the backend goes on working
SELECT memcache_set('after_big', 'ok'), memcache_get('after_big');
\! test/mcwire 22122 'get big'
-- a large value that fits
SELECT memcache_set('large', repeat('y', 500000)), length(memcache_get('large'));
