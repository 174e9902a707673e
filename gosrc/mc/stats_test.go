package mc

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// freshStats gives the test a table of its own: the servers of other
// tests would fill the shared one (they take a row each).
func freshStats(t testing.TB) {
	saved := Stats
	Stats = new(StatsTable)
	t.Cleanup(func() { Stats = saved })
}

// counters returns the counters of the server at addr.
func counters(addr string) [StatCount]uint64 { return statsFor(addr).C }

// diff returns the counters that moved since before, by name.
func diff(before, after [StatCount]uint64) map[string]uint64 {
	names := [StatCount]string{"get", "get_multi", "gets", "gat", "set", "add", "replace", "append",
		"prepend", "cas", "delete", "incr", "decr", "touch", "other", "hits", "misses", "not_found",
		"not_stored", "refused", "timeout", "reset", "server", "too_large", "down", "err_other",
		"cancelled", "sent", "recv", "connects", "marked_down", "time", "lt1ms", "lt10ms", "lt100ms", "slow"}
	d := map[string]uint64{}
	for i := range after {
		if after[i] != before[i] {
			d[names[i]] = after[i] - before[i]
		}
	}
	delete(d, "time") // checked apart: it varies
	// Round trips, whichever latency bucket they fell in.
	for _, b := range []string{"lt1ms", "lt10ms", "lt100ms", "slow"} {
		if d[b] != 0 {
			d["rt"] += d[b]
			delete(d, b)
		}
	}
	return d
}

func same(a, b map[string]uint64) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

// A tiny memcached: get, gets, gat, set, cas, delete, touch with a fixed
// CAS token, enough to count outcomes against.
func tinyMemcached(t *testing.T) *fakeServer {
	items := map[string]string{}
	return newFakeServer(t, func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		f := strings.Fields(line)
		switch f[0] {
		case "get", "gets", "gat":
			keys := f[1:]
			if f[0] == "gat" {
				keys = f[2:]
			}
			for _, k := range keys {
				if v, ok := items[k]; ok {
					fmt.Fprintf(w, "VALUE %s 0 %d 42\r\n%s\r\n", k, len(v), v)
				}
			}
			w.WriteString("END\r\n")
		case "set", "add", "cas":
			b := make([]byte, atoi(f[4])+2)
			if _, err := r.Read(b); err != nil {
				return false
			}
			_, exists := items[f[1]]
			switch {
			case f[0] == "add" && exists:
				w.WriteString("NOT_STORED\r\n")
			case f[0] == "cas" && !exists:
				w.WriteString("NOT_FOUND\r\n")
			case f[0] == "cas" && f[5] != "42":
				w.WriteString("EXISTS\r\n")
			default:
				items[f[1]] = string(b[:len(b)-2])
				w.WriteString("STORED\r\n")
			}
		case "delete":
			if _, ok := items[f[1]]; ok {
				delete(items, f[1])
				w.WriteString("DELETED\r\n")
			} else {
				w.WriteString("NOT_FOUND\r\n")
			}
		default:
			w.WriteString("ERROR\r\n")
		}
		return true
	})
}

