package mc

import (
	"bufio"
	"strings"
	"testing"
	"time"
)

// replies answers each storage or counter command with a fixed line.
func replies(reply string) func(string, *bufio.Reader, *bufio.Writer) bool {
	return func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		if f := strings.Fields(line); len(f) == 5 && (f[0] == "set" || f[0] == "add") {
			var n int
			for _, ch := range f[4] {
				n = n*10 + int(ch-'0')
			}
			r.Discard(n + 2)
		}
		w.WriteString(reply)
		return true
	}
}

func TestServerReplies(t *testing.T) {
	cases := []struct {
		reply string
		run   func(c *Client) error
		want  Code
	}{
		{"SERVER_ERROR object too large for cache\r\n", func(c *Client) error { return c.Store(0, "k", []byte("v"), 0) }, CodeTooLarge},
		{"NOT_STORED\r\n", func(c *Client) error { return c.Store(1, "k", []byte("v"), 0) }, CodeMiss},
		{"CLIENT_ERROR cannot increment or decrement non-numeric value\r\n", func(c *Client) error { _, err := c.IncrDecr(false, "k", 1); return err }, CodeNonNumeric},
		{"NOT_FOUND\r\n", func(c *Client) error { _, err := c.IncrDecr(false, "k", 1); return err }, CodeMiss},
		{"END\r\n", func(c *Client) error { _, err := c.Get("k"); return err }, CodeMiss},
		{"SERVER_ERROR out of memory storing object\r\n", func(c *Client) error { return c.Store(0, "k", []byte("v"), 0) }, CodeServer},
	}
	for _, tc := range cases {
		fs := newFakeServer(t, replies(tc.reply))
		c := testClient(t, fs.addr(), time.Second)
		if got := Classify(tc.run(c)); got != tc.want {
			t.Errorf("reply %q: code %d, want %d", tc.reply, got, tc.want)
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
