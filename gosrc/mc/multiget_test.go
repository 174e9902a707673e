package mc

import (
	"bufio"
	"bytes"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// streamingServer answers "get k1 k2 ..." as memcached does: key by key as
// it reads them, so that while its replies wait in full socket buffers it
// reads no more of the request. Every key has a value of size bytes (the
// key, repeated).
func streamingServer(t *testing.T, size int) string {
	t.Helper()
	ln := listenLocal(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				r := bufio.NewReaderSize(c, 4<<10)
				w := bufio.NewWriterSize(c, 4<<10) // flushed when full: a write that blocks stops the reading
				for {
					if verb, err := r.ReadString(' '); err != nil || verb != "get " {
						return
					}
					for last := false; !last; {
						key, end, err := token(r)
						if err != nil {
							return
						}
						last = end
						v := bytes.Repeat([]byte(key), size/len(key)+1)[:size]
						w.WriteString("VALUE " + key + " 0 " + strconv.Itoa(size) + "\r\n")
						w.Write(v)
						if _, err := w.WriteString("\r\n"); err != nil {
							return
						}
					}
					w.WriteString("END\r\n")
					if err := w.Flush(); err != nil {
						return
					}
				}
			}(c)
		}
	}()
	return ln.Addr().String()
}

// token reads a key of a get line; end says it was the last.
func token(r *bufio.Reader) (key string, end bool, err error) {
	var b []byte
	for {
		c, err := r.ReadByte()
		if err != nil {
			return "", false, err
		}
		switch c {
		case ' ':
			return string(b), false, nil
		case '\n':
			return string(b), true, nil
		case '\r':
		default:
			b = append(b, c)
		}
	}
}

// checkSink checks and counts the values of a streamingServer.
type checkSink struct {
	keys  []string
	size  int
	got   map[int][]byte
	bad   string
	delay time.Duration
}

func (s *checkSink) Value(k, n int) bool {
	time.Sleep(s.delay)
	if _, ok := s.got[k]; ok {
		s.bad = "twice: " + s.keys[k]
	}
	s.got[k] = make([]byte, n)
	return true
}

func (s *checkSink) Bytes(k int) []byte { return s.got[k] }
func (s *checkSink) Drop(k int)         { delete(s.got, k) }

// check says what is wrong with the values of a streamingServer.
func (s *checkSink) check(size int) string {
	if s.bad != "" {
		return s.bad
	}
	for k, v := range s.got {
		key := s.keys[k]
		if want := bytes.Repeat([]byte(key), size/len(key)+1)[:size]; !bytes.Equal(v, want) {
			return "wrong value for " + key
		}
	}
	return ""
}

// 150k keys over three servers that answer key by key as they read (36 MB
// of values): every server's request and reply are in flight at once, each
// value arrives whole and once.
func TestGetMultiRequestAndRepliesLargerThanBuffers(t *testing.T) {
	addrs := []string{streamingServer(t, 256), streamingServer(t, 256), streamingServer(t, 256)}
	c := testClient(t, strings.Join(addrs, ","), 10*time.Second)
	keys := make([]string, 150000)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
	}
	s := &checkSink{keys: keys, got: map[int][]byte{}}
	start := time.Now()
	failed, err := c.GetMultiTo(KeyList(keys), s)
	if err != nil || len(failed) > 0 {
		t.Fatalf("GetMultiTo: %v, failed %v (after %v)", err, failed, time.Since(start))
	}
	if len(s.got) != len(keys) || s.check(256) != "" {
		t.Fatalf("%d of %d values %s", len(s.got), len(keys), s.check(256))
	}
}

// Values of every size arrive whole: those read through the connection's
// buffer, those read straight into the result (directRead and up), and
// those larger than the buffer.
func TestGetMultiValueSizes(t *testing.T) {
	for _, size := range []int{0, 1, directRead - 1, directRead, 3000, 16<<10 - 1, 16 << 10, 40 << 10} {
		c := testClient(t, streamingServer(t, size), 10*time.Second)
		keys := make([]string, 300)
		for i := range keys {
			keys[i] = "key:" + strconv.Itoa(i)
		}
		s := &checkSink{keys: keys, got: map[int][]byte{}}
		failed, err := c.GetMultiTo(KeyList(keys), s)
		if err != nil || len(failed) > 0 {
			t.Fatalf("size %d: GetMultiTo: %v, failed %v", size, err, failed)
		}
		if len(s.got) != len(keys) || s.check(size) != "" {
			t.Fatalf("size %d: %d of %d values %s", size, len(s.got), len(keys), s.check(size))
		}
	}
}

