-- get, get_bytea, get_multi, get_multi_bytea.
SELECT memcache_flush_all();

SELECT memcache_get('missing') IS NULL AS miss;
SELECT memcache_get_bytea('missing') IS NULL AS miss;

-- a value written by another client, straight through the wire
\! test/mcwire 22122 'set fromwire 0 0 5' 'abcde'
SELECT memcache_get('fromwire'), memcache_get_bytea('fromwire');

-- bytes that are not valid UTF-8 cannot be text: an ERROR that says what to use
\! printf 'set binary 0 0 2\r\n\377\376\r\nquit\r\n' | timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/22122; cat >&3; tr -d "\r" <&3'
SELECT memcache_get('binary');
SELECT memcache_get_bytea('binary');
-- the hint names the _bytea twin of the function called
SELECT * FROM memcache_gets('binary');
SELECT memcache_gat('binary', interval '1 hour');
SELECT * FROM memcache_get_multi(ARRAY['binary']);
-- NUL bytes are not text either
SELECT memcache_set('nul', '\x610062'::bytea);
SELECT memcache_get('nul');
SELECT memcache_get_bytea('nul');

-- get_multi: found keys only, in the order asked
SELECT memcache_set('k1', 'one'), memcache_set('k2', 'two'), memcache_set('k3', 'three');
SELECT * FROM memcache_get_multi(ARRAY['k3', 'nope', 'k1', 'k2', 'k1']);
SELECT * FROM memcache_get_multi(ARRAY['nope1', 'nope2']);
SELECT * FROM memcache_get_multi('{}'::text[]);
SELECT * FROM memcache_get_multi_bytea(ARRAY['k1', 'nul']);
-- an invalid element: nothing is sent
SELECT * FROM memcache_get_multi(ARRAY['k1', NULL]);
SELECT * FROM memcache_get_multi(ARRAY['k1', 'bad key']);
SELECT * FROM memcache_get_multi(ARRAY[['k1'], ['k2']]);

-- get_multi over three servers: one request per server
SET memcache.servers = '127.0.0.1:22122, 127.0.0.1:22123, 127.0.0.1:22124';
SELECT memcache_flush_all();
SELECT count(*) FILTER (WHERE memcache_set('multi' || i, 'v' || i)) AS stored
FROM generate_series(1, 100) i;
SELECT count(*), min(value), max(value)
FROM memcache_get_multi(ARRAY(SELECT 'multi' || i FROM generate_series(1, 120) i));
-- every server holds some of the keys
SELECT server, count(*) FROM generate_series(1, 100) i,
  LATERAL memcache_server_for_key('multi' || i) AS server GROUP BY server ORDER BY server;
-- across servers too: in the order asked, each key once
SELECT * FROM memcache_get_multi(ARRAY['multi7', 'multi3', 'nope', 'multi7', 'multi50', 'multi1', 'multi3', 'multi99']);
-- values larger than a connection's buffers, alone and among small ones
SELECT memcache_set('big1', repeat('0123456789', 50000)), memcache_set('big2', repeat('abcdefghij', 20000));
SELECT key, length(value), CASE key WHEN 'big1' THEN value = repeat('0123456789', 50000)
  WHEN 'big2' THEN value = repeat('abcdefghij', 20000) ELSE value = 'v' || substr(key, 6) END AS intact
FROM memcache_get_multi(ARRAY['multi1', 'big1', 'multi2', 'big2', 'multi3']);
RESET memcache.servers;
-- one server: a value larger than the buffers goes out in one piece and
-- comes back whole, alone and inside get_multi
SELECT memcache_set('big', repeat('0123456789', 100000));
SELECT length(memcache_get('big')), md5(memcache_get('big')) = md5(repeat('0123456789', 100000)) AS intact;
SELECT memcache_set('small1', 'a'), memcache_set('small2', 'b');
SELECT key, length(value) FROM memcache_get_multi(ARRAY['small1', 'big', 'small2']);
\! test/mcwire 22122 'get big' | head -c 40; echo
