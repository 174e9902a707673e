package mc

import (
	"crypto/md5"
	"hash/crc32"
	"math"
	"sort"
	"strconv"
)

// oneAtATime is libmemcached's default hash (Jenkins one-at-a-time). Each
// byte goes through a signed char, as in libmemcached's C: bytes from 0x80
// up are sign-extended.
func oneAtATime(key string) uint32 {
	var h uint32
	for i := 0; i < len(key); i++ {
		h += uint32(int32(int8(key[i])))
		h += h << 10
		h ^= h >> 6
	}
	h += h << 3
	h ^= h >> 11
	h += h << 15
	return h
}

// continuum is a sorted ring of points, each naming a server.
type continuum struct {
	points []uint32
	server []int
}

func (c *continuum) Len() int           { return len(c.points) }
func (c *continuum) Less(i, j int) bool { return c.points[i] < c.points[j] }
func (c *continuum) Swap(i, j int) {
	c.points[i], c.points[j] = c.points[j], c.points[i]
	c.server[i], c.server[j] = c.server[j], c.server[i]
}

func (c *continuum) add(point uint32, server int) {
	c.points = append(c.points, point)
	c.server = append(c.server, server)
}

// ketamaContinuum is libmemcached's MEMCACHED_DISTRIBUTION_CONSISTENT_KETAMA
// with KETAMA_WEIGHTED (PHP memcached's OPT_LIBKETAMA_COMPATIBLE): per
// server 160 points from 40 MD5 digests of "host-i" (default port) or
// "host:port-i", 4 points per digest.
func ketamaContinuum(servers []Server) *continuum {
	c := &continuum{}
	n := len(servers)
	for idx, s := range servers {
		host, port := splitHostPort(s)
		// libmemcached: floor(pct * 160 / 4 * live_servers + 1e-10) * 4, in float.
		pct := float32(1) / float32(n)
		perServer := int(math.Floor(float64(pct*160/4*float32(n))+0.0000000001)) * 4
		for i := 0; i < perServer/4; i++ {
			var name string
			if port == DefaultPort {
				name = host + "-" + strconv.Itoa(i)
			} else {
				name = host + ":" + strconv.Itoa(port) + "-" + strconv.Itoa(i)
			}
			d := md5.Sum([]byte(name))
			for a := 0; a < 4; a++ {
				c.add(uint32(d[3+a*4])<<24|uint32(d[2+a*4])<<16|uint32(d[1+a*4])<<8|uint32(d[a*4]), idx)
			}
		}
	}
	sort.Stable(c)
	return c
}

// ketamaHash is libmemcached's MD5 key hash.
func ketamaHash(key string) uint32 {
	d := md5.Sum([]byte(key))
	return uint32(d[3])<<24 | uint32(d[2])<<16 | uint32(d[1])<<8 | uint32(d[0])
}

// ketamaFind is libmemcached's lookup: the first point >= hash, wrapping.
func (c *continuum) ketamaFind(hash uint32) int {
	i := sort.Search(len(c.points), func(i int) bool { return c.points[i] >= hash })
	if i == len(c.points) {
		i = 0
	}
	return c.server[i]
}

// phpMemcacheBuckets is PHP memcache's "consistent" strategy: 160 points per
// server, crc32("host:port-i"), and a 1024-bucket table where bucket b holds
// the server of the first point >= b * (0xffffffff / 1024).
func phpMemcacheBuckets(servers []Server) []int {
	c := &continuum{}
	for idx, s := range servers {
		host, port := splitHostPort(s)
		prefix := host + ":" + strconv.Itoa(port) + "-"
		for i := 0; i < 160; i++ {
			c.add(crc32.ChecksumIEEE([]byte(prefix+strconv.Itoa(i))), idx)
		}
	}
	sort.Stable(c)
	const buckets = 1024
	step := uint32(0xffffffff / buckets)
	table := make([]int, buckets)
	for b := range table {
		table[b] = c.phpFind(step * uint32(b))
	}
	return table
}

// phpFind is pecl memcache's mmc_consistent_find: the first point >= p, or
// the first point when p is beyond the last.
func (c *continuum) phpFind(p uint32) int {
	n := len(c.points)
	if p <= c.points[0] || p > c.points[n-1] {
		return c.server[0]
	}
	i := sort.Search(n, func(i int) bool { return c.points[i] >= p })
	return c.server[i]
}

// splitHostPort returns a TCP server's host as written and its port.
func splitHostPort(s Server) (string, int) {
	addr := s.Addr
	i := len(addr) - 1
	for i >= 0 && addr[i] != ':' {
		i--
	}
	if i < 0 {
		return addr, DefaultPort
	}
	port, _ := strconv.Atoi(addr[i+1:])
	host := addr[:i]
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	return host, port
}
