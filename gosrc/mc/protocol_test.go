package mc

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

func TestParseValueLine(t *testing.T) {
	k, n, err := parseValueLine([]byte("VALUE user:1 0 5\r\n"))
	if err != nil || string(k) != "user:1" || n != 5 {
		t.Fatalf("= %q, %d, %v", k, n, err)
	}
	for _, bad := range []string{"END\r\n", "VALUE k 0\r\n", "VALUE k 0 -1\r\n", "VALUE k x 5\r\n",
		"VALUE k 0 99999999999\r\n", "VALUE k 0 5 1 2\r\n", "SERVER_ERROR out of memory\r\n",
		"VALUE k 0 +5\r\n", "VALUE k  0 5\r\n", "VALUE k 0 5", "VALUE k 0 5 \r\n", "VALUE k\t1 0 5\r\n",
		"VALUE k 4294967296 5\r\n"} {
		if _, _, err := parseValueLine([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Whatever a server sends, the parser never panics and never announces a
// length it would not be able to allocate.
func FuzzParseValueLine(f *testing.F) {
	for _, s := range []string{"VALUE k 0 5\r\n", "VALUE k 0 5 12\r\n", "END\r\n", "VALUE  0 1\r\n", "VALUE k 4294967296 1\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		k, n, err := parseValueLine(line)
		if err != nil {
			return
		}
		if n < 0 || n > maxValueLen || len(k) == 0 || bytes.ContainsAny(k, " \t\r\n\x00\x7f") {
			t.Fatalf("%q gave key %q, length %d", line, k, n)
		}
		// What it accepts, a lenient reading agrees with.
		f := strings.Fields(string(line))
		if l, err := strconv.Atoi(f[3]); f[0] != "VALUE" || f[1] != string(k) || err != nil || l != n {
			t.Fatalf("%q: key %q, length %d", line, k, n)
		}
	})
}
