package mc

import (
	"hash/crc32"
	"net"
	"strconv"

	"github.com/bradfitz/gomemcache/memcache"
)

// Distribution is how a key is mapped to a server (memcache.key_distribution).
type Distribution int

// The values are the MCGO_DIST_* constants of extension/gobridge_abi.h.
const (
	// CacheMemcached is Perl Cache::Memcached's placement, also PHP memcache's
	// "standard" hash strategy: ((crc32(key) >> 16) & 0x7fff) % n.
	CacheMemcached Distribution = iota
	// GoMemcache is gomemcache's ServerList (crc32(key) % n), asked itself.
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

// placement maps a key to its server's position in the list. It is
// immutable: a new configuration builds a new one.
type placement struct {
	n       int
	dist    Distribution
	ring    *continuum     // ketama
	buckets []int          // php_memcache
	gomc    *gomcPlacement // gomemcache
}

// gomcPlacement is gomemcache's own ServerList over stand-in addresses
// ("/0", "/1", ...): SetServers resolves host names, which must not happen
// when a setting changes, while a path is taken as it is. Which stand-in
// PickServer returns is the server's position.
type gomcPlacement struct {
	list memcache.ServerList
	pos  map[net.Addr]int
}

func newPlacement(servers []Server, dist Distribution) *placement {
	p := &placement{n: len(servers), dist: dist}
	if p.n <= 1 {
		return p
	}
	switch dist {
	case Ketama:
		p.ring = ketamaContinuum(servers)
	case PHPMemcache:
		p.buckets = phpMemcacheBuckets(servers)
	case GoMemcache:
		g := &gomcPlacement{pos: make(map[net.Addr]int, p.n)}
		names := make([]string, p.n)
		for i := range names {
			names[i] = "/" + strconv.Itoa(i)
		}
		if err := g.list.SetServers(names...); err != nil {
			panic("gomemcache refused stand-in addresses: " + err.Error())
		}
		i := 0
		_ = g.list.Each(func(a net.Addr) error { g.pos[a] = i; i++; return nil })
		p.gomc = g
	}
	return p
}

// index returns the position in the server list that key maps to.
func (p *placement) index(key string) int {
	if p.n <= 1 {
		return 0
	}
	switch p.dist {
	case CacheMemcached:
		return int(((crc32.ChecksumIEEE([]byte(key)) >> 16) & 0x7fff) % uint32(p.n))
	case PHPMemcache:
		return p.buckets[crc32.ChecksumIEEE([]byte(key))%uint32(len(p.buckets))]
	case Libmemcached:
		return int(oneAtATime(key) % uint32(p.n))
	case Ketama:
		return p.ring.ketamaFind(ketamaHash(key))
	}
	a, err := p.gomc.list.PickServer(key)
	if err != nil {
		panic("gomemcache placement: " + err.Error()) // it only fails with no servers
	}
	return p.gomc.pos[a]
}
