-- The memcache.* settings: defaults, validation, effect.
-- Settings are defined when the library is loaded: by shared_preload_libraries
-- or session_preload_libraries, or in a session by LOAD or the first call.
-- Before that a SET is only a placeholder, checked when the library loads.
LOAD 'memcache';
SELECT name, setting, unit, context, vartype, enumvals
FROM pg_settings WHERE name LIKE 'memcache.%' ORDER BY name;
SELECT boot_val FROM pg_settings WHERE name = 'memcache.servers';

-- every value is checked in C, in every context: checking one starts no Go
-- (this backend keeps its one thread), and ALTER SYSTEM is checked as well
ALTER SYSTEM SET memcache.servers = 'a:1;b:2';
ALTER SYSTEM SET memcache.servers = 'a:1, [::1]:x';
ALTER SYSTEM SET memcache.key_prefix = 'has space';
SET memcache.servers = '127.0.0.1:22122, 127.0.0.1:22123';
SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'),
                     'Threads:\s+(\d+)'))[1] AS threads_after_checks;
RESET memcache.servers;
-- a file setting naming a file the server cannot read is refused when set
SET memcache.tls_ca_file = '/nonexistent/ca.pem';
ALTER SYSTEM SET memcache.tls_cert_file = '/nonexistent/cert.pem';
SET memcache.tls_key_file = '/';
SET memcache.password_file = '/nonexistent/password';
SET memcache.tls_ca_file = 'PG_VERSION';
RESET memcache.tls_ca_file;

-- the memcache. prefix is reserved: a typo is an error, not a placeholder
-- (PostgreSQL 15 and later; 13 and 14 take it as a placeholder: settings_2.out)
SET memcache.sever = 'x';

-- memcache.servers: validated when set, the bad entry named, old value kept
SET memcache.servers = 'host:abc';
SET memcache.servers = 'host:99999';
SET memcache.servers = 'host:0';
SET memcache.servers = ':11211';
SET memcache.servers = 'a,,b';
SET memcache.servers = 'a,';
SET memcache.servers = 'my host:11211';
SET memcache.servers = '[::1';
SET memcache.servers = '1.2.3.4:5:6';
SET memcache.servers = 'a:11211, b:11211 2';   -- libmemcached's weights
SHOW memcache.servers;
-- accepted forms
SET memcache.servers = 'localhost, 127.0.0.1:22123 ,[::1]:22124,[::1],/tmp/memcached.sock';
SELECT server, "position" FROM memcache_servers() ORDER BY "position";
RESET memcache.servers;

-- an empty list: every call says clearly that no server is configured
SET memcache.servers = '';
SELECT memcache_set('k', 'v');
SELECT memcache_get('k');
SELECT * FROM memcache_get_multi(ARRAY['k']);
SET memcache.on_error = error;
SELECT memcache_set('k', 'v');
RESET memcache.on_error;
RESET memcache.servers;
SELECT memcache_set('k', 'v');

-- memcache.timeout: milliseconds, at least 1
-- (PostgreSQL 18 words the range with its unit: settings_1.out)
SET memcache.timeout = 0;
SET memcache.timeout = '2s';
SHOW memcache.timeout;
RESET memcache.timeout;

-- memcache.on_error
SET memcache.on_error = 'loud';

-- memcache.key_distribution
SET memcache.key_distribution = 'ketama_typo';
SET memcache.servers = '127.0.0.1:22122,127.0.0.1:22123,127.0.0.1:22124';
-- cache_memcached: ((crc32(key) >> 16) & 0x7fff) % n; gomemcache: crc32(key) % n
SELECT memcache_server_for_key('foo') AS cache_memcached_foo;
SET memcache.key_distribution = gomemcache;
SELECT memcache_server_for_key('foo') AS gomemcache_foo;
-- the two really differ, and both use all three servers
CREATE TEMP TABLE placed AS
  SELECT i, memcache_server_for_key('k' || i) AS gm FROM generate_series(1, 300) i;
RESET memcache.key_distribution;
ALTER TABLE placed ADD COLUMN cm text;
UPDATE placed SET cm = memcache_server_for_key('k' || i);
SELECT count(*) FILTER (WHERE cm <> gm) > 50 AS differ,
       count(DISTINCT cm) AS cm_servers, count(DISTINCT gm) AS gm_servers FROM placed;
RESET memcache.key_distribution;
RESET memcache.servers;
