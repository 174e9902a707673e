-- delete, incr, decr.
SELECT memcache_flush_all();

SELECT memcache_set('d', 'x');
SELECT memcache_delete('d');
SELECT memcache_delete('d');
\! test/mcwire 22122 'get d'
-- pgmemcache's hold argument: only zero
SELECT memcache_set('d', 'x');
SELECT memcache_delete('d', interval '0');
SELECT memcache_delete('d', interval '5 seconds');
SELECT memcache_delete('d', interval '-1 second');

-- incr/decr: NULL on a missing key, which is not created
SELECT memcache_incr('counter');
SELECT memcache_decr('counter', 5);
\! test/mcwire 22122 'get counter'
SELECT memcache_set('counter', '10');
SELECT memcache_incr('counter');
SELECT memcache_incr('counter', 5);
SELECT memcache_decr('counter');
SELECT memcache_decr('counter', 100);	-- memcached stops at 0
\! test/mcwire 22122 'get counter'
SELECT memcache_incr('counter', 9223372036854775807);
-- memcached counters are unsigned 64-bit; past bigint's range is an ERROR
SELECT memcache_incr('counter');

-- errors: a non-numeric value, a negative delta
SELECT memcache_set('word', 'abc');
SELECT memcache_incr('word');
SELECT memcache_incr('counter', -1);
SELECT memcache_decr('counter', -1);
-- the backend is fine afterwards
SELECT memcache_set('counter', '41'), memcache_incr('counter');
