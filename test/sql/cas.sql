-- gets, cas and gat (text and bytea), checked through memcached's own
-- protocol (test/mcwire).
SELECT memcache_flush_all();
\set VERBOSITY terse

-- gets: the value and memcached's CAS token, as memcached's own gets shows it
SELECT memcache_set('item', 'one');
SELECT value, cas > 0 AS has_token FROM memcache_gets('item');
SELECT cas AS token FROM memcache_gets('item') \gset
\setenv TOKEN :token
\! test/mcwire 22122 'gets item' | sed -E "s/^(VALUE item 0 3) $TOKEN\$/\1 <the token memcache_gets returned>/"
-- a miss is a row of NULLs
SELECT * FROM memcache_gets('missing');
SELECT value, cas = :token AS same_token FROM memcache_gets_bytea('item');

-- cas: stored only while the token is the item's
SELECT memcache_cas('item', 'two', :token);          -- true: unchanged since gets
\! test/mcwire 22122 'get item'
SELECT memcache_cas('item', 'three', :token);        -- false: changed since (EXISTS)
\! test/mcwire 22122 'get item'
SELECT memcache_cas('gone', 'x', :token);            -- false: no such item (NOT_FOUND)
\! test/mcwire 22122 'get gone'
-- the token of the last change works again; an old one does not
SELECT memcache_cas('item', 'three', cas) FROM memcache_gets('item');
SELECT memcache_cas('item', 'four', :token);
-- a token beyond bigint's range is its 64 bits as a negative bigint: passed back unchanged
SELECT memcache_cas('item', 'five', -1);
\! test/mcwire 22122 'get item'

-- bytea values, and expiry (interval or timestamptz), as memcache_set's
SELECT memcache_cas('item', '\x00ff'::bytea, cas, interval '1 hour') FROM memcache_gets('item');
\! test/mcwire 22122 'get item' | od -An -c | head -2
\! test/mcwire 22122 'mg item t' | sed -E 's/t(3[0-9]{3})$/t<about 3600>/'
SELECT memcache_cas('item', 'six', cas, now() + interval '2 hours') FROM memcache_gets_bytea('item');
\! test/mcwire 22122 'mg item t v' | sed -E 's/t(7[0-9]{3})$/t<about 7200>/'
SELECT memcache_cas('item', 'seven', cas, interval '0') FROM memcache_gets('item');
\! test/mcwire 22122 'mg item t v'
-- a bad expiry is an ERROR before anything is sent
SELECT memcache_cas('item', 'x', 1, interval '-1 s');
SELECT memcache_cas('item', 'x', 1, timestamptz '2100-01-01');

-- gat: the value, and the item gets the new expiry
SELECT memcache_gat('item', interval '100 s');
\! test/mcwire 22122 'mg item t' | sed -E 's/t(9[0-9]|100)$/t<about 100>/'
SELECT memcache_gat_bytea('item', now() + interval '1 hour');
\! test/mcwire 22122 'mg item t' | sed -E 's/t(3[0-9]{3})$/t<about 3600>/'
SELECT memcache_gat('item', timestamptz '2100-01-01');
SELECT memcache_gat('missing', interval '1 s') IS NULL AS miss, memcache_gat_bytea('missing', interval '1 s') IS NULL AS miss;
\! test/mcwire 22122 'get missing'

-- text must be valid in the database encoding, as memcache_get's
SELECT memcache_set('bin', '\xfffe'::bytea);
SELECT * FROM memcache_gets('bin');
SELECT memcache_gat('bin', interval '1 h');
SELECT memcache_gat_bytea('bin', interval '1 h'), (memcache_gets_bytea('bin')).value;

-- bad keys: an ERROR, nothing sent
SELECT * FROM memcache_gets('bad key');
SELECT memcache_cas('bad key', 'x', 1);
SELECT memcache_gat(repeat('k', 251), interval '1 s');
-- NULL arguments: STRICT
SELECT memcache_cas('item', 'x', NULL), memcache_gat(NULL, interval '1 s');

-- too large: an ERROR, nothing stored
SELECT memcache_cas('item', repeat('x', 2000000), cas) FROM memcache_gets('item');
\! test/mcwire 22122 'get item'

-- memcached unreachable: memcache.on_error decides
SET memcache.servers = '127.0.0.1:22129';
SET memcache.server_retry_delay = 0;
SELECT * FROM memcache_gets('item');
SELECT memcache_cas('item', 'x', 1), memcache_gat('item', interval '1 s');
SET memcache.on_error = silent;
SELECT * FROM memcache_gets('item');
SELECT memcache_cas('item', 'x', 1), memcache_gat_bytea('item', interval '1 s');
SET memcache.on_error = error;
SELECT value, cas = :token AS same_token FROM memcache_gets_bytea('item');
SELECT memcache_cas('item', 'x', 1);
SELECT memcache_gat('item', interval '1 s');
