package mc

import (
	"bufio"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// memcachedLike answers get, set, add, incr, delete, touch, stats, version
// and flush_all from a map shared by its connections; closeAfter(n) says
// whether a connection closes after its n-th command (answered, and no
// other command waiting: as memcached's idle_timeout would) and
// dropBefore(n) whether it closes on its n-th command without answering.
type memcachedLike struct {
	mu         sync.Mutex
	data       map[string]string
	closeAfter func(n int) bool
	dropBefore func(n int) bool
}

func (m *memcachedLike) handler() handler {
	n := 0
	return func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		n++
		f := strings.Fields(line)
		var data string
		if len(f) == 5 {
			b := make([]byte, atoi(f[4])+2)
			if _, err := io.ReadFull(r, b); err != nil {
				return false
			}
			data = string(b[:len(b)-2])
		}
		if m.dropBefore != nil && m.dropBefore(n) {
			return false
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		switch f[0] {
		case "get":
			for _, k := range f[1:] {
				if v, ok := m.data[k]; ok {
					w.WriteString("VALUE " + k + " 0 " + itoa(len(v)) + "\r\n" + v + "\r\n")
				}
			}
			w.WriteString("END\r\n")
		case "set":
			m.data[f[1]] = data
			w.WriteString("STORED\r\n")
		case "add":
			if _, ok := m.data[f[1]]; ok {
				w.WriteString("NOT_STORED\r\n")
			} else {
				m.data[f[1]] = data
				w.WriteString("STORED\r\n")
			}
		case "incr":
			v, ok := m.data[f[1]]
			if !ok {
				w.WriteString("NOT_FOUND\r\n")
				break
			}
			m.data[f[1]] = itoa(atoi(v) + atoi(f[2]))
			w.WriteString(m.data[f[1]] + "\r\n")
		case "delete":
			if _, ok := m.data[f[1]]; ok {
				delete(m.data, f[1])
				w.WriteString("DELETED\r\n")
			} else {
				w.WriteString("NOT_FOUND\r\n")
			}
		case "touch":
			w.WriteString("TOUCHED\r\n")
		case "stats":
			w.WriteString("STAT pid 1\r\nEND\r\n")
		case "version":
			w.WriteString("VERSION 1.6.0\r\n")
		case "flush_all":
			m.data = map[string]string{}
			w.WriteString("OK\r\n")
		default:
			w.WriteString("ERROR\r\n")
		}
		return m.closeAfter == nil || !m.closeAfter(n) || r.Buffered() > 0
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func itoa(n int) string { return strconv.Itoa(n) }

// everyCall runs each kind of call once, pause between them; it returns
// the first failure.
func everyCall(c *Client, round int, pause time.Duration) (string, error) {
	k := "k" + itoa(round)
	steps := []struct {
		name string
		run  func() error
	}{
		{"set", func() error { return c.Store(VerbSet, k, []byte("1"), 0) }},
		{"get", func() error { _, err := c.Get(k); return err }},
		{"add", func() error { return c.Store(VerbAdd, k+"a", []byte("a"), 0) }},
		{"incr", func() error { _, err := c.IncrDecr(false, k, 2); return err }},
		{"touch", func() error { return c.Touch(k, 10) }},
		{"delete", func() error { return c.Delete(k + "a") }},
		{"get_multi", func() error { _, err := c.GetMulti([]string{k, "x"}); return err }},
		{"batch", func() error {
			return c.Apply([]Op{{Key: k + "b", Value: []byte("v")}, {Delete: true, Key: k + "a"}}, Batch{}).Err()
		}},
		{"stats", func() error { _, err := c.Stats(); return err }},
		{"probe", func() error {
			if p := c.Probe(); !p[0].Reachable {
				return errorf(CodeNetwork, p[0].Err)
			}
			return nil
		}},
		{"flush_all", func() error { return c.FlushAll() }},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return s.name, err
		}
		time.Sleep(pause)
	}
	return "", nil
}

func TestOneConnectionForEveryCall(t *testing.T) {
	m := &memcachedLike{data: map[string]string{}}
	fs := newFakeServerPerConn(t, m.handler)
	c := testClient(t, fs.addr(), time.Second)
	for round := 0; round < 3; round++ {
		if name, err := everyCall(c, round, 0); err != nil {
			t.Fatalf("round %d, %s: %v", round, name, err)
		}
	}
	if n := fs.accepts.Load(); n != 1 {
		t.Errorf("%d connections for every kind of call, want 1", n)
	}
}

// The server closes every connection after one answered command (as after
// a restart, or memcached's idle_timeout): each call finds its pooled
// connection closed before using it and opens a new one, so every kind of
// call succeeds, incr included, and nothing is sent twice.
func TestPooledConnectionClosedWhileIdle(t *testing.T) {
	m := &memcachedLike{data: map[string]string{}, closeAfter: func(n int) bool { return true }}
	fs := newFakeServerPerConn(t, m.handler)
	c := testClient(t, fs.addr(), time.Second)
	for round := 0; round < 3; round++ {
		// The pause lets each close reach the client before the next call.
		if name, err := everyCall(c, round, 10*time.Millisecond); err != nil {
			t.Fatalf("round %d, %s: %v", round, name, err)
		}
	}
	incrs := 0
	for _, l := range fs.received() {
		if strings.HasPrefix(l, "incr ") {
			incrs++
		}
	}
	if incrs != 3 {
		t.Errorf("%d incr commands received for 3 calls", incrs)
	}
}

// The server closes a connection when its second command arrives, without
// answering: the pooled connection looked open when it was taken. Commands
// that may run twice are sent again on a new connection; incr is not (the
// server may have counted it) and fails, once.
func TestPooledConnectionClosedOnUse(t *testing.T) {
	m := &memcachedLike{data: map[string]string{}, dropBefore: func(n int) bool { return n == 2 }}
	fs := newFakeServerPerConn(t, m.handler)
	c := testClient(t, fs.addr(), time.Second)
	c.cfg.RetryDelay = time.Minute
	steps := []struct {
		name string
		run  func() error
	}{
		{"get", func() error { _, err := c.Get("k"); return err }},
		{"set", func() error { return c.Store(VerbSet, "k", []byte("5"), 0) }},
		{"delete", func() error { return c.Delete("k") }},
		{"touch", func() error { return c.Touch("k", 1) }},
		{"get_multi", func() error { _, err := c.GetMulti([]string{"k", "j"}); return err }},
		{"batch", func() error { return c.Apply([]Op{{Key: "k", Value: []byte("7")}}, Batch{}).Err() }},
		{"stats", func() error { _, err := c.Stats(); return err }},
		{"probe", func() error {
			if p := c.Probe(); !p[0].Reachable {
				return errorf(CodeNetwork, p[0].Err)
			}
			return nil
		}},
		{"flush_all", func() error { return c.FlushAll() }},
	}
	for _, s := range steps {
		if err := c.Store(VerbSet, "k", []byte("5"), 0); err != nil { // the connection's first command
			t.Fatalf("set before %s: %v", s.name, err)
		}
		before := fs.accepts.Load()
		if err := s.run(); err != nil && err != ErrCacheMiss {
			t.Errorf("%s on a connection closed on use: %v", s.name, err)
		}
		if got := fs.accepts.Load() - before; got != 1 {
			t.Errorf("%s: %d new connections, want 1", s.name, got)
		}
	}
	if err := c.Store(VerbSet, "n", []byte("1"), 0); err != nil {
		t.Fatal(err)
	}
	_, err := c.IncrDecr(false, "n", 1)
	if Classify(err) != CodeNetwork || !strings.Contains(err.Error(), "closed the connection") {
		t.Errorf("incr on a connection closed on use: %v, want it to fail (not sent twice)", err)
	}
	if v, err := c.IncrDecr(false, "n", 1); err != nil || v != 2 {
		t.Errorf("the next incr = %d, %v: want 2 on a new connection, the server not marked down", v, err)
	}
}

// A reset (RST) of an idle pooled connection is found before use too.
func TestPooledConnectionReset(t *testing.T) {
	var last net.Conn
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			last = nc
			go func(nc net.Conn) {
				r := bufio.NewReader(nc)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if strings.HasPrefix(line, "get") {
						nc.Write([]byte("END\r\n"))
					}
				}
			}(nc)
		}
	}()
	c := testClient(t, ln.Addr().String(), time.Second)
	if _, err := c.Get("k"); err != ErrCacheMiss {
		t.Fatal(err)
	}
	last.(*net.TCPConn).SetLinger(0)
	last.Close()
	time.Sleep(20 * time.Millisecond)
	if _, err := c.Get("k"); err != ErrCacheMiss {
		t.Errorf("get after the server reset the pooled connection: %v", err)
	}
}

