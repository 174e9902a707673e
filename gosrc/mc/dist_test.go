package mc

import (
	"fmt"
	"testing"
)

func TestKetamaContinuum(t *testing.T) {
	servers := threeServers()
	ring := ketamaContinuum(servers)
	if len(ring.points) != 3*160 {
		t.Fatalf("%d points, want 160 per server", len(ring.points))
	}
	for i := 1; i < len(ring.points); i++ {
		if ring.points[i-1] > ring.points[i] {
			t.Fatal("continuum not sorted")
		}
	}
}

// In consistent modes removing a server moves only that server's keys.
func TestConsistentModesMoveOnlyTheRemovedServersKeys(t *testing.T) {
	for _, dist := range []Distribution{Ketama, PHPMemcache} {
		three := newPlacement(threeServers(), dist)
		two := newPlacement(threeServers()[:2], dist)
		moved, removed := 0, 0
		for _, k := range testKeys() {
			a := three.index(k)
			if a == 2 {
				removed++
			} else if two.index(k) != a {
				moved++
			}
		}
		if moved != 0 || removed == 0 {
			t.Errorf("dist %d: %d keys of remaining servers moved (%d were on the removed one)", dist, moved, removed)
		}
	}
}

// libmemcached reads key bytes through a signed char: a byte >= 0x80 adds
// 0xffffff80 and up, not 0x80 and up.
func TestOneAtATimeSignExtends(t *testing.T) {
	unsigned := func(key string) uint32 {
		var h uint32
		for i := 0; i < len(key); i++ {
			h += uint32(key[i])
			h += h << 10
			h ^= h >> 6
		}
		h += h << 3
		h ^= h >> 11
		h += h << 15
		return h
	}
	if oneAtATime("user:1") != unsigned("user:1") {
		t.Error("ASCII keys must hash the same either way")
	}
	if oneAtATime("ключ") == unsigned("ключ") {
		t.Error("UTF-8 bytes must be sign-extended")
	}
}

func TestSplitHostPort(t *testing.T) {
	for in, want := range map[string]string{"127.0.0.1:11211": "127.0.0.1 11211", "[::1]:22122": "::1 22122", "cache:99": "cache 99"} {
		h, p := splitHostPort(Server{"tcp", in})
		if got := fmt.Sprintf("%s %d", h, p); got != want {
			t.Errorf("splitHostPort(%q) = %q, want %q", in, got, want)
		}
	}
}
