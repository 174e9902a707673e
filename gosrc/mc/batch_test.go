package mc

import (
	"bufio"
	"strings"
	"testing"
	"time"
)

// storeServer stores everything but keys starting with "big", which it
// refuses as too large.
func storeServer(line string, r *bufio.Reader, w *bufio.Writer) bool {
	f := strings.Fields(line)
	switch f[0] {
	case "set":
		var n int
		for _, ch := range f[4] {
			n = n*10 + int(ch-'0')
		}
		r.Discard(n + 2)
		if strings.HasPrefix(f[1], "big") {
			w.WriteString("SERVER_ERROR object too large for cache\r\n")
		} else {
			w.WriteString("STORED\r\n")
		}
	case "delete":
		w.WriteString("NOT_FOUND\r\n")
	}
	return true
}

func TestApplyPipelinesAndCounts(t *testing.T) {
	fs := newFakeServer(t, storeServer)
	c := testClient(t, fs.addr(), time.Second)
	ops := []Op{{Key: "a", Value: []byte("1")}, {Key: "big", Value: []byte("x")}, {Delete: true, Key: "gone"}}
	res := c.Apply(ops, Batch{})
	err := res.Err()
	if res.Done != 2 || res.FirstAt != 1 || Classify(err) != CodeTooLarge || !strings.Contains(err.Error(), "1 of 3 operations failed") {
		t.Fatalf("Apply = %+v, %v", res, err)
	}
	if fs.accepts.Load() != 1 {
		t.Errorf("%d connections for one batch", fs.accepts.Load())
	}
}

// One bad operation fails alone: the others before and after it are sent.
func TestApplyBadKeyFailsAlone(t *testing.T) {
	fs := newFakeServer(t, storeServer)
	c := testClient(t, fs.addr(), time.Second)
	ops := []Op{{Delete: true, Key: "d"}, {Key: "bad key", Value: []byte("x")}, {Key: "c", Value: []byte("v")}}
	res := c.Apply(ops, Batch{Prefix: "p:"})
	if res.Done != 2 || res.Failed != 1 || res.FirstAt != 1 || Classify(res.First) != CodeBadKey {
		t.Fatalf("Apply = %+v", res)
	}
	got := fs.received()
	if len(got) != 2 || got[0] != "delete p:d" || !strings.HasPrefix(got[1], "set p:c 0 0 1") {
		t.Errorf("server received %q", got)
	}
}

// A batch larger than a chunk is sent whole, in order, and each chunk's
// failures are counted where they are.
func TestApplyChunks(t *testing.T) {
	fs := newFakeServer(t, storeServer)
	c := testClient(t, fs.addr(), time.Second)
	ops := make([]Op, 2*chunkOps+10)
	for i := range ops {
		ops[i] = Op{Key: "k" + strings.Repeat("x", i%7), Value: []byte("v")}
	}
	ops[chunkOps+3].Key = "big1"
	res := c.Apply(ops, Batch{})
	if res.Done != len(ops)-1 || res.Failed != 1 || res.FirstAt != chunkOps+3 {
		t.Fatalf("Apply = %+v", res)
	}
}

// Past the deadline nothing more is sent, and what was not sent failed.
func TestApplyDeadline(t *testing.T) {
	fs := newFakeServer(t, storeServer)
	c := testClient(t, fs.addr(), time.Second)
	res := c.Apply([]Op{{Key: "a", Value: []byte("1")}}, Batch{Deadline: time.Now().Add(-time.Millisecond)})
	if res.Done != 0 || res.Failed != 1 || res.First != errDeadline {
		t.Fatalf("Apply = %+v", res)
	}
	if got := fs.received(); len(got) != 0 {
		t.Errorf("server received %q", got)
	}
}

func TestCheckOp(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	if _, err := CheckOp("p:", strings.Repeat("k", 249), 0, false, clock); Classify(err) != CodeBadKey {
		t.Errorf("key too long with its prefix: %v", err)
	}
	if e, err := CheckOp("", "k", 60, false, clock); err != nil || e != 60 {
		t.Errorf("60 s: %d, %v", e, err)
	}
	if e, err := CheckOp("", "k", 31*86400, false, clock); err != nil || e != int32(now.Unix()+31*86400) {
		t.Errorf("31 days: %d, %v", e, err)
	}
	if _, err := CheckOp("", "k", 20*365*86400, false, clock); Classify(err) != CodeBadArg {
		t.Errorf("20 years: %v", err)
	}
}

func TestRoutes(t *testing.T) {
	c := testClient(t, "127.0.0.1:1", time.Second)
	cfg := c.cfg
	cfg.Prefix, cfg.Timeout = "other:", time.Hour
	if !c.Routes(cfg) {
		t.Error("prefix and timeout do not change where keys go")
	}
	cfg.Servers = "127.0.0.1:2"
	if c.Routes(cfg) {
		t.Error("another server list routes elsewhere")
	}
}