type discard struct{ b [16]byte }

func (d *discard) Value(n int) []byte { return d.b[:n] }

// Single-key commands allocate nothing per call, whichever command: with
// the memcached that MC_TEST_SERVER names (test/run-all.sh sets it), since
// AllocsPerRun counts every goroutine's allocations, an in-process server's
// too.
func TestNoAllocationPerCall(t *testing.T) {
	addr := os.Getenv("MC_TEST_SERVER")
	if addr == "" {
		t.Skip("MC_TEST_SERVER (a memcached host:port) is not set")
	}
	c := testClient(t, addr, time.Second)
	val := []byte("0123456789")
	if err := c.Store(VerbSet, "alloc:k", val, 0); err != nil {
		t.Fatal(err)
	}
	var sink discard
	calls := []struct {
		name string
		call func() error
	}{
		{"get", func() error { return c.GetTo("alloc:k", &sink) }},
		{"miss", func() error { return c.GetTo("alloc:missing", &sink) }},
		{"set", func() error { return c.Store(VerbSet, "alloc:k", val, 0) }},
		{"add", func() error { return c.Store(VerbAdd, "alloc:k", val, 0) }},
		{"append", func() error { return c.Store(VerbAppend, "alloc:missing", val, 0) }},
		{"incr", func() error { _, err := c.IncrDecr(false, "alloc:missing", 1); return err }},
		{"delete", func() error { return c.Delete("alloc:missing") }},
		{"touch", func() error { return c.Touch("alloc:k", 10) }},
	}
	for _, tc := range calls {
		var failed error
		n := testing.AllocsPerRun(200, func() {
			if err := tc.call(); err != nil && err != ErrCacheMiss && err != ErrNotStored {
				failed = err
			}
		})
		if failed != nil {
			t.Fatalf("%s: %v", tc.name, failed)
		}
		if n != 0 {
			t.Errorf("%s: %.1f allocations per call", tc.name, n)
		}
	}
}

