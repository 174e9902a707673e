-- Key rules: checked before anything is sent (no protocol injection).
SELECT memcache_flush_all();
SELECT memcache_set('sentinel', 'still here');

SELECT memcache_set('', 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT memcache_set('a b', 'x');
SELECT memcache_set(E'a\tb', 'x');
SELECT memcache_set(E'a\r\nflush_all', 'x');
SELECT memcache_get(E'a\r\nflush_all');
SELECT memcache_delete(E'x\r\ndelete sentinel');
SELECT memcache_incr(E'x\r\nflush_all');
SELECT memcache_touch(E'x\r\nflush_all', interval '1 hour');
SELECT memcache_add(E'a\r\nflush_all', 'x');
SELECT memcache_replace(E'a\r\nflush_all', 'x');
SELECT memcache_append(E'a\r\nflush_all', 'x');
SELECT memcache_prepend(E'a\r\nflush_all', 'x');
SELECT memcache_set(E'a\r\nflush_all', '\x00'::bytea, now() + interval '1 hour');
SELECT memcache_get_bytea(E'a\r\nflush_all');
SELECT memcache_decr(E'x\r\nflush_all', 1);
SELECT memcache_delete(E'x\r\nflush_all', interval '0');
SELECT * FROM memcache_get_multi_bytea(ARRAY['ok', E'a\r\nflush_all']);
SELECT memcache_set(E'del\x7f', 'x');
SELECT memcache_set(repeat('k', 251), 'x');
SELECT memcache_set(repeat('é', 126), 'x');	-- 126 characters, 252 bytes
-- a key of any length is refused with a message of bounded length: the
-- key's start and its size (the message also goes to the server's log)
SELECT memcache_get(repeat('k', 5000000));
SELECT memcache_set_on_commit(repeat('k', 100000), 'x');
SELECT * FROM memcache_get_multi(ARRAY['ok', repeat('é', 1000)]);
SELECT memcache_set_multi(ARRAY[repeat('x', 513)], ARRAY['v']);
SELECT memcache_server_for_key('a b');
-- 250 bytes is the limit, inclusive
SELECT memcache_set(repeat('k', 250), 'max'), memcache_get(repeat('k', 250));
SELECT memcache_set(repeat('é', 125), 'max'), memcache_get(repeat('é', 125));

-- nothing reached the server: the sentinel survived, no injected key exists
\! test/mcwire 22122 'get sentinel' 'get flush_all' 'get a'

-- memcache.key_prefix namespaces every key (superuser-only setting)
SET memcache.key_prefix = 'app1:';
SELECT memcache_set('user:1', 'alice');
SELECT memcache_get('user:1');
SELECT * FROM memcache_get_multi(ARRAY['user:1']);
\! test/mcwire 22122 'get app1:user:1 user:1'
-- a key valid alone but too long with the prefix
SELECT memcache_set(repeat('k', 248), 'x');
-- a bad byte's offset is counted in the key given, as the message shows it
SELECT memcache_set('a b', 'x');
SELECT * FROM memcache_get_multi(ARRAY[E'ab\tc']);
SET memcache.key_prefix = 'bad prefix';
SET memcache.key_prefix = E'p\n';
SHOW memcache.key_prefix;
RESET memcache.key_prefix;
SELECT memcache_get('user:1') IS NULL AS not_visible_without_prefix;
