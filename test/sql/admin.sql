-- flush_all, stats, server_stats, servers, server_for_key, server_add.
SELECT memcache_set('k', 'v');
SELECT memcache_flush_all();
SELECT memcache_get('k') IS NULL AS flushed;
\! test/mcwire 22122 'get k'

-- stats: every server's stats, as text and as rows
-- (pgmemcache's format: "Server: host (port)", then "name: value" lines)
SELECT memcache_stats() ~ '^Server: 127.0.0.1 \(22122\)\n(.+: .*\n)+$' AS stats_text;
SELECT count(*) > 20 AS many, count(DISTINCT server) AS servers
FROM memcache_server_stats();
SELECT name FROM memcache_server_stats() WHERE name IN ('pid', 'uptime', 'curr_items') ORDER BY name;
SET memcache.servers = '127.0.0.1:22122,127.0.0.1:22123';
SELECT server, count(*) > 20 AS many FROM memcache_server_stats() GROUP BY server ORDER BY server;
SELECT (regexp_matches(memcache_stats(), '^Server: (.+)$', 'gn'))[1] AS server;
SELECT memcache_stats() ~ '^Server: 127.0.0.1 \(22122\)\n(.+: .*\n)+Server: 127.0.0.1 \(22123\)\n(.+: .*\n)+$' AS two_blocks;

-- servers: probes each server now
SET memcache.servers = '127.0.0.1:22122, 127.0.0.1:22129, 127.0.0.1:22123';
SELECT server, "position", reachable, latency_ms >= 0 AS has_latency, error
FROM memcache_servers() ORDER BY "position";
-- stats with one server down: the failure is reported (on_error)
SELECT memcache_stats() IS NULL AS no_stats;

-- server_for_key follows the list and its order
SET memcache.servers = '127.0.0.1:22122';
SELECT memcache_server_for_key('anything');

-- server_add appends to this session's list (the setting is unchanged)
SELECT memcache_server_add('127.0.0.1:22123');
SELECT memcache_server_add('127.0.0.1:22124');
SHOW memcache.servers;
SELECT server, "position", reachable FROM memcache_servers() ORDER BY "position";
SELECT memcache_server_for_key('foo');
SELECT memcache_server_add('host:abc');
-- a list is added whole, as pgmemcache did, or not at all
SELECT memcache_server_add('127.0.0.1:22122, host:abc');
SELECT memcache_server_add('127.0.0.1:22122,127.0.0.1:22124');
SELECT memcache_server_add('');
SELECT memcache_server_add(' , ');
SELECT server, "position" FROM memcache_servers() ORDER BY "position";
-- added servers stay after the setting changes, for the session
SET memcache.servers = '';
SELECT server, "position" FROM memcache_servers() ORDER BY "position";
RESET memcache.servers;
