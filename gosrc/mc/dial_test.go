package mc

import (
	"context"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// blackHole is an address whose connects never complete: a socket that
// listens with a backlog of 0, is never accepted from and has its queue
// filled, so that the kernel drops every further SYN.
func blackHole(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	port := sa.(*syscall.SockaddrInet4).Port
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for i := 0; i < 8; i++ {
		c, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC|syscall.SOCK_NONBLOCK, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Close(c) })
		syscall.Connect(c, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: port})
	}
	time.Sleep(50 * time.Millisecond)
	if _, err := dial(context.Background(), "tcp", addr, 100*time.Millisecond, time.Time{}); err == nil || !isTimeout(err) {
		t.Skipf("this kernel completes connects to a full queue (%v): no black hole here", err)
	}
	return addr
}

// Three servers whose connects never complete cost a call one
// memcache.timeout, not three: their connects wait together (dialAhead),
// in get_multi, batches (set_multi, commit-time writes), stats, and
// memcache_servers' probe.
func TestConnectsToSeveralServersWaitTogether(t *testing.T) {
	addrs := []string{blackHole(t), blackHole(t), blackHole(t)}
	c := testClient(t, strings.Join(addrs, ","), 300*time.Millisecond)
	c.cfg.RetryDelay = 0
	keys := make([]string, 60)
	var ops []Op
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
		ops = append(ops, Op{Key: keys[i], Value: []byte("v")})
	}
	check := func(what string, run func() (failed int)) {
		t.Helper()
		start := time.Now()
		failed := run()
		took := time.Since(start)
		if failed != 3 {
			t.Errorf("%s: %d servers failed, want 3", what, failed)
		}
		if took > 700*time.Millisecond {
			t.Errorf("%s over 3 servers that never answer a connect took %v (memcache.timeout 300ms): connected one after another", what, took)
		}
	}
	check("get_multi", func() int {
		failed, err := c.GetMultiTo(KeyList(keys), &mapSink{keys: keys, m: map[string][]byte{}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range failed {
			if !isTimeout(e) {
				t.Errorf("get_multi: %v", e)
			}
		}
		return len(failed)
	})
	check("a batch", func() int {
		res := c.Apply(ops, Batch{})
		if res.Failed != len(ops) || !isTimeout(res.First) {
			t.Errorf("batch: %d failed, first %v", res.Failed, res.First)
		}
		return 3
	})
	check("stats", func() int {
		c.start()
		n := 0
		for _, err := range c.broadcast(cmdVersion, func(int, *conn) error { return nil }) {
			if err != nil && isTimeout(err) {
				n++
			}
		}
		return n
	})
	check("probe", func() int {
		n := 0
		for _, p := range c.Probe() {
			if p.Err != "" {
				n++
			}
		}
		return n
	})
}

// An interrupt while connects wait together ends the call at once: the
// servers still connecting get the interrupt, and are not dialed again one
// after another.
func TestInterruptEndsConnectsTogether(t *testing.T) {
	var addrs []string
	for i := 0; i < 8; i++ {
		addrs = append(addrs, blackHole(t))
	}
	c := testClient(t, strings.Join(addrs, ","), 2*time.Second)
	keys := make([]string, 200)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
	}
	raised := time.Now().Add(50 * time.Millisecond)
	interruptAfter(t, 50*time.Millisecond)
	failed, err := c.GetMultiTo(KeyList(keys), &mapSink{keys: keys, m: map[string][]byte{}})
	if err == nil { // each server's connect ended by it (C sees the interrupt after the call)
		if len(failed) != len(addrs) {
			t.Fatalf("%d of %d servers failed", len(failed), len(addrs))
		}
		err = failed[0]
	}
	wantInterrupted(t, "get_multi connecting to 8 servers", err, raised)
}