// memcache.timeout is a limit on waiting for a server: the backend's own
// work (here a sink that takes 300 ms over the values) is not the server's
// slowness, and does not mark it down.
func TestOwnSlownessIsNotATimeout(t *testing.T) {
	m := &memcachedLike{data: map[string]string{}}
	fs := newFakeServerPerConn(t, m.handler)
	c := testClient(t, fs.addr(), 100*time.Millisecond)
	c.cfg.RetryDelay = time.Minute
	keys := make([]string, 60)
	for i := range keys {
		keys[i] = "k" + itoa(i)
		m.data[keys[i]] = "v"
	}
	s := &checkSink{keys: keys, got: map[int][]byte{}, delay: 5 * time.Millisecond}
	failed, err := c.GetMultiTo(KeyList(keys), s)
	if err != nil || len(failed) > 0 || len(s.got) != len(keys) {
		t.Fatalf("GetMultiTo with a slow sink: %d values, %v, failed %v", len(s.got), err, failed)
	}
	if !c.servers[0].downUntil.IsZero() {
		t.Errorf("the server is marked down: %s", c.servers[0].downCause)
	}
	if err := c.GetTo("k1", slowSink{150 * time.Millisecond}); err != nil {
		t.Errorf("GetTo with a slow sink: %v", err)
	}
}

type slowSink struct{ d time.Duration }

func (s slowSink) Value(n int) []byte { time.Sleep(s.d); return make([]byte, n) }

// A server that keeps the call waiting does time out, though it sends a
// byte now and then: the waits add up.
func TestTricklingServerTimesOut(t *testing.T) {
	fs := newFakeServer(t, func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		w.WriteString("VALUE k 0 100\r\n")
		for i := 0; i < 100; i++ {
			w.WriteByte('x')
			w.Flush()
			time.Sleep(30 * time.Millisecond)
		}
		return false
	})
	c := testClient(t, fs.addr(), 200*time.Millisecond)
	c.cfg.RetryDelay = time.Minute
	start := time.Now()
	failed, err := c.GetMultiTo(KeyList{"k", "j"}, &checkSink{keys: []string{"k", "j"}, got: map[int][]byte{}})
	took := time.Since(start)
	if err != nil || len(failed) != 1 || !isTimeout(failed[0]) {
		t.Fatalf("GetMultiTo: %v, failed %v", err, failed)
	}
	if took < 180*time.Millisecond || took > 1500*time.Millisecond {
		t.Errorf("timed out after %v with memcache.timeout 200ms", took)
	}
	if c.servers[0].downUntil.IsZero() {
		t.Error("a server that timed out is not marked down")
	}
}

// Only a timeout marks a server down: a refused connection costs nothing,
// and the next call tries the server again.
func TestRefusedMarksNothingTimeoutMarksDown(t *testing.T) {
	fs := newFakeServer(t, silent)
	refused := fs.addr()
	fs.ln.Close()
	c := testClient(t, refused, time.Second)
	c.cfg.RetryDelay = time.Minute
	for i := 0; i < 2; i++ {
		err := c.Store(VerbSet, "k", []byte("v"), 0)
		if !strings.Contains(err.Error(), "refused") {
			t.Fatalf("set %d to a closed port: %v", i, err)
		}
	}
	if !c.servers[0].downUntil.IsZero() {
		t.Errorf("refused connections marked the server down: %s", c.servers[0].downCause)
	}

	hole := newFakeServer(t, silent)
	c = testClient(t, hole.addr(), 100*time.Millisecond)
	c.cfg.RetryDelay = time.Minute
	if _, err := c.Get("k"); !isTimeout(err) {
		t.Fatalf("get from a silent server: %v", err)
	}
	start := time.Now()
	_, err := c.Get("k")
	if !strings.Contains(err.Error(), "is marked down") || time.Since(start) > 50*time.Millisecond {
		t.Errorf("the next call after a timeout: %v after %v", err, time.Since(start))
	}
}

