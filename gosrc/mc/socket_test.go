package mc

import (
	"bufio"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestTimeoutBoundsACall(t *testing.T) {
	fs := newFakeServer(t, silent)
	c := testClient(t, fs.addr(), 200*time.Millisecond)
	start := time.Now()
	_, err := c.Get("k")
	took := time.Since(start)
	if Classify(err) != CodeNetwork || !strings.Contains(err.Error(), "memcache.timeout") {
		t.Fatalf("Get on a silent server: %v (%v)", err, Classify(err))
	}
	if took < 150*time.Millisecond || took > 700*time.Millisecond {
		t.Errorf("Get took %v with memcache.timeout 200ms", took)
	}
}

func TestInterruptEndsAWaitWithinASlice(t *testing.T) {
	fs := newFakeServer(t, silent)
	c := testClient(t, fs.addr(), 10*time.Second)
	interruptAfter(t, 100*time.Millisecond)
	start := time.Now()
	_, err := c.Get("k")
	wantInterrupted(t, "Get", err, start.Add(100*time.Millisecond))
}

func TestFailedConnectionIsNotReused(t *testing.T) {
	var n atomic.Int32
	fs := newFakeServer(t, func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		if n.Add(1) == 1 {
			time.Sleep(400 * time.Millisecond) // answer the first get too late
		}
		w.WriteString("VALUE k 0 1\r\nv\r\nEND\r\n")
		return true
	})
	c := testClient(t, fs.addr(), 100*time.Millisecond)
	if _, err := c.Get("k"); Classify(err) != CodeNetwork {
		t.Fatalf("first Get: %v, want a timeout", err)
	}
	c.servers[0].downUntil = time.Time{}
	v, err := c.Get("k")
	if err != nil || string(v) != "v" {
		t.Fatalf("second Get = %q, %v", v, err)
	}
	if fs.accepts.Load() != 2 {
		t.Errorf("%d connections accepted, want 2 (the timed-out one must be dropped)", fs.accepts.Load())
	}
}

func TestConnectionRefused(t *testing.T) {
	fs := newFakeServer(t, silent)
	addr := fs.addr()
	fs.ln.Close()
	c := testClient(t, addr, time.Second)
	start := time.Now()
	err := c.Store(0, "k", []byte("v"), 0)
	if Classify(err) != CodeNetwork || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("Store to a closed port: %v", err)
	}
	if time.Since(start) > 200*time.Millisecond {
		t.Errorf("refused took %v", time.Since(start))
	}
}
