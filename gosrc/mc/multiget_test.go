package mc

import (
	"strconv"
	"strings"
	"testing"
)

func TestParseValueLine(t *testing.T) {
	k, n, err := parseValueLine([]byte("VALUE user:1 0 5\r\n"))
	if err != nil || k != "user:1" || n != 5 {
		t.Fatalf("= %q, %d, %v", k, n, err)
	}
	for _, bad := range []string{"END\r\n", "VALUE k 0\r\n", "VALUE k 0 -1\r\n", "VALUE k x 5\r\n",
		"VALUE k 0 99999999999\r\n", "VALUE k 0 5 1 2\r\n", "SERVER_ERROR out of memory\r\n"} {
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
		if n < 0 || n > maxValueLen || k == "" || strings.ContainsAny(k, " \r\n") {
			t.Fatalf("%q gave key %q, length %d", line, k, n)
		}
		if f := strings.Fields(string(line)); strconv.Itoa(n) != strings.TrimLeft(strings.TrimPrefix(f[3], "+"), "0") && n != 0 {
			t.Fatalf("%q: length %d", line, n)
		}
	})
}