// Each failure names its server, so that the C side reports repeated
// failures of one server once; a bad key names none.
func TestFailureNamesItsServer(t *testing.T) {
	fs := newFakeServer(t, silent)
	refused := fs.addr()
	fs.ln.Close()
	m := &memcachedLike{data: map[string]string{}}
	ok := newFakeServerPerConn(t, m.handler)
	c := testClient(t, ok.addr()+","+refused, time.Second)
	var onRefused string
	for i := 0; onRefused == ""; i++ {
		if s, _ := c.ServerForKey("k" + itoa(i)); s == refused {
			onRefused = "k" + itoa(i)
		}
	}
	if err := c.Delete(onRefused); FailedServer(err) != refused {
		t.Errorf("delete: %v names %q", err, FailedServer(err))
	}
	if err := c.Delete("bad key"); Classify(err) != CodeBadKey || FailedServer(err) != "" {
		t.Errorf("a bad key: %v names %q", err, FailedServer(err))
	}
	var onOK string
	for i := 0; onOK == ""; i++ {
		if s, _ := c.ServerForKey("a" + itoa(i)); s == ok.addr() {
			onOK = "a" + itoa(i)
		}
	}
	m.data[onOK] = "1"
	keys := []string{onOK, onRefused, onRefused + "x", onRefused + "y"}
	s := &checkSink{keys: keys, got: map[int][]byte{}}
	failed, err := c.GetMultiTo(KeyList(keys), s)
	if err != nil || len(failed) != 1 || FailedServer(failed[0]) != refused || s.got[0] == nil {
		t.Errorf("get_multi: %v, failed %v, values %v", err, failed, s.got)
	}
	res := c.Apply([]Op{{Key: onOK, Value: []byte("2")}, {Key: onRefused, Value: []byte("2")}}, Batch{})
	if FailedServer(res.Err()) != refused {
		t.Errorf("batch: %v names %q", res.Err(), FailedServer(res.Err()))
	}
}

// noRoom has room for the first value only.
type noRoom struct {
	n int
	v []byte
}

func (s *noRoom) Value(k, n int) bool {
	if s.n++; s.n > 1 {
		return false
	}
	s.v = make([]byte, n)
	return true
}

func (s *noRoom) Bytes(k int) []byte { return s.v }
func (s *noRoom) Drop(k int)         {}

// A value the result has no room for fails the call (not the server): the
// connection, in the middle of a reply, is closed, and the server is not
// marked down.
func TestGetMultiNoMemory(t *testing.T) {
	m := &memcachedLike{data: map[string]string{"a": "1", "b": "2", "c": "3"}}
	fs := newFakeServerPerConn(t, m.handler)
	c := testClient(t, fs.addr(), time.Second)
	c.cfg.RetryDelay = time.Minute
	_, err := c.GetMultiTo(KeyList{"a", "b", "c"}, &noRoom{})
	if Classify(err) != CodeNoMemory || FailedServer(err) != "" {
		t.Fatalf("GetMultiTo without room: %v", err)
	}
	if !c.servers[0].downUntil.IsZero() {
		t.Error("the server is marked down")
	}
	got, err := c.GetMulti([]string{"a", "b", "c"})
	if err != nil || len(got) != 3 {
		t.Fatalf("the next call: %v, %v", got, err)
	}
	if fs.accepts.Load() != 2 {
		t.Errorf("%d connections, want 2 (the one left mid-reply is closed)", fs.accepts.Load())
	}
}

// An interrupt ends a get_multi whose servers never make it wait (their
// values keep arriving faster than the backend reads them): the interrupt
// is looked at while values are read, not only when a wait ends.
func TestInterruptEndsAStreamingGetMulti(t *testing.T) {
	addrs := []string{streamingServer(t, 64<<10), streamingServer(t, 64<<10)}
	c := testClient(t, strings.Join(addrs, ","), 10*time.Second)
	keys := make([]string, 4000)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
	}
	// The backend's copy of each value: 4000 values take 4 s.
	s := &checkSink{keys: keys, got: map[int][]byte{}, delay: time.Millisecond}
	interruptAfter(t, 200*time.Millisecond)
	start := time.Now()
	_, err := c.GetMultiTo(KeyList(keys), s)
	late := time.Since(start) - 200*time.Millisecond
	if Classify(err) != CodeInterrupted {
		t.Fatalf("GetMultiTo: %v, want interrupted (%d values read)", err, len(s.got))
	}
	if late > 150*time.Millisecond {
		t.Errorf("interrupt noticed %v after it was raised (%d values read)", late, len(s.got))
	}
}

