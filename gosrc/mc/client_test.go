package mc

import (
	"bufio"
	"strings"
	"testing"
	"time"
)

// replies answers each command with a fixed line.
func replies(reply string) func(string, *bufio.Reader, *bufio.Writer) bool {
	return func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		if f := strings.Fields(line); len(f) == 5 || len(f) == 6 && f[0] == "cas" {
			r.Discard(atoi(f[4]) + 2) // a storage command's data block
		}
		w.WriteString(reply)
		return true
	}
}

// One mapping from reply to result, for every command: the result code,
// and whether the connection stays in the pool (a line that answers no
// such command means it is out of step).
func TestServerReplies(t *testing.T) {
	store := func(v Verb) func(c *Client) error {
		return func(c *Client) error { return c.Store(v, "k", []byte("v"), 0) }
	}
	incr := func(c *Client) error { _, err := c.IncrDecr(false, "k", 1); return err }
	get := func(c *Client) error { _, err := c.Get("k"); return err }
	del := func(c *Client) error { return c.Delete("k") }
	touch := func(c *Client) error { return c.Touch("k", 1) }
	flush := func(c *Client) error { return c.FlushAll() }
	cas := func(c *Client) error { return c.CompareAndSwap("k", []byte("v"), 0, 7) }
	gets := func(c *Client) error { _, err := c.GetsTo("k", &byteSink{}); return err }
	gat := func(c *Client) error { return c.GatTo("k", 5, &byteSink{}) }
	cases := []struct {
		reply  string
		run    func(c *Client) error
		want   Code
		pooled bool
	}{
		{"STORED\r\n", store(VerbSet), CodeOK, true},
		{"STORED\r\n", store(VerbPrepend), CodeOK, true},
		{"SERVER_ERROR object too large for cache\r\n", store(VerbSet), CodeTooLarge, true},
		{"SERVER_ERROR object too large for cache\r\n", store(VerbAppend), CodeTooLarge, true},
		{"NOT_STORED\r\n", store(VerbAdd), CodeMiss, true},
		{"NOT_STORED\r\n", store(VerbReplace), CodeMiss, true},
		{"NOT_STORED\r\n", store(VerbAppend), CodeMiss, true},
		{"SERVER_ERROR out of memory storing object\r\n", store(VerbSet), CodeServer, true},
		{"CLIENT_ERROR unauthenticated\r\n", store(VerbSet), CodeServer, true},
		{"ERROR\r\n", store(VerbSet), CodeServer, false},
		{"DELETED\r\n", store(VerbSet), CodeServer, false},
		{"CLIENT_ERROR cannot increment or decrement non-numeric value\r\n", incr, CodeNonNumeric, true},
		{"NOT_FOUND\r\n", incr, CodeMiss, true},
		{"42\r\n", incr, CodeOK, true},
		{"STORED\r\n", incr, CodeServer, false},
		{"END\r\n", get, CodeMiss, true},
		{"DELETED\r\n", del, CodeOK, true},
		{"NOT_FOUND\r\n", del, CodeMiss, true},
		{"TOUCHED\r\n", touch, CodeOK, true},
		{"NOT_FOUND\r\n", touch, CodeMiss, true},
		{"OK\r\n", flush, CodeOK, true},
		{"SERVER_ERROR busy\r\n", flush, CodeServer, false},
		{"STORED\r\n", cas, CodeOK, true},
		{"EXISTS\r\n", cas, CodeMiss, true},
		{"NOT_FOUND\r\n", cas, CodeMiss, true},
		{"SERVER_ERROR object too large for cache\r\n", cas, CodeTooLarge, true},
		{"ERROR\r\n", cas, CodeServer, false},
		{"END\r\n", gets, CodeMiss, true},
		{"VALUE k 0 1 99\r\nv\r\nEND\r\n", gets, CodeOK, true},
		{"VALUE x 0 1 99\r\nv\r\nEND\r\n", gets, CodeServer, false},
		{"END\r\n", gat, CodeMiss, true},
		{"VALUE k 0 1\r\nv\r\nEND\r\n", gat, CodeOK, true},
		{"STORED\r\n", gat, CodeServer, false},
	}
	for _, tc := range cases {
		fs := newFakeServer(t, replies(tc.reply))
		c := testClient(t, fs.addr(), time.Second)
		err := tc.run(c)
		if got := Classify(err); got != tc.want {
			t.Errorf("%s: reply %q: code %d (%v), want %d", fs.received()[0], tc.reply, got, err, tc.want)
		}
		if pooled := c.servers[0].idle != nil; pooled != tc.pooled {
			t.Errorf("%s: reply %q: connection pooled %v, want %v", fs.received()[0], tc.reply, pooled, tc.pooled)
		}
	}
}

func TestPrefixIsAddedAndStripped(t *testing.T) {
	fs := newFakeServer(t, func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		if strings.HasPrefix(line, "get ") {
			w.WriteString("VALUE p:key 0 1\r\nv\r\nEND\r\n")
		}
		return true
	})
	c, err := NewClient(Config{Servers: fs.addr(), Prefix: "p:", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := c.GetMulti([]string{"key"})
	if err != nil || string(got["key"]) != "v" {
		t.Fatalf("GetMulti = %v, %v", got, err)
	}
	if lines := fs.received(); len(lines) != 1 || lines[0] != "get p:key" {
		t.Errorf("server received %q", lines)
	}
	// Valid alone, too long with the prefix: refused before anything is sent.
	if err := c.Store(0, strings.Repeat("k", 249), []byte("v"), 0); Classify(err) != CodeBadKey {
		t.Errorf("249-byte key with a 2-byte prefix: %v", err)
	}
	if lines := fs.received(); len(lines) != 1 {
		t.Errorf("server received %q after a refused key", lines)
	}
}

func TestStatsFromAServer(t *testing.T) {
	fs := newFakeServer(t, func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		w.WriteString("STAT pid 1\r\nSTAT uptime 2\r\nEND\r\n")
		return true
	})
	c := testClient(t, fs.addr(), time.Second)
	stats, err := c.Stats()
	if err != nil || len(stats) != 2 || stats[0] != (Stat{fs.addr(), "pid", "1"}) || stats[1].Name != "uptime" {
		t.Fatalf("Stats = %v, %v", stats, err)
	}
}
