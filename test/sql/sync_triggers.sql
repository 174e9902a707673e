-- memcache_sync and memcache_invalidate: a table kept in memcached on commit.
SELECT memcache_flush_all();

CREATE TABLE users (id int PRIMARY KEY, name text, avatar bytea, score numeric);
-- no value column: the row as JSON
CREATE TRIGGER users_json AFTER INSERT OR UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', '', 'user:');
-- a text column, a bytea column (raw), another type (its text), with expiry
CREATE TRIGGER users_name AFTER INSERT OR UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', 'name', 'name:', '3600');
CREATE TRIGGER users_avatar AFTER INSERT OR UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', 'avatar', 'avatar:');
CREATE TRIGGER users_score AFTER INSERT OR UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', 'score', 'score:');

BEGIN;
INSERT INTO users VALUES (1, 'alice', '\x89504e47', 10.50), (2, 'bob', NULL, NULL);
\! test/mcwire 22122 'get user:1 name:1'
COMMIT;
-- bytea is stored raw: 4 bytes, not '\x89504e47' as text
\! test/mcwire 22122 'get avatar:1 avatar:2' | od -An -c
SELECT key, value FROM memcache_get_multi(ARRAY['user:1', 'user:2', 'name:1', 'name:2', 'score:1', 'score:2']);
SELECT memcache_get_bytea('avatar:1');
\! test/mcwire 22122 'mg name:1 t' | awk '{ for (i=1;i<=NF;i++) if ($i ~ /^t[0-9]+$/) { t=substr($i,2); print (t > 3500 && t <= 3605) ? "ttl about 1 hour" : "ttl " t } }'

-- UPDATE; a NULL value deletes; a changed key deletes the old key
UPDATE users SET name = NULL, score = 11 WHERE id = 1;
SELECT key, value FROM memcache_get_multi(ARRAY['name:1', 'score:1']);
UPDATE users SET id = 3 WHERE id = 2;
SELECT key, value FROM memcache_get_multi(ARRAY['user:2', 'user:3', 'name:2', 'name:3']);

-- DELETE deletes; a rolled-back change sends nothing
DELETE FROM users WHERE id = 3;
SELECT key FROM memcache_get_multi(ARRAY['user:3', 'name:3']);
BEGIN;
UPDATE users SET name = 'mallory' WHERE id = 1;
DELETE FROM users WHERE id = 1;
ROLLBACK;
SELECT key, value FROM memcache_get_multi(ARRAY['user:1']);

-- memcache_invalidate: any change deletes the old and the new key
CREATE TABLE pages (path text PRIMARY KEY, body text);
CREATE TRIGGER pages_inval AFTER INSERT OR UPDATE OR DELETE ON pages
  FOR EACH ROW EXECUTE FUNCTION memcache_invalidate('path', 'page:');
SELECT memcache_set('page:/a', 'cached a'), memcache_set('page:/b', 'cached b'), memcache_set('page:/c', 'cached c');
INSERT INTO pages VALUES ('/a', 'A');
SELECT memcache_get('page:/a') IS NULL AS a_invalidated;
INSERT INTO pages VALUES ('/b', 'B');
SELECT memcache_set('page:/b', 'cached b');
UPDATE pages SET path = '/c' WHERE path = '/b';
SELECT key FROM memcache_get_multi(ARRAY['page:/b', 'page:/c']);

-- the blog's sessions, with memcache_sync instead of rules (logout included)
CREATE TABLE sessions (session_id char(32) PRIMARY KEY, data bytea NOT NULL);
CREATE TRIGGER sessions_cache AFTER INSERT OR UPDATE OR DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('session_id', 'data');
INSERT INTO sessions VALUES (md5('alice'), convert_to('{"user":"alice"}', 'UTF8'));
BEGIN;
UPDATE sessions SET data = convert_to('rolled back', 'UTF8');
ROLLBACK;
SELECT memcache_get(md5('alice')) AS cached_after_rollback;
DELETE FROM sessions;
SELECT memcache_get(md5('alice')) IS NULL AS logged_out;

-- used wrongly, they say so
CREATE TRIGGER wrong_before BEFORE INSERT ON users
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('id');
INSERT INTO users VALUES (9, 'x');
DROP TRIGGER wrong_before ON users;
CREATE TRIGGER wrong_stmt AFTER INSERT ON users
  FOR EACH STATEMENT EXECUTE FUNCTION memcache_sync('id');
INSERT INTO users VALUES (9, 'x');
DROP TRIGGER wrong_stmt ON users;
CREATE TRIGGER wrong_col AFTER INSERT ON users
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('nosuch');
INSERT INTO users VALUES (9, 'x');
DROP TRIGGER wrong_col ON users;
CREATE TRIGGER wrong_args AFTER INSERT ON users
  FOR EACH ROW EXECUTE FUNCTION memcache_sync();
INSERT INTO users VALUES (9, 'x');
DROP TRIGGER wrong_args ON users;
CREATE TRIGGER wrong_exp AFTER INSERT ON users
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', 'name', 'n:', 'soon');
INSERT INTO users VALUES (9, 'x');
DROP TRIGGER wrong_exp ON users;
SELECT memcache_sync();
-- TRUNCATE fires no row trigger: the cache keeps the rows (see README)
TRUNCATE users;
SELECT memcache_get('user:1') IS NOT NULL AS still_cached_after_truncate;

DROP TABLE users, pages, sessions;
