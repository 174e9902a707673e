-- The blog post's scenario: a sessions table kept in memcached by rules.
SELECT memcache_flush_all();

CREATE TABLE sessions (
  session_id char(32) PRIMARY KEY,
  data bytea NOT NULL
);
CREATE RULE sessions_insert AS ON INSERT TO sessions
  DO ALSO SELECT memcache_set(NEW.session_id::text, NEW.data);
CREATE RULE sessions_update AS ON UPDATE TO sessions
  DO ALSO SELECT memcache_set(NEW.session_id::text, NEW.data);
CREATE RULE sessions_delete AS ON DELETE TO sessions
  DO ALSO SELECT memcache_delete(OLD.session_id::text);

INSERT INTO sessions VALUES (md5('alice'), '\x7b2275736572223a22616c696365227d');
INSERT INTO sessions VALUES (md5('bob'), convert_to('{"user":"bob"}', 'UTF8'));
SELECT memcache_get(md5('alice')), memcache_get_bytea(md5('bob'));
-- what the web application's client sees: the raw bytes
\! test/mcwire 22122 'get 6384e2b2184bcbf58eccf10ca7a6563c'

UPDATE sessions SET data = convert_to('{"user":"alice","cart":3}', 'UTF8')
WHERE session_id = md5('alice');
SELECT memcache_get(md5('alice'));
SELECT key, convert_from(value, 'UTF8') FROM memcache_get_multi_bytea(
  ARRAY(SELECT session_id::text FROM sessions ORDER BY session_id));

-- logout
DELETE FROM sessions WHERE session_id = md5('bob');
SELECT memcache_get(md5('bob')) IS NULL AS logged_out;

-- memcached down: the database write still happens (a WARNING, no error)
SET memcache.servers = '127.0.0.1:22129';
SET memcache.server_retry_delay = 0;
INSERT INTO sessions VALUES (md5('carol'), '\x01');
RESET memcache.servers;
SELECT count(*) FROM sessions;

-- and this is why the rules are not enough: a rolled-back write stays cached
BEGIN;
UPDATE sessions SET data = convert_to('rolled back', 'UTF8') WHERE session_id = md5('alice');
ROLLBACK;
SELECT memcache_get(md5('alice')) AS cached, convert_from(data, 'UTF8') AS in_table
FROM sessions WHERE session_id = md5('alice');

DROP TABLE sessions;