// Each command counts once, with its outcome, its bytes, its round trip.
func TestCountersOfCommands(t *testing.T) {
	freshStats(t)
	fs := tinyMemcached(t)
	c := testClient(t, fs.addr(), time.Second)
	steps := []struct {
		run  func() error
		want map[string]uint64
	}{
		{func() error { return c.Store(VerbSet, "a", []byte("1"), 0) },
			map[string]uint64{"set": 1, "connects": 1, "sent": 16, "recv": 8, "rt": 1}},
		{func() error { _, err := c.Get("a"); return err },
			map[string]uint64{"get": 1, "hits": 1, "sent": 7, "recv": 24, "rt": 1}},
		{func() error { _, err := c.Get("b"); return err },
			map[string]uint64{"get": 1, "misses": 1, "sent": 7, "recv": 5, "rt": 1}},
		{func() error { return c.Store(VerbAdd, "a", []byte("1"), 0) },
			map[string]uint64{"add": 1, "not_stored": 1, "sent": 16, "recv": 12, "rt": 1}},
		{func() error { return c.CompareAndSwap("a", []byte("2"), 0, 41) },
			map[string]uint64{"cas": 1, "not_stored": 1, "sent": 19, "recv": 8, "rt": 1}},
		{func() error { return c.CompareAndSwap("z", []byte("2"), 0, 42) },
			map[string]uint64{"cas": 1, "not_found": 1, "sent": 19, "recv": 11, "rt": 1}},
		{func() error { _, err := c.GetsTo("a", &byteSink{}); return err },
			map[string]uint64{"gets": 1, "hits": 1, "sent": 8, "recv": 24, "rt": 1}},
		{func() error { return c.GatTo("a", 9, &byteSink{}) },
			map[string]uint64{"gat": 1, "hits": 1, "sent": 9, "recv": 24, "rt": 1}},
		{func() error { return c.Delete("nope") },
			map[string]uint64{"delete": 1, "not_found": 1, "sent": 13, "recv": 11, "rt": 1}},
		{func() error { return c.Touch("a", 1) },
			map[string]uint64{"touch": 1, "server": 1, "sent": 11, "recv": 7, "rt": 1}},
		{func() error { _, err := c.GetMulti([]string{"a", "b", "c", "a"}); return err },
			map[string]uint64{"get_multi": 1, "hits": 1, "misses": 2, "connects": 1, "sent": 11, "recv": 24, "rt": 1}},
		{func() error {
			return c.Apply([]Op{{Key: "m", Value: []byte("1")}, {Key: "n", Delete: true}}, Batch{}).Err()
		}, map[string]uint64{"set": 1, "delete": 1, "not_found": 1, "sent": 26, "recv": 19, "rt": 1}},
	}
	for i, s := range steps {
		before := counters(fs.addr())
		t0 := time.Now()
		s.run()
		after := counters(fs.addr())
		if got := diff(before, after); !same(got, s.want) {
			t.Errorf("step %d (%q): counters moved %v, want %v", i, fs.received()[len(fs.received())-1], got, s.want)
		}
		if d := after[StatTimeNs] - before[StatTimeNs]; d == 0 || d > uint64(time.Since(t0)) {
			t.Errorf("step %d: time %d ns, the call took %v", i, d, time.Since(t0))
		}
	}
}

