package mc

import (
	"testing"
	"time"
)

// liveSoon waits for fs's open connections to reach want (a close is seen
// by the server's goroutine a moment after the client made it).
func liveSoon(fs *fakeServer, want int32) int32 {
	for i := 0; i < 200 && fs.live.Load() != want; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	return fs.live.Load()
}

// A function's SET clause or a SET LOCAL switches the server list for a
// call and back. Switching back and forth 20 times opens one connection per
// server in all, whatever the calls, and a server both lists share keeps
// its one connection throughout.
func TestRoutesSwitchedBackAndForth(t *testing.T) {
	ma, mb, ms := &memcachedLike{data: map[string]string{}}, &memcachedLike{data: map[string]string{}}, &memcachedLike{data: map[string]string{}}
	a, b, s := newFakeServerPerConn(t, ma.handler), newFakeServerPerConn(t, mb.handler), newFakeServerPerConn(t, ms.handler)
	x := Config{Servers: a.addr() + "," + s.addr(), Timeout: time.Second}
	y := Config{Servers: s.addr() + "," + b.addr(), Timeout: time.Second, Prefix: "y:"}
	c, err := NewClient(x)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { c.Close() }()
	for round := 0; round < 20; round++ {
		cfg := x
		if round%2 == 1 {
			cfg = y
		}
		if c, err = c.Reconfigure(cfg); err != nil {
			t.Fatal(err)
		}
		if c.cfg.Prefix != cfg.Prefix {
			t.Fatalf("round %d: prefix %q, want %q", round, c.cfg.Prefix, cfg.Prefix)
		}
		if name, err := everyCall(c, round, 0); err != nil {
			t.Fatalf("round %d, %s: %v", round, name, err)
		}
		// the commit-time writes of either list
		if err := c.Apply([]Op{{Key: "k" + itoa(round), Value: []byte("v")}}, Batch{}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []struct {
		name string
		fs   *fakeServer
	}{{"only in the first list", a}, {"only in the second", b}, {"in both", s}} {
		if n := f.fs.accepts.Load(); n != 1 {
			t.Errorf("server %s: %d connections over 20 switches, want 1", f.name, n)
		}
	}
	c.Close()
	for _, fs := range []*fakeServer{a, b, s} {
		if n := liveSoon(fs, 0); n != 0 {
			t.Errorf("%d connections still open to %s after Close", n, fs.addr())
		}
	}
}

// The list left last keeps its connections for parkFor only: the next call
// after that closes them (a server removed from the list keeps none), and
// a change of TLS or credentials keeps none of the old ones at all.
func TestParkedConnectionsAreClosed(t *testing.T) {
	ma, mb := &memcachedLike{data: map[string]string{}}, &memcachedLike{data: map[string]string{}}
	a, b := newFakeServerPerConn(t, ma.handler), newFakeServerPerConn(t, mb.handler)
	c, err := NewClient(Config{Servers: a.addr(), Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { c.Close() }()
	if err := c.Store(VerbSet, "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if c, err = c.Reconfigure(Config{Servers: b.addr(), Timeout: time.Second}); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(VerbSet, "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if n := liveSoon(a, 1); n != 1 {
		t.Fatalf("the list left: %d connections open, want 1 (parked)", n)
	}
	c.parked[0].parkedAt -= parkFor + time.Second
	if err := c.Store(VerbSet, "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if n := liveSoon(a, 0); n != 0 {
		t.Errorf("the list left %v ago: %d connections open, want 0", parkFor, n)
	}

	// Other connection security: the old list's connections are closed
	// at once, even if the next change goes back to it.
	if c, err = c.Reconfigure(Config{Servers: a.addr(), Timeout: time.Second, Security: SecurityConfig{InsecureSkipVerify: true}}); err != nil {
		t.Fatal(err)
	}
	if n := liveSoon(b, 0); n != 0 {
		t.Errorf("after a change of security: %d connections open to the old list, want 0", n)
	}
	if len(c.parked) != 0 {
		t.Error("a client was parked across a change of security")
	}
}

// Functions route to several pools in turn (X, Y, X, Z, W, ...): every list
// keeps its connections while it is among the maxParked left last, the
// oldest beyond that is closed, and no list's connection is closed and
// reopened on the way.
func TestSeveralListsInTurn(t *testing.T) {
	var fs []*fakeServer
	for i := 0; i < 6; i++ {
		m := &memcachedLike{data: map[string]string{}}
		fs = append(fs, newFakeServerPerConn(t, m.handler))
	}
	cfg := func(i int) Config { return Config{Servers: fs[i].addr() + "," + fs[5].addr(), Timeout: time.Second} }
	c, err := NewClient(cfg(0))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { c.Close() }()
	for round, i := range []int{0, 1, 0, 2, 0, 1, 2, 3, 0, 1, 2, 3} {
		if c, err = c.Reconfigure(cfg(i)); err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 20; k++ {
			if err := c.Store(VerbSet, "k"+itoa(round)+"."+itoa(k), []byte("v"), 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := 0; i < 4; i++ {
		if n := fs[i].accepts.Load(); n != 1 {
			t.Errorf("list %d: %d connections, want 1", i, n)
		}
	}
	if n := fs[5].accepts.Load(); n != 1 {
		t.Errorf("the server in every list: %d connections, want 1", n)
	}
	// Two more lists (4, then the shared server alone): with 4 parked,
	// the list left longest ago, 0, goes.
	for _, next := range []Config{cfg(4), {Servers: fs[5].addr(), Timeout: time.Second}} {
		if c, err = c.Reconfigure(next); err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 20; k++ {
			if err := c.Store(VerbSet, "last"+itoa(k), []byte("v"), 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(c.parked) != maxParked {
		t.Errorf("%d lists parked, want %d", len(c.parked), maxParked)
	}
	for i, want := range []int32{0, 1, 1, 1, 1, 1} {
		if n := liveSoon(fs[i], want); n != want {
			t.Errorf("server %d: %d connections open, want %d", i, n, want)
		}
	}
}

// Writes queued under a list left behind are sent on its parked client
// (ParkedFor), borrowing the session's connection to the server both
// share; the parked client expires there too, without any single call; and
// memcache.server_retry_delay = 0 clears the parked clients' down marks.
func TestParkedForBatches(t *testing.T) {
	ma, mb, ms := &memcachedLike{data: map[string]string{}}, &memcachedLike{data: map[string]string{}}, &memcachedLike{data: map[string]string{}}
	a, b, s := newFakeServerPerConn(t, ma.handler), newFakeServerPerConn(t, mb.handler), newFakeServerPerConn(t, ms.handler)
	x := Config{Servers: a.addr() + "," + s.addr(), Timeout: time.Second, RetryDelay: time.Minute}
	y := Config{Servers: s.addr() + "," + b.addr(), Timeout: time.Second, RetryDelay: time.Minute}
	c, err := NewClient(x)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { c.Close() }()
	var ops []Op
	for i := 0; i < 20; i++ {
		ops = append(ops, Op{Key: "q" + itoa(i), Value: []byte("v")})
	}
	if err := c.Apply(ops, Batch{}).Err(); err != nil {
		t.Fatal(err)
	}
	if c, err = c.Reconfigure(y); err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(ops, Batch{}).Err(); err != nil {
		t.Fatal(err)
	}
	p := c.ParkedFor(x)
	if p == nil {
		t.Fatal("no parked client for the list left")
	}
	p.Adopt(c) // as mcgo_apply lends it
	if err := p.Apply(ops, Batch{}).Err(); err != nil {
		t.Fatal(err)
	}
	c.Adopt(p)
	for _, f := range []*fakeServer{a, b, s} {
		if n := f.accepts.Load(); n != 1 {
			t.Errorf("%s: %d connections, want 1", f.addr(), n)
		}
	}
	if c.servers[0].idle == nil {
		t.Error("the shared server's connection was not given back")
	}

	p.servers[0].downUntil, p.servers[0].downCause = time.Now().Add(time.Hour), "test"
	y.RetryDelay = 0
	if c, err = c.Reconfigure(y); err != nil {
		t.Fatal(err)
	}
	if !p.servers[0].downUntil.IsZero() {
		t.Error("server_retry_delay = 0 left a parked client's down mark")
	}

	c.parked[0].parkedAt -= parkFor + time.Second
	if c.ParkedFor(x) != nil || len(c.parked) != 0 {
		t.Error("a client parked longer than parkFor was still used")
	}
	if n := liveSoon(a, 0); n != 0 {
		t.Errorf("%d connections still open to the list left %v ago", n, parkFor)
	}
}

// A dropped client frees get_multi's scratch memory (outside Go's heap):
// switching lists must not leak it.
func TestCloseFreesScratch(t *testing.T) {
	m := &memcachedLike{data: map[string]string{}}
	fs := newFakeServerPerConn(t, m.handler)
	c := testClient(t, fs.addr(), time.Second)
	keys := make([]string, 5000)
	for i := range keys {
		keys[i] = "key" + itoa(i)
	}
	if _, err := c.GetMulti(keys); err != nil {
		t.Fatal(err)
	}
	if c.mg.mem.Cap() == 0 {
		t.Fatal("no scratch memory after a get_multi of 5000 keys: the test proves nothing")
	}
	c.Close()
	if n := c.mg.mem.Cap(); n != 0 {
		t.Errorf("%d bytes of scratch memory kept after Close", n)
	}
}
