package mc

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// trickle answers a get with a value of a million bytes, one byte every
// 2 ms: every wait of the client ends with data, never empty.
func trickle(line string, r *bufio.Reader, w *bufio.Writer) bool {
	w.WriteString("VALUE " + strings.Fields(line)[1] + " 0 1000000\r\n")
	w.Flush()
	for i := 0; i < 1000000; i++ {
		if w.WriteByte('x') != nil || w.Flush() != nil {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return false
}

// inBackendRuntime runs the calling test again in a child process with
// asynchronous preemption off, as in a backend (see the README, "How it
// works"), and reports whether this is that child. Under go test the
// runtime's preemption signals interrupt the blocking receives with EINTR,
// which checks for interrupts on its own and would hide the defect tested.
func inBackendRuntime(t *testing.T) bool {
	if os.Getenv("MC_TEST_CHILD") == t.Name() {
		return true
	}
	// a time limit of its own: a child that never sees the interrupt
	// fails here, not at go test's 10 minutes
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.v", "-test.timeout=60s")
	cmd.Env = append(os.Environ(), "MC_TEST_CHILD="+t.Name(), "GODEBUG=asyncpreemptoff=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("%s without preemption: %v\n%s", t.Name(), err, out)
	}
	return false
}

// A server that keeps sending a little at a time must not keep a call from
// seeing an interrupt: the waits that end with data add up to a Slice, and
// then the call looks.
func TestInterruptEndsATrickle(t *testing.T) {
	if !inBackendRuntime(t) {
		return
	}
	fs := newFakeServer(t, trickle)
	c := testClient(t, fs.addr(), 10*time.Second)
	interruptAfter(t, 100*time.Millisecond)
	start := time.Now()
	_, err := c.Get("k")
	wantInterrupted(t, "Get from a trickling server", err, start.Add(100*time.Millisecond))
}

// The same server times out: its whole wait passes memcache.timeout (it
// moves well under a MB), although no single wait is long.
func TestTrickleTimesOutWithoutPreemption(t *testing.T) {
	if !inBackendRuntime(t) {
		return
	}
	fs := newFakeServer(t, trickle)
	c := testClient(t, fs.addr(), 200*time.Millisecond)
	start := time.Now()
	_, err := c.Get("k")
	took := time.Since(start)
	t.Logf("err %v after %v", err, took)
	if Classify(err) != CodeNetwork || !strings.Contains(err.Error(), "memcache.timeout") {
		t.Fatalf("Get from a trickling server: %v (%v)", err, Classify(err))
	}
	if took < 150*time.Millisecond || took > 700*time.Millisecond {
		t.Errorf("Get took %v with memcache.timeout 200ms", took)
	}
}

// slowReader takes a set's bytes 16 kB at a time, one read every 2 ms.
func slowReader(line string, r *bufio.Reader, w *bufio.Writer) bool {
	buf := make([]byte, 16<<10)
	for {
		if _, err := r.Read(buf); err != nil {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// The same for a server that takes a large value a little at a time.
func TestInterruptEndsASlowSend(t *testing.T) {
	if !inBackendRuntime(t) {
		return
	}
	fs := newFakeServer(t, slowReader)
	c := testClient(t, fs.addr(), 10*time.Second)
	interruptAfter(t, 100*time.Millisecond)
	start := time.Now()
	err := c.Store(0, "k", make([]byte, 64<<20), 0)
	wantInterrupted(t, "Store to a slow server", err, start.Add(100*time.Millisecond))
}

// get_multi over two trickling servers waits for both with poll, which
// always finds one ready.
func TestInterruptEndsATrickleToGetMulti(t *testing.T) {
	if !inBackendRuntime(t) {
		return
	}
	a, b := newFakeServer(t, trickle), newFakeServer(t, trickle)
	c := testClient(t, a.addr()+","+b.addr(), 10*time.Second)
	interruptAfter(t, 100*time.Millisecond)
	keys := make([]string, 20)
	for i := range keys {
		keys[i] = "k" + strings.Repeat("x", i)
	}
	start := time.Now()
	_, err := c.GetMulti(keys)
	wantInterrupted(t, "GetMulti from trickling servers", err, start.Add(100*time.Millisecond))
	if a.accepts.Load() == 0 || b.accepts.Load() == 0 {
		t.Errorf("the keys went to one server only (%d, %d connections)", a.accepts.Load(), b.accepts.Load())
	}
}
