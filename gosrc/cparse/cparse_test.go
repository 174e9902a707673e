package cparse

import (
	"strings"
	"testing"

	"memcache/gosrc/mc"
)

// agree checks that the C parser accepts what the Go parser accepts, finds
// the same servers, and (for ASCII input, which it quotes the same way)
// says the same thing about a bad entry.
func agree(t *testing.T, in string) {
	t.Helper()
	if strings.IndexByte(in, 0) >= 0 {
		return // a setting never holds a NUL byte
	}
	want, werr := mc.ParseServers(in)
	got, gerr := ParseServers(in)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%q: Go says %v, C says %v", in, werr, gerr)
	}
	if werr != nil {
		if isASCII(in) && werr.Error() != gerr.Error() {
			t.Fatalf("%q: Go says %q, C says %q", in, werr, gerr)
		}
		return
	}
	if len(want) != len(got) {
		t.Fatalf("%q: Go finds %v, C finds %v", in, want, got)
	}
	for i := range want {
		if want[i].Network != got[i].Network || want[i].Addr != got[i].Addr {
			t.Fatalf("%q: entry %d: Go %v, C %v", in, i+1, want[i], got[i])
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

var seeds = []string{
	"", "  ", "host", "host:1234", "127.0.0.1", "[::1]:22122", "[::1]", "/tmp/mc.sock",
	"a:1, b:2 ,c", "host:abc", "host:99999", "host:0", "host:+5", "host:-5", ":11211",
	"a,,b", "a,", ",", "host name:11211", "[::1", "[::1]x", "[nothex]:1", "1.2.3.4:5:6",
	"ok:1,bad@host", "h:1:2", "h:1 2", "h 2", "h:1:2:3", "h:x:2", " 2", "h: 2", "[::1]:1:2", "[::1]:2", "[::1]::2", "[::1]:x:2", "a:1;b:2", "h:011211", "h:0000000000000000000000000000011211",
	"h:65536", "h:", "[::1]:", "[::1]:1:2", "[1.2.3.4]:1", "[::ffff:1.2.3.4]:5",
	"[::ffff:1.2.3.04]", "[1:2:3:4:5:6:7:8]", "[1:2:3:4:5:6:7:8:9]", "[1::2::3]",
	"[1:2:3:4:5:6:7::]", "[::1:2:3:4:5:6:7:8]", "[fe80::1%eth0]:1", "[%x]", "[:1]",
	"[1:]", "[12345::]", "[::]", "[::1.2.3.4]", "[1:2:3:4:5:6:1.2.3.4]",
	"[1:2:3:4:5:6:7:1.2.3.4]", "[a.b:c]", "\u00a0host:1\u3000", "\u2000", "h\u00a0:1",
	"host\x7f", "h\x01", "\"quoted\":1", "back\\slash", "h\xff:1", "x.y_z-w:80",
	strings.Repeat("h", 253), strings.Repeat("h", 254), "\xc2", "a\xe2\x80",
	"/path with space", "/ok/path:1", "[]", "[]:1", "]:1",
}

func TestAgreesWithGo(t *testing.T) {
	for _, s := range seeds {
		agree(t, s)
	}
}

func FuzzAgreesWithGo(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) { agree(t, in) })
}
