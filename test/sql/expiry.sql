-- Expiry: interval (relative) and timestamptz (absolute).
SELECT memcache_flush_all();

-- interval 0 means never
SELECT memcache_set('forever', 'v', interval '0');
-- short expiry, checked against the server after it passed (memcached's
-- clock ticks once a second: an item set for 1 s can expire at once, so 2 s
-- and a sleep past the tick after it)
SELECT memcache_set('short', 'v', interval '2 seconds');
SELECT memcache_get('short');
SELECT pg_sleep(3.1);
SELECT memcache_get('short') IS NULL AS expired;
\! test/mcwire 22122 'get short forever'

-- a fraction of a second rounds up (never to 0 = "never")
SELECT memcache_set('frac', 'v', interval '0.2 seconds');
SELECT pg_sleep(2.1);
SELECT memcache_get('frac') IS NULL AS expired;

-- over 30 days is sent as an absolute time, so it does not expire at once
-- (memcached reads a relative value over 30 days as a Unix time)
SELECT memcache_set('long', 'v', interval '45 days');
SELECT memcache_get('long');
\! test/mcwire 22122 'mg long t' | sed -E 's/t[0-9]+/t<ttl>/'
SELECT memcache_set('long2', 'v', interval '45 days');
-- the TTL memcached reports is about 45 days (memcached's clock ticks in
-- whole seconds, so a TTL can read a second or two long)
\! test/mcwire 22122 'mg long2 t' | awk '{ for (i=1;i<=NF;i++) if ($i ~ /^t[0-9]+$/) { t=substr($i,2); print (t > 45*86400-60 && t <= 45*86400+5) ? "ttl about 45 days" : "ttl " t } }'

-- timestamptz: absolute
SELECT memcache_set('at', 'v', now() + interval '1 hour');
\! test/mcwire 22122 'mg at t' | awk '{ for (i=1;i<=NF;i++) if ($i ~ /^t[0-9]+$/) { t=substr($i,2); print (t > 3500 && t <= 3605) ? "ttl about 1 hour" : "ttl " t } }'
-- a time in the past stores an already expired item
SELECT memcache_set('past', 'v', now() - interval '1 hour');
SELECT memcache_get('past') IS NULL AS expired;

-- a negative interval is an error, and nothing is sent
SELECT memcache_set('neg', 'v', interval '-1 second');
\! test/mcwire 22122 'get neg'
-- beyond what memcached can store (32-bit Unix times)
SELECT memcache_set('far', 'v', interval '100 years');
SELECT memcache_set('far', 'v', timestamptz 'infinity');

-- touch changes the expiry of an existing key; false for a missing one
SELECT memcache_set('touchme', 'v', interval '2 seconds');
SELECT memcache_touch('touchme', interval '1 hour');
SELECT memcache_touch('missing', interval '1 hour');
SELECT pg_sleep(3.1);
SELECT memcache_get('touchme');
SELECT memcache_touch('touchme', now() + interval '2 hours');
\! test/mcwire 22122 'mg touchme t' | awk '{ for (i=1;i<=NF;i++) if ($i ~ /^t[0-9]+$/) { t=substr($i,2); print (t > 7100 && t <= 7205) ? "ttl about 2 hours" : "ttl " t } }'
