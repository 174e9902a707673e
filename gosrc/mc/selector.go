package mc

import (
	"hash/crc32"
	"net"

	"github.com/bradfitz/gomemcache/memcache"
)

// Distribution is how a key is mapped to a server (memcache.key_distribution).
type Distribution int

// The values are the MCGO_DIST_* constants of extension/gobridge_abi.h.
const (
	// CacheMemcached is Perl Cache::Memcached's placement, also PHP memcache's
	// "standard" hash strategy: ((crc32(key) >> 16) & 0x7fff) % n.
	CacheMemcached Distribution = iota
	// GoMemcache is gomemcache's ServerList: crc32(key) % n.
	GoMemcache
	// PHPMemcache is PHP memcache's default "consistent" strategy.
	PHPMemcache
	// Libmemcached is libmemcached's default: one-at-a-time % n (pgmemcache,
	// PHP memcached by default).
	Libmemcached
	// Ketama is libmemcached's KETAMA_WEIGHTED (PHP memcached with
	// OPT_LIBKETAMA_COMPATIBLE).
	Ketama
)

// addr is a net.Addr that is not resolved until dialled.
type addr struct{ s Server }

func (a addr) Network() string { return a.s.Network }
func (a addr) String() string  { return a.s.Addr }

// Selector implements memcache.ServerSelector over a fixed, ordered server
// list. It is immutable: a new configuration builds a new one.
type Selector struct {
	addrs   []net.Addr
	dist    Distribution
	health  *health    // nil: no fast fail
	ring    *continuum // ketama
	buckets []int      // php_memcache
}

// NewSelector returns a selector for servers placed by dist.
func NewSelector(servers []Server, dist Distribution) *Selector {
	s := &Selector{dist: dist, addrs: make([]net.Addr, len(servers))}
	for i, srv := range servers {
		s.addrs[i] = addr{srv}
	}
	if len(servers) > 1 {
		switch dist {
		case Ketama:
			s.ring = ketamaContinuum(servers)
		case PHPMemcache:
			s.buckets = phpMemcacheBuckets(servers)
		}
	}
	return s
}

// Index returns the position in the server list that key maps to.
func (s *Selector) Index(key string) int {
	n := uint32(len(s.addrs))
	if n <= 1 {
		return 0
	}
	switch s.dist {
	case CacheMemcached:
		return int(((crc32.ChecksumIEEE([]byte(key)) >> 16) & 0x7fff) % n)
	case PHPMemcache:
		return s.buckets[crc32.ChecksumIEEE([]byte(key))%uint32(len(s.buckets))]
	case Libmemcached:
		return int(oneAtATime(key) % n)
	case Ketama:
		return s.ring.ketamaFind(ketamaHash(key))
	}
	return int(crc32.ChecksumIEEE([]byte(key)) % n)
}

// PickServer implements memcache.ServerSelector.
func (s *Selector) PickServer(key string) (net.Addr, error) {
	if len(s.addrs) == 0 {
		return nil, memcache.ErrNoServers
	}
	a := s.addrs[s.Index(key)]
	if s.health != nil {
		if err := s.health.check(a.String()); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Each implements memcache.ServerSelector.
func (s *Selector) Each(f func(net.Addr) error) error {
	for _, a := range s.addrs {
		if err := f(a); err != nil {
			return err
		}
	}
	return nil
}

// Len is the number of servers.
func (s *Selector) Len() int { return len(s.addrs) }
