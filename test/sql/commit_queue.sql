-- The commit queue: what is fixed when an operation is queued, and what a
-- failure at COMMIT costs (never the transaction, never the other operations,
-- never the server). memcached is read over its own protocol.
SELECT memcache_flush_all();
CREATE TEMP TABLE rows_kept (x int);

-- A WARNING after commit is ASCII whatever the client encoding: a key that
-- LATIN1 cannot show, memcached refusing its value, the COMMIT callback
-- reporting it (this PANICked the cluster when the text was converted).
SET client_encoding = 'LATIN1';
BEGIN;
INSERT INTO rows_kept VALUES (1);
SELECT memcache_set_on_commit('k' || chr(8364), repeat('x', 2000000));
COMMIT;
-- the same from a procedure's COMMIT, under PL/pgSQL's error context
CREATE PROCEDURE commit_in_procedure() LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rows_kept VALUES (1);
  PERFORM memcache_set_on_commit('proc' || chr(8364), repeat('x', 2000000));
  COMMIT;
  PERFORM memcache_set_on_commit('proc:after', 'sent at the CALL''s end');
END $$;
CALL commit_in_procedure();
RESET client_encoding;
SELECT count(*) AS rows_committed FROM rows_kept;
SELECT memcache_get('proc:after');

-- Checked when queued, as the immediate calls check them: an expiry
-- memcached cannot take is an ERROR at once, not a lost batch at COMMIT.
SELECT memcache_set('exp:imm', 'v', interval '20 years');
BEGIN;
SELECT memcache_set_on_commit('exp:q', 'v', interval '20 years');
ROLLBACK;

-- One operation that fails at COMMIT fails alone: the delete before it and
-- the set after it are done.
SELECT memcache_set('one:del', 'old');
BEGIN;
SELECT memcache_delete_on_commit('one:del');
SELECT memcache_set_on_commit('one:big', repeat('x', 2000000));
SELECT memcache_set_on_commit('one:set', 'new');
COMMIT;
\! test/mcwire 22122 'get one:del one:big one:set'

-- The key prefix is the one in effect when the operation is queued:
-- SET LOCAL after queueing does not move the key ...
BEGIN;
SELECT memcache_set_on_commit('pfx:a', 'queued bare');
SET LOCAL memcache.key_prefix = 'ns2:';
SELECT memcache_set_on_commit('pfx:b', 'queued under ns2');
RESET memcache.key_prefix;
SELECT memcache_delete_on_commit('pfx:c');
SET LOCAL memcache.key_prefix = 'ns3:';
COMMIT;
\! test/mcwire 22122 'get pfx:a ns2:pfx:b ns3:pfx:a ns3:pfx:b pfx:b'
-- ... and a function's SET clause applies to what it queues.
CREATE FUNCTION queue_in_ns1(k text, v text) RETURNS void
  LANGUAGE sql SET memcache.key_prefix = 'ns1:'
  AS $$ SELECT memcache_set_on_commit(k, v) $$;
BEGIN;
SELECT queue_in_ns1('oc', 'from ns1');
COMMIT;
\! test/mcwire 22122 'get ns1:oc oc'
-- per key the last operation still wins, prefix included
BEGIN;
SELECT memcache_set_on_commit('same', 'bare');
SET LOCAL memcache.key_prefix = 'ns4:';
SELECT memcache_set_on_commit('same', 'ns4 first');
SELECT memcache_delete_on_commit('same');
SELECT memcache_set_on_commit('same', 'ns4 last');
COMMIT;
\! test/mcwire 22122 'get same ns4:same'
-- a key that is valid alone but too long with its prefix is refused when queued
SET memcache.key_prefix = 'ns5:';
SELECT memcache_set_on_commit(repeat('k', 248), 'v');
RESET memcache.key_prefix;

-- The server list too is the one in effect when queued: these go to
-- 22123, though the COMMIT runs under another list.
BEGIN;
SET LOCAL memcache.servers = '127.0.0.1:22123';
SELECT memcache_set_on_commit('srv:x', 'on 22123');
SET LOCAL memcache.servers = '127.0.0.1:22124';
SELECT memcache_set_on_commit('srv:y', 'on 22124');
RESET memcache.servers;
COMMIT;
\! test/mcwire 22123 'get srv:x srv:y'
\! test/mcwire 22124 'get srv:x srv:y'
\! test/mcwire 22122 'get srv:x srv:y'

-- Past memcache.commit_queue_limit a set that does not fit is queued as a
-- delete: the cache stays correct (no old value survives) and the queue
-- holds no more values.
SELECT memcache_set('lim:1', 'old'), memcache_set('lim:2', 'old'), memcache_set('lim:3', 'old');
SET memcache.commit_queue_limit = '1MB';
BEGIN;
INSERT INTO rows_kept VALUES (2);
SELECT memcache_set_on_commit('lim:1', repeat('a', 600000));
SELECT memcache_set_on_commit('lim:2', repeat('b', 600000));
SELECT memcache_set_on_commit('lim:3', repeat('c', 600000));
COMMIT;
RESET memcache.commit_queue_limit;
SELECT length(memcache_get('lim:1')) AS lim1, memcache_get('lim:2') AS lim2, memcache_get('lim:3') AS lim3;
-- a rolled-back savepoint gives its room back
SET memcache.commit_queue_limit = '1MB';
BEGIN;
SAVEPOINT s;
SELECT memcache_set_on_commit('lim:4', repeat('c', 900000));
ROLLBACK TO s;
SELECT memcache_set_on_commit('lim:5', repeat('d', 900000));
COMMIT;
RESET memcache.commit_queue_limit;
SELECT memcache_get('lim:4') IS NULL AS lim4_absent, length(memcache_get('lim:5')) AS lim5;
SELECT count(*) AS rows_committed FROM rows_kept;

-- set_multi names the key whose value is too large
SELECT memcache_set_multi(ARRAY['sm:ok', 'sm:big'], ARRAY['x', repeat('y', 2000000)]);

-- only a superuser may raise the commit-time limits
CREATE ROLE mc_commit_user;
SET ROLE mc_commit_user;
SET memcache.commit_timeout = '1h';
SET memcache.commit_queue_limit = '1GB';
SET memcache.timeout = '35min';
RESET ROLE;
RESET memcache.timeout;
DROP ROLE mc_commit_user;
