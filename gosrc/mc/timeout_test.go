package mc

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// What memcache.timeout means: a server times out after it moved nothing
// for that long, or when the whole wait passes it and as long again per MB
// (TestTricklingServerTimesOut); a steady large reply does not time out
// (TestLargeSteadyReplyIsNotATimeout). Bytes moved earlier in the call do
// not buy a server that stops more time.

// A server that sends 8 MB and then stops mid-reply times out about
// memcache.timeout after it stopped.
func TestStopAfterLargeTransferTimesOut(t *testing.T) {
	const size = 512 << 10
	value := strings.Repeat("v", size)
	fs := newFakeServer(t, func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		for _, k := range strings.Fields(line)[1:17] {
			w.WriteString("VALUE " + k + " 0 " + itoa(size) + "\r\n" + value + "\r\n")
		}
		w.Flush()
		time.Sleep(time.Hour)
		return true
	})
	c := testClient(t, fs.addr(), 200*time.Millisecond)
	c.cfg.RetryDelay = time.Minute
	keys := make([]string, 20)
	for i := range keys {
		keys[i] = "k" + itoa(i)
	}
	start := time.Now()
	failed, err := c.GetMultiTo(KeyList(keys), &checkSink{keys: keys, got: map[int][]byte{}})
	took := time.Since(start)
	if err != nil || len(failed) != 1 || !isTimeout(failed[0]) {
		t.Fatalf("GetMultiTo: %v, failed %v", err, failed)
	}
	if took > 1200*time.Millisecond {
		t.Errorf("a server that stopped after 8 MB timed out after %v with memcache.timeout 200ms", took)
	}
}

// A batch of sets to a server that reads nothing times out about
// memcache.timeout after the kernel's buffers took what they could.
func TestSetsToServerThatReadsNothingTimeOut(t *testing.T) {
	fs := newFakeServer(t, silent)
	c := testClient(t, fs.addr(), 200*time.Millisecond)
	c.cfg.RetryDelay = time.Minute
	v := []byte(strings.Repeat("x", 256<<10))
	var ops []Op
	for i := 0; i < 64; i++ {
		ops = append(ops, Op{Key: "k" + itoa(i), Value: v})
	}
	start := time.Now()
	res := c.Apply(ops, Batch{})
	took := time.Since(start)
	if res.First == nil || !isTimeout(res.First) {
		t.Fatalf("Apply to a server that reads nothing: %v", res.First)
	}
	if took > 800*time.Millisecond {
		t.Errorf("16 MB of sets to a server that reads nothing timed out after %v with memcache.timeout 200ms", took)
	}
}

// A commit-time send ends at its deadline over TLS too: closing the
// connection sends TLS's closing alert, for which crypto/tls sets 5 s of
// its own; that must not carry the call past its end.
func TestTLSCloseKeepsTheDeadline(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "memcached.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				c.(*tls.Conn).Handshake()
				time.Sleep(time.Minute) // reads nothing more
			}(c)
		}
	}()
	c, err := NewClient(Config{Servers: ln.Addr().String(), Timeout: 35 * time.Minute,
		Security: SecurityConfig{TLS: true, InsecureSkipVerify: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	v := []byte(strings.Repeat("x", 16<<20))
	start := time.Now()
	res := c.Apply([]Op{{Key: "k0", Value: v}, {Key: "k1", Value: v}}, Batch{Deadline: time.Now().Add(time.Second)})
	took := time.Since(start)
	if res.First == nil {
		t.Fatal("Apply to a server that reads nothing succeeded")
	}
	if took > 2500*time.Millisecond {
		t.Errorf("a send with 1 s left took %v: %v", took, res.First)
	}
}

// A server that answers nothing times out with the message that names
// memcache.timeout alone (what failover.sh and the README show).
func TestSilentServerMessage(t *testing.T) {
	const want = "timed out after 200 ms (memcache.timeout)"
	fs := newFakeServer(t, silent)
	c := testClient(t, fs.addr(), 200*time.Millisecond)
	if err := c.GetTo("k", &byteSink{}); err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("get: %v; want the message to end %q", err, want)
	}
	c.servers[0].downUntil = time.Time{}
	keys := []string{"a", "b"}
	failed, err := c.GetMultiTo(KeyList(keys), &checkSink{keys: keys, got: map[int][]byte{}})
	if err != nil || len(failed) != 1 || !strings.HasSuffix(failed[0].Error(), want) {
		t.Errorf("get_multi: %v, failed %v; want the message to end %q", err, failed, want)
	}
}

// With memcache.server_retry_delay = 0 nothing is marked down: a batch
// remembers the servers that timed out in it, so that a hung server costs
// memcache.timeout once, not once per chunk of 4096 (three chunks here, in
// two Apply calls, as a COMMIT's chunks come), and the other server's
// operations all take effect.
func TestBatchWaitsForAHungServerOnce(t *testing.T) {
	hung := newFakeServer(t, silent)
	ok := newFakeServer(t, func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		if strings.HasPrefix(line, "set ") {
			r.ReadString('\n')
			w.WriteString("STORED\r\n")
		}
		return true
	})
	c := testClient(t, hung.addr()+","+ok.addr(), 200*time.Millisecond)
	c.cfg.RetryDelay = 0
	var ops []Op
	for i := 0; i < 3*chunkOps; i++ {
		ops = append(ops, Op{Key: "k" + itoa(i), Value: []byte("v")})
	}
	b := Batch{TimedOut: map[string]error{}}
	start := time.Now()
	r1 := c.Apply(ops[:2*chunkOps], b)
	r2 := c.Apply(ops[2*chunkOps:], b)
	took := time.Since(start)
	if r1.First == nil || !isTimeout(r1.First) || r2.First == nil || !isTimeout(r2.First) {
		t.Fatalf("batch to a hung server: %v / %v", r1.First, r2.First)
	}
	if r1.Done+r1.Failed+r2.Done+r2.Failed != len(ops) || r1.Done+r2.Done == 0 {
		t.Fatalf("done %d+%d, failed %d+%d of %d", r1.Done, r2.Done, r1.Failed, r2.Failed, len(ops))
	}
	if took > 450*time.Millisecond {
		t.Errorf("3 chunks to a hung server (memcache.timeout 200ms, no retry delay) took %v: waited for it again per chunk", took)
	}
}