// Failures count by kind; a server marked down (after a timeout) counts
// the mark and the calls it fails at once.
func TestCountersOfFailures(t *testing.T) {
	freshStats(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	c, err := NewClient(Config{Servers: closed, Timeout: time.Second, RetryDelay: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	before := counters(closed)
	c.Store(VerbSet, "k", []byte("v"), 0)
	c.Store(VerbSet, "k", []byte("v"), 0)
	c.Apply([]Op{{Key: "a", Value: []byte("1")}, {Key: "b", Delete: true}}, Batch{})
	// A refusal does not mark the server down: each call tries it.
	want := map[string]uint64{"set": 3, "delete": 1, "refused": 4, "rt": 3}
	if got := diff(before, counters(closed)); !same(got, want) {
		t.Errorf("refused: %v, want %v", got, want)
	}

	hole := newFakeServer(t, silent)
	c, err = NewClient(Config{Servers: hole.addr(), Timeout: 50 * time.Millisecond, RetryDelay: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	before = counters(hole.addr())
	c.Get("k")
	want = map[string]uint64{"get": 1, "timeout": 1, "marked_down": 1, "connects": 1, "sent": 7, "rt": 1}
	if got := diff(before, counters(hole.addr())); !same(got, want) {
		t.Errorf("timed out: %v, want %v", got, want)
	}
	before = counters(hole.addr())
	c.Get("k")
	c.GetMulti([]string{"a", "b"})
	want = map[string]uint64{"get": 1, "get_multi": 1, "down": 2, "rt": 2}
	if got := diff(before, counters(hole.addr())); !same(got, want) {
		t.Errorf("marked down: %v, want %v", got, want)
	}

	big := newFakeServer(t, replies("SERVER_ERROR object too large for cache\r\n"))
	c = testClient(t, big.addr(), time.Second)
	before = counters(big.addr())
	c.Store(VerbSet, "k", []byte("v"), 0)
	want = map[string]uint64{"set": 1, "too_large": 1, "connects": 1, "sent": 16, "recv": 41, "rt": 1}
	if got := diff(before, counters(big.addr())); !same(got, want) {
		t.Errorf("too large: %v, want %v", got, want)
	}

	reset := newFakeServer(t, func(line string, r *bufio.Reader, w *bufio.Writer) bool { return false })
	c = testClient(t, reset.addr(), time.Second)
	before = counters(reset.addr())
	c.Get("k")
	want = map[string]uint64{"get": 1, "reset": 1, "connects": 1, "sent": 7, "rt": 1}
	if got := diff(before, counters(reset.addr())); !same(got, want) {
		t.Errorf("closed mid-call: %v, want %v", got, want)
	}
}

// get_multi counts one command per server it asks, each server's hits and
// misses, and a failed server's failure, the others' values delivered.
func TestCountersOfGetMulti(t *testing.T) {
	freshStats(t)
	a, b := tinyMemcached(t), tinyMemcached(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	c, err := NewClient(Config{Servers: a.addr() + "," + b.addr() + "," + closed, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var keys []string
	asked, found := map[string]uint64{}, map[string]uint64{}
	for i := 0; i < 30; i++ {
		k := fmt.Sprintf("k%d", i)
		keys = append(keys, k)
		srv, _ := c.ServerForKey(k)
		asked[srv]++
		if i%3 == 0 && srv != closed {
			if err := c.Store(VerbSet, k, []byte("v"), 0); err != nil {
				t.Fatal(err)
			}
			found[srv]++
		}
	}
	if asked[a.addr()] == 0 || asked[b.addr()] == 0 || asked[closed] == 0 {
		t.Fatalf("keys per server: %v", asked)
	}
	before := map[string][StatCount]uint64{}
	for _, s := range []string{a.addr(), b.addr(), closed} {
		before[s] = counters(s)
	}
	got, err := c.GetMulti(keys)
	if err == nil || uint64(len(got)) != found[a.addr()]+found[b.addr()] {
		t.Fatalf("get_multi: %d values, %v", len(got), err)
	}
	for _, s := range []string{a.addr(), b.addr()} {
		d := diff(before[s], counters(s))
		if d["get_multi"] != 1 || d["hits"] != found[s] || d["misses"] != asked[s]-found[s] || d["rt"] != 1 {
			t.Errorf("%s (%d asked, %d found): %v", s, asked[s], found[s], d)
		}
	}
	want := map[string]uint64{"get_multi": 1, "refused": 1, "rt": 1}
	if d := diff(before[closed], counters(closed)); !same(d, want) {
		t.Errorf("refused server: %v, want %v", d, want)
	}
}

// A client built again for the same server (a setting changed) keeps
// counting in the same row; past the table's rows the servers share the
// last one.
func TestCounterRows(t *testing.T) {
	freshStats(t)
	a := statsFor("h:1")
	if statsFor("h:1") != a || statsFor("h:2") == a || Stats.N != 2 {
		t.Fatalf("rows: %d", Stats.N)
	}
	for i := 0; i < 2*StatRows; i++ {
		statsFor(fmt.Sprintf("x:%d", i))
	}
	if Stats.N != StatRows || rowAddr(&Stats.Rows[StatRows-1]) != "(other servers)" ||
		statsFor("y:1") != &Stats.Rows[StatRows-1] {
		t.Errorf("overflow: %d rows, last %q", Stats.N, rowAddr(&Stats.Rows[StatRows-1]))
	}
}

// The counting a single-key call adds: its outcome, its round trip (a
// clock read) and the bytes, against the ~10-30 us of the call itself.
func BenchmarkCount(b *testing.B) {
	c, err := NewClient(Config{Servers: "127.0.0.1:1", Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	c.start()
	raw := &sockConn{st: c.servers[0].st}
	for i := 0; i < b.N; i++ {
		raw.st.C[StatBytesSent] += 20
		raw.st.C[StatBytesRecv] += 30
		c.count(0, StatGet, nil)
	}
}
