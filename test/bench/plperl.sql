-- The blog post's PL/Perl functions: a Cache::Memcached client built on
-- every call (Cache::Memcached keeps the socket per backend).
CREATE FUNCTION memcache_set(key text, value text) RETURNS bool LANGUAGE plperlu AS $$
  use Cache::Memcached;
  my $memd = Cache::Memcached->new({ servers => ['__SERVER__'] });
  return $memd->set($_[0], $_[1]) ? 1 : 0;
$$;
CREATE FUNCTION memcache_get(key text) RETURNS text LANGUAGE plperlu AS $$
  use Cache::Memcached;
  my $memd = Cache::Memcached->new({ servers => ['__SERVER__'] });
  return $memd->get($_[0]);
$$;
CREATE FUNCTION memcache_delete(key text) RETURNS bool LANGUAGE plperlu AS $$
  use Cache::Memcached;
  my $memd = Cache::Memcached->new({ servers => ['__SERVER__'] });
  return $memd->delete($_[0]) ? 1 : 0;
$$;