// A large reply that streams steadily but takes longer in all than
// memcache.timeout (a busy machine, a big get_multi) is not a slow server:
// it never stops for memcache.timeout, and the whole wait allowed grows
// with each MB it sends.
func TestLargeSteadyReplyIsNotATimeout(t *testing.T) {
	const size = 256 << 10
	value := strings.Repeat("v", size)
	fs := newFakeServer(t, func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		for _, k := range strings.Fields(line)[1:] {
			time.Sleep(30 * time.Millisecond) // 120 ms a MB
			w.WriteString("VALUE " + k + " 0 " + itoa(size) + "\r\n" + value + "\r\n")
			w.Flush()
		}
		w.WriteString("END\r\n")
		return true
	})
	c := testClient(t, fs.addr(), 300*time.Millisecond)
	c.cfg.RetryDelay = time.Minute
	keys := make([]string, 16) // 4 MB in about 480 ms
	for i := range keys {
		keys[i] = "k" + itoa(i)
	}
	s := &checkSink{keys: keys, got: map[int][]byte{}}
	start := time.Now()
	failed, err := c.GetMultiTo(KeyList(keys), s)
	took := time.Since(start)
	if err != nil || len(failed) > 0 || len(s.got) != len(keys) {
		t.Fatalf("GetMultiTo: %d of %d values in %v, %v, failed %v", len(s.got), len(keys), took, err, failed)
	}
	if took < 350*time.Millisecond {
		t.Errorf("the reply took %v, not longer than memcache.timeout: the test shows nothing", took)
	}
	if !c.servers[0].downUntil.IsZero() {
		t.Errorf("the server is marked down: %s", c.servers[0].downCause)
	}
}

// listenLocal listens on a free loopback port until the test ends.
func listenLocal(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// lineServer answers each get line whole, as memcached does, and reports
// the length of every line it read (CRLF included) on lines.
func lineServer(t *testing.T, lines chan<- int) string {
	t.Helper()
	ln := listenLocal(t)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReaderSize(c, 64<<10)
		w := bufio.NewWriter(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			lines <- len(line)
			for _, k := range strings.Fields(strings.TrimPrefix(line, "get ")) {
				w.WriteString("VALUE " + k + " 0 " + strconv.Itoa(len(k)) + "\r\n" + k + "\r\n")
			}
			w.WriteString("END\r\n")
			if w.Flush() != nil {
				return
			}
		}
	}()
	return ln.Addr().String()
}

// A long key list goes out as get lines of at most getLine bytes (one line
// of 500k keys made memcached search its buffer for the line's end until
// memcache.timeout passed), each answered in turn; a few keys stay one line.
func TestGetMultiSplitsLongLines(t *testing.T) {
	for _, n := range []int{1, 100, 20000} {
		lines := make(chan int, 100000)
		c := testClient(t, lineServer(t, lines), 10*time.Second)
		c.cfg.Prefix = "p:"
		keys := make([]string, n)
		for i := range keys {
			keys[i] = strconv.Itoa(i)
			if i%1000 == 7 {
				keys[i] += strings.Repeat("x", 240) // 250 bytes with the prefix
			}
		}
		s := &checkSink{keys: keys, got: map[int][]byte{}}
		failed, err := c.GetMultiTo(KeyList(keys), s)
		if err != nil || len(failed) > 0 {
			t.Fatalf("%d keys: GetMultiTo: %v, failed %v", n, err, failed)
		}
		for k, v := range s.got {
			if string(v) != "p:"+keys[k] {
				t.Fatalf("%d keys: key %q got %q", n, keys[k], v)
			}
		}
		if len(s.got) != n {
			t.Fatalf("%d keys: %d values", n, len(s.got))
		}
		// every line was reported before its reply was written
		count, longest := 0, 0
		for len(lines) > 0 {
			l := <-lines
			count++
			if l > longest {
				longest = l
			}
		}
		if longest > getLine || n <= 100 && count != 1 || n > 100 && count < n*7/getLine {
			t.Fatalf("%d keys: %d lines, the longest %d bytes", n, count, longest)
		}
		// the connection went back to the pool, in step: a single call works
		if v, err := c.Get("0"); err != nil || string(v) != "p:0" {
			t.Fatalf("%d keys: then get: %q, %v", n, v, err)
		}
	}
}
