package mc

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeServer is an in-process memcached stand-in on 127.0.0.1 for protocol
// edge cases: handle gets each command line and writes what it likes.
type fakeServer struct {
	ln      net.Listener
	accepts atomic.Int32
	live    atomic.Int32 // connections open now (closed by the client: gone)
	mu      sync.Mutex
	lines   []string
}

// handler answers one command line; false closes the connection.
type handler func(line string, r *bufio.Reader, w *bufio.Writer) bool

func newFakeServer(t *testing.T, handle handler) *fakeServer {
	t.Helper()
	return newFakeServerPerConn(t, func() handler { return handle })
}

// newFakeServerPerConn gives each accepted connection its own handler.
func newFakeServerPerConn(t *testing.T, newHandler func() handler) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fs := &fakeServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fs.accepts.Add(1)
			fs.live.Add(1)
			handle := newHandler()
			go func(c net.Conn) {
				defer fs.live.Add(-1)
				defer c.Close()
				r, w := bufio.NewReader(c), bufio.NewWriter(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					fs.mu.Lock()
					fs.lines = append(fs.lines, strings.TrimRight(line, "\r\n"))
					fs.mu.Unlock()
					more := handle(line, r, w)
					w.Flush()
					if !more {
						return
					}
				}
			}(c)
		}
	}()
	return fs
}

func (fs *fakeServer) addr() string { return fs.ln.Addr().String() }

func (fs *fakeServer) received() []string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]string(nil), fs.lines...)
}

// silent never answers: a black hole that accepts connections.
func silent(line string, r *bufio.Reader, w *bufio.Writer) bool {
	time.Sleep(time.Hour)
	return false
}

func testClient(t *testing.T, addr string, timeout time.Duration) *Client {
	t.Helper()
	c, err := NewClient(Config{Servers: addr, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// interruptAfter makes InterruptPending report an interrupt from d from
// now on, until the test ends.
func interruptAfter(t *testing.T, d time.Duration) {
	at := time.Now().Add(d)
	InterruptPending = func() bool { return time.Now().After(at) }
	t.Cleanup(func() { InterruptPending = func() bool { return false } })
}

// wantInterrupted fails the test unless err, what the call named what
// returned, is an interrupt noticed within 150 ms of its being raised at
// raised (Slice is 20 ms; the rest is slack for a busy 2-core machine).
func wantInterrupted(t *testing.T, what string, err error, raised time.Time) {
	t.Helper()
	if Classify(err) != CodeInterrupted {
		t.Fatalf("%s: %v, want interrupted", what, err)
	}
	if late := time.Since(raised); late > 150*time.Millisecond {
		t.Errorf("interrupt noticed %v after it was raised", late)
	}
}

// Get returns the value of key.
func (c *Client) Get(key string) ([]byte, error) {
	var v byteSink
	if err := c.GetTo(key, &v); err != nil {
		return nil, err
	}
	return v.b, nil
}

// GetMulti returns the values found, keyed by the user's key. When a
// server fails (or is marked down) the values from the others are returned
// with the first failure.
func (c *Client) GetMulti(keys []string) (map[string][]byte, error) {
	s := &mapSink{keys: keys, m: map[string][]byte{}}
	failed, err := c.GetMultiTo(KeyList(keys), s)
	if err == nil && len(failed) > 0 {
		err = failed[0]
	}
	return s.m, err
}

// KeyList is a Keys over a slice.
type KeyList []string

func (l KeyList) Len() int         { return len(l) }
func (l KeyList) Key(i int) string { return l[i] }

// byteSink and mapSink collect values in Go memory.
type byteSink struct{ b []byte }

func (s *byteSink) Value(n int) []byte { s.b = make([]byte, n); return s.b }

type mapSink struct {
	keys []string
	m    map[string][]byte
}

func (s *mapSink) Value(k, n int) bool { s.m[s.keys[k]] = make([]byte, n); return true }
func (s *mapSink) Bytes(k int) []byte  { return s.m[s.keys[k]] }
func (s *mapSink) Drop(k int)          { delete(s.m, s.keys[k]) }

// A reply line longer than the connection's buffer is the server's fault,
// said with its address, not bufio's "buffer full".
func TestOverlongReplyLine(t *testing.T) {
	fs := newFakeServer(t, func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		w.WriteString("VALUE k 0 4 " + strings.Repeat("x", 20<<10))
		w.Flush()
		time.Sleep(time.Second)
		return false
	})
	c := testClient(t, fs.addr(), 500*time.Millisecond)
	err := c.GetTo("k", &byteSink{})
	if err == nil || !strings.Contains(err.Error(), fs.addr()+": a reply line longer than") {
		t.Errorf("get of an overlong reply line: %v", err)
	}
}
