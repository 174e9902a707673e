package mc

import (
	"errors"
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
	sel := NewSelector(threeServers(), CacheMemcached)
	for _, k := range testKeys() {
		want := int(((crc32.ChecksumIEEE([]byte(k)) >> 16) & 0x7fff) % 3)
		if got := sel.Index(k); got != want {
			t.Fatalf("Index(%q) = %d, want %d", k, got, want)
		}
	}
	// crc32("foo") = 0x8c736521: (0x8c73 & 0x7fff) % 3 = 1.
	if got := sel.Index("foo"); got != 1 {
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
	sel := NewSelector(threeServers(), GoMemcache)
	other := NewSelector(threeServers(), CacheMemcached)
	differ := 0
	for _, k := range testKeys() {
		want, err := ref.PickServer(k)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sel.PickServer(k)
		if err != nil || got.String() != want.String() {
			t.Fatalf("PickServer(%q) = %v, %v; gomemcache picks %v", k, got, err, want)
		}
		if sel.Index(k) != other.Index(k) {
			differ++
		}
	}
	if differ < 100 {
		t.Errorf("only %d keys placed differently by the two distributions", differ)
	}
}

func TestSelectorEdges(t *testing.T) {
	one := NewSelector(threeServers()[:1], CacheMemcached)
	for _, k := range testKeys() {
		if one.Index(k) != 0 {
			t.Fatalf("one server: Index(%q) = %d", k, one.Index(k))
		}
	}
	none := NewSelector(nil, CacheMemcached)
	if _, err := none.PickServer("k"); !errors.Is(err, memcache.ErrNoServers) {
		t.Errorf("no servers: %v", err)
	}
}
