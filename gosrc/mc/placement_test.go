package mc

import (
	"fmt"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/bradfitz/gomemcache/memcache"
)

func testKeys() []string {
	var keys []string
	for i := 0; i < 300; i++ {
		keys = append(keys, fmt.Sprintf("key:%d", i), fmt.Sprintf("ユーザー%d", i))
	}
	return append(keys, strings.Repeat("long", 62))
}

func threeServers() []Server {
	return []Server{{"tcp", "127.0.0.1:22122"}, {"tcp", "127.0.0.1:22123"}, {"tcp", "127.0.0.1:22124"}}
}

func TestCacheMemcachedPlacement(t *testing.T) {
	sel := newPlacement(threeServers(), CacheMemcached)
	for _, k := range testKeys() {
		want := int(((crc32.ChecksumIEEE([]byte(k)) >> 16) & 0x7fff) % 3)
		if got := sel.index(k); got != want {
			t.Fatalf("Index(%q) = %d, want %d", k, got, want)
		}
	}
	// crc32("foo") = 0x8c736521: (0x8c73 & 0x7fff) % 3 = 1.
	if got := sel.index("foo"); got != 1 {
		t.Errorf(`Index("foo") = %d, want 1`, got)
	}
}

func TestGoMemcachePlacementMatchesGomemcache(t *testing.T) {
	var ref memcache.ServerList
	var addrs []string
	for _, s := range threeServers() {
		addrs = append(addrs, s.Addr)
	}
	if err := ref.SetServers(addrs...); err != nil {
		t.Fatal(err)
	}
	sel := newPlacement(threeServers(), GoMemcache)
	other := newPlacement(threeServers(), CacheMemcached)
	differ := 0
	for _, k := range testKeys() {
		want, err := ref.PickServer(k)
		if err != nil {
			t.Fatal(err)
		}
		if got := threeServers()[sel.index(k)].Addr; got != want.String() {
			t.Fatalf("index(%q) is %v; gomemcache picks %v", k, got, want)
		}
		if sel.index(k) != other.index(k) {
			differ++
		}
	}
	if differ < 100 {
		t.Errorf("only %d keys placed differently by the two distributions", differ)
	}
}

func TestPlacementEdges(t *testing.T) {
	one := newPlacement(threeServers()[:1], CacheMemcached)
	for _, k := range testKeys() {
		if one.index(k) != 0 {
			t.Fatalf("one server: Index(%q) = %d", k, one.index(k))
		}
	}
	for _, dist := range []Distribution{CacheMemcached, GoMemcache, PHPMemcache, Libmemcached, Ketama} {
		if got := newPlacement(threeServers()[:1], dist).index("k"); got != 0 {
			t.Errorf("dist %d, one server: index = %d", dist, got)
		}
	}
}
