#!/bin/bash
# demo.sh: the project's main job (README). On a fresh Debian 12 machine (as
# root) it installs what is missing, builds and installs the extension,
# starts a throwaway PostgreSQL cluster and memcached on 127.0.0.1, runs the
# blog post's sessions example and shows what reached memcached, then tears
# everything down. MC_KEEP=1 keeps the work directory.
set -eu
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mc_setup
port=${MC_PORTS[0]}

log "PostgreSQL on $MC_WORK (port $MC_PGPORT), memcached on 127.0.0.1:$port"
psql -X -v ON_ERROR_STOP=1 --echo-queries <<SQL
CREATE EXTENSION memcache;
SHOW memcache.servers;
SELECT * FROM memcache_servers();

-- The blog post's sessions table, kept in memcached by one trigger:
-- rows reach the cache when the transaction commits, and only then.
CREATE TABLE sessions (session_id char(32) PRIMARY KEY, data bytea NOT NULL);
CREATE TRIGGER sessions_cache AFTER INSERT OR UPDATE OR DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('session_id', 'data');

INSERT INTO sessions VALUES (md5('alice'), convert_to('{"user":"alice"}', 'UTF8'));
INSERT INTO sessions VALUES (md5('bob'), convert_to('{"user":"bob"}', 'UTF8'));
BEGIN;
UPDATE sessions SET data = convert_to('{"user":"alice","cart":3}', 'UTF8')
  WHERE session_id = md5('alice');
SELECT memcache_get(md5('alice')) AS cached_before_commit;
COMMIT;
BEGIN;
UPDATE sessions SET data = convert_to('never committed', 'UTF8') WHERE session_id = md5('alice');
ROLLBACK;
DELETE FROM sessions WHERE session_id = md5('bob');   -- logout

-- What the application reads back from memcached:
SELECT key, convert_from(value, 'UTF8') AS cached
  FROM memcache_get_multi_bytea(ARRAY[md5('alice'), md5('bob')]);
SELECT memcache_incr('page_views'), memcache_set('page_views', '41'), memcache_incr('page_views');
SQL

log "the same keys, asked straight from memcached over its own protocol"
"$MC_ROOT/test/mcwire" "$port" \
	"get $(printf alice | md5sum | cut -c1-32) $(printf bob | md5sum | cut -c1-32) page_views"
log "demo done"