// memcache_servers(): a server that does not answer costs the call
// memcache.timeout, and does not delay or hide the others' answers, read as
// they arrive (the hung one is listed first).
func TestProbeReadsRepliesAsTheyArrive(t *testing.T) {
	hung := newFakeServer(t, silent)
	m := &memcachedLike{data: map[string]string{}}
	ok := newFakeServerPerConn(t, m.handler)
	c, err := NewClient(Config{Servers: hung.addr() + "," + ok.addr(), Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	p := c.Probe()
	took := time.Since(start)
	if p[0].Reachable || !strings.Contains(p[0].Err, "timed out after 300 ms") || !strings.Contains(p[0].Err, hung.addr()) {
		t.Errorf("hung server: %+v", p[0])
	}
	if !p[1].Reachable || p[1].Latency > 100*time.Millisecond {
		t.Errorf("healthy server behind a hung one: %+v", p[1])
	}
	if took < 250*time.Millisecond || took > 800*time.Millisecond {
		t.Errorf("Probe took %v with memcache.timeout 300ms", took)
	}
	// The hung server is not marked down by a probe; the healthy one's
	// connection is pooled.
	if err := c.servers[0].check(); err != nil {
		t.Errorf("a probe marked the server down: %v", err)
	}
	if c.servers[1].idle == nil {
		t.Error("the healthy server's connection was not pooled")
	}
}

// A server listed twice weighs twice in placement, but has one connection
// and one health state; memcache_servers() still shows every entry.
func TestServerListedTwice(t *testing.T) {
	ma := &memcachedLike{data: map[string]string{}}
	mb := &memcachedLike{data: map[string]string{}}
	a, b := newFakeServerPerConn(t, ma.handler), newFakeServerPerConn(t, mb.handler)
	c, err := NewClient(Config{Servers: a.addr() + "," + a.addr() + "," + b.addr(), Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var keys []string
	onA := 0
	for i := 0; i < 60; i++ {
		k := "key" + itoa(i)
		keys = append(keys, k)
		if err := c.Store(VerbSet, k, []byte("v"), 0); err != nil {
			t.Fatal(err)
		}
		if s, _ := c.ServerForKey(k); s == a.addr() {
			onA++
		}
	}
	if onA < 30 || onA == 60 {
		t.Errorf("%d of 60 keys on the server listed twice", onA)
	}
	got, err := c.GetMulti(keys)
	if err != nil || len(got) != 60 {
		t.Fatalf("GetMulti: %d values, %v", len(got), err)
	}
	if err := c.Apply([]Op{{Key: keys[0], Value: []byte("w")}, {Key: keys[1], Value: []byte("w")}, {Key: keys[2], Value: []byte("w")}}, Batch{}).Err(); err != nil {
		t.Fatal(err)
	}
	if p := c.Probe(); len(p) != 3 || !p[0].Reachable || !p[1].Reachable || p[0].Server != p[1].Server {
		t.Errorf("Probe = %+v", p)
	}
	if stats, err := c.Stats(); err != nil || len(stats) != 2 {
		t.Errorf("Stats = %v, %v: want each server once", stats, err)
	}
	if a.accepts.Load() != 1 || b.accepts.Load() != 1 {
		t.Errorf("connections: %d to the server listed twice, %d to the other; want 1 each", a.accepts.Load(), b.accepts.Load())
	}
}
