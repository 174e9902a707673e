-- memcache_stat_local(): this session's counters, one row per server and
-- one for the commit queue (server NULL).  The view memcache_stat needs the
-- module preloaded (test/integration/stat.sh); here it says so.
\set VERBOSITY terse
-- a new session: no server yet, the queue at zero
SELECT server, cmd_get, commit_queued, commit_sent FROM memcache_stat_local();

-- each command counts once, with its outcome and its bytes on the wire
SELECT memcache_flush_all();
SELECT memcache_set('s1', 'abc'), memcache_get('s1'), memcache_get('nope'), memcache_add('s1', 'x'),
       memcache_delete('nope'), memcache_incr('nope'), memcache_touch('s1', interval '1 h');
SELECT count(*) FROM memcache_get_multi(ARRAY['s1', 'nope', 's1', 'nope2']);
-- (the reply carries memcached's CAS counter, whose digits depend on what
-- the server stored before: bytes_received is counted without them)
SELECT value, length(cas::text) AS cas_digits FROM memcache_gets('s1') \gset
SELECT :'value' AS value;
SELECT memcache_cas('s1', 'new', 1), memcache_gat('s1', interval '1 h'), memcache_replace('gone', 'x');
SELECT memcache_set_multi(ARRAY['m1', 'm2'], ARRAY['1', '2']);
SELECT memcache_set('big', repeat('x', 2000000));
SELECT memcache_incr('s1');
SELECT server, cmd_get, cmd_get_multi, cmd_gets, cmd_gat, cmd_set, cmd_add, cmd_replace, cmd_cas,
       cmd_delete, cmd_incr, cmd_touch, cmd_other, get_hits, get_misses, not_found, not_stored,
       err_too_large, err_server, bytes_sent, bytes_received - :cas_digits AS bytes_received_but_cas,
       connections, marked_down,
       time_ms > 0 AS timed,
       trips_under_1ms + trips_1_to_10ms + trips_10_to_100ms + trips_over_100ms AS round_trips
FROM memcache_stat_local() WHERE server IS NOT NULL;

-- failures by kind: refused each time (only a timeout marks a server down:
-- test/integration/stat.sh counts that)
SET memcache.servers = '127.0.0.1:22129';
SET memcache.on_error = silent;
SELECT memcache_get('a'), memcache_set('a', 'b'), memcache_delete('a');
SELECT server, cmd_get, cmd_set, cmd_delete, err_refused, err_while_down, marked_down, connections
FROM memcache_stat_local() WHERE server = '127.0.0.1:22129';
RESET memcache.on_error;
RESET memcache.servers;
-- several servers: a row each, in the order first used
SET memcache.servers = '127.0.0.1:22122, 127.0.0.1:22123, 127.0.0.1:22124';
SELECT count(*) FROM memcache_get_multi(ARRAY(SELECT 'k' || i FROM generate_series(1, 30) i));
SELECT server, cmd_get_multi, get_misses FROM memcache_stat_local() WHERE server IS NOT NULL;
RESET memcache.servers;

-- the commit queue: queued = dropped + superseded + sent + failed
BEGIN;
SELECT memcache_set_on_commit('q1', 'a'), memcache_set_on_commit('q1', 'b'), memcache_delete_on_commit('q2');
SAVEPOINT s;
SELECT memcache_set_on_commit('q3', 'c');
ROLLBACK TO s;
COMMIT;
BEGIN;
SELECT memcache_set_on_commit('q4', 'd');
ROLLBACK;
-- past memcache.commit_queue_limit a set is sent as a delete
SET memcache.commit_queue_limit = '1kB';
SET client_min_messages = warning;
BEGIN;
SELECT memcache_set_on_commit('q5', repeat('x', 2000));
COMMIT;
RESET client_min_messages;
RESET memcache.commit_queue_limit;
-- memcached down at COMMIT: the writes lost are counted
SET memcache.servers = '127.0.0.1:22129';
SET memcache.on_error = silent;
BEGIN;
SELECT memcache_set_on_commit('q6', 'e'), memcache_set_on_commit('q7', 'f');
COMMIT;
RESET memcache.on_error;
RESET memcache.servers;
SELECT commit_xacts, commit_queued, commit_dropped, commit_superseded, commit_sent, commit_failed,
       commit_over_limit, commit_unordered, commit_waits, commit_wait_ms
FROM memcache_stat_local() WHERE server IS NULL;
\! test/mcwire 22122 'get q1 q2 q3 q4 q5'

-- the view and the reset need the module preloaded: an ERROR that says how
\set VERBOSITY default
SELECT * FROM memcache_stat;
SELECT memcache_stat_reset();
\set VERBOSITY terse

-- who may read them: not PUBLIC; pg_monitor, as for PostgreSQL's own statistics
CREATE ROLE stat_app;
CREATE ROLE stat_monitor IN ROLE pg_monitor;
SET ROLE stat_app;
SELECT count(*) FROM memcache_stat_local();
SELECT * FROM memcache_stat;
SELECT memcache_stat_reset();
SET ROLE stat_monitor;
SELECT count(*) FROM memcache_stat_local();
SELECT * FROM memcache_stat;
SELECT memcache_stat_reset();
RESET ROLE;
-- who may read the view (the owner's own privileges differ by major: 17 adds MAINTAIN)
SELECT a.grantee::regrole, a.privilege_type
  FROM pg_class c, aclexplode(c.relacl) a
 WHERE c.relname = 'memcache_stat' AND a.grantee <> c.relowner ORDER BY 1, 2;
SELECT has_table_privilege('public', 'memcache_stat', 'SELECT') AS public_may_read;
DROP ROLE stat_app;
DROP ROLE stat_monitor;
