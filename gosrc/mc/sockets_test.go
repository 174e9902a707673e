package mc

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// refusedAddr is an address nothing listens on: its connects are refused.
func refusedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Stats.Sockets, which the C side reports to PostgreSQL's fd.c, counts the
// sockets a client holds: one per server it talks to, none once it is
// closed, whatever became of its connects and calls (refused, timed out,
// interrupted, closed by the server, a reply cut short).
func TestSocketsCounted(t *testing.T) {
	base := atomic.LoadInt32(&Stats.Sockets)
	good := newFakeServer(t, func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		switch {
		case strings.HasPrefix(line, "get"):
			w.WriteString("END\r\n")
		case strings.HasPrefix(line, "set"):
			r.ReadString('\n')
			w.WriteString("STORED\r\n")
		case strings.HasPrefix(line, "version"):
			w.WriteString("VERSION 1.6\r\n")
		default:
			w.WriteString("ERROR\r\n")
		}
		return true
	})
	cut := newFakeServer(t, func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		w.WriteString("VALUE k 0 10\r\nabc")
		return false
	})
	addrs := []string{good.addr(), cut.addr(), refusedAddr(t), blackHole(t)}
	c, err := NewClient(Config{Servers: strings.Join(addrs, ","), Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c.cfg.RetryDelay = 0
	keys := make([]string, 200)
	var ops []Op
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
		ops = append(ops, Op{Key: keys[i], Value: []byte("v")})
	}
	for round := 0; round < 2; round++ {
		func() {
			interruptAfter(t, 20*time.Millisecond)
			defer func() { InterruptPending = func() bool { return false } }()
			c.GetMultiTo(KeyList(keys), &mapSink{keys: keys, m: map[string][]byte{}})
		}()
		c.GetMultiTo(KeyList(keys), &mapSink{keys: keys, m: map[string][]byte{}})
		c.Apply(ops, Batch{})
		for _, k := range keys[:8] {
			c.Get(k)
			c.Delete(k)
		}
		c.Probe()
		if n := atomic.LoadInt32(&Stats.Sockets) - base; n < 1 || n > int32(len(addrs)) {
			t.Errorf("round %d: the client holds %d sockets; it talks to %d servers", round, n, len(addrs))
		}
	}
	c.Close()
	if n := atomic.LoadInt32(&Stats.Sockets) - base; n != 0 {
		t.Errorf("%d sockets counted after the client was closed", n)
	}
}

// Past MaxSockets a connection fails at once, as that server's failure,
// and opens no socket.
func TestMaxSockets(t *testing.T) {
	var addrs []string
	for i := 0; i < 4; i++ {
		fs := newFakeServer(t, func(line string, r *bufio.Reader, w *bufio.Writer) bool {
			w.WriteString("END\r\n")
			return true
		})
		addrs = append(addrs, fs.addr())
	}
	base := atomic.LoadInt32(&Stats.Sockets)
	atomic.StoreInt32(&MaxSockets, base+2)
	t.Cleanup(func() { atomic.StoreInt32(&MaxSockets, 0) })
	c := testClient(t, strings.Join(addrs, ","), time.Second)
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
	}
	failed, err := c.GetMultiTo(KeyList(keys), &mapSink{keys: keys, m: map[string][]byte{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 2 {
		t.Fatalf("%d of 4 servers failed with room for 2 sockets, want 2: %v", len(failed), failed)
	}
	for _, e := range failed {
		if !strings.Contains(e.Error(), "sockets to memcached, a third of the files") {
			t.Errorf("failure: %v", e)
		}
	}
	if n := atomic.LoadInt32(&Stats.Sockets) - base; n != 2 {
		t.Errorf("%d sockets held, want 2", n)
	}
}

// An interrupt ends a batch or a stats call over many servers that never
// answer at once: after the first server sees it, the others do not each
// wait a Slice first (12 servers took 12 slices).
func TestInterruptEndsCallOverSilentServers(t *testing.T) {
	var addrs []string
	for i := 0; i < 12; i++ {
		addrs = append(addrs, newFakeServer(t, silent).addr())
	}
	c := testClient(t, strings.Join(addrs, ","), 5*time.Second)
	var ops []Op
	for i := 0; i < 600; i++ {
		ops = append(ops, Op{Key: "k" + strconv.Itoa(i), Value: []byte("v")})
	}
	raised := time.Now().Add(50 * time.Millisecond)
	interruptAfter(t, 50*time.Millisecond)
	res := c.Apply(ops, Batch{})
	wantInterrupted(t, "a batch over 12 silent servers", res.First, raised)

	raised = time.Now().Add(50 * time.Millisecond)
	interruptAfter(t, 50*time.Millisecond)
	_, err := c.Stats()
	wantInterrupted(t, "stats over 12 silent servers", err, raised)
}
