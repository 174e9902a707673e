package mc

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCheckKey(t *testing.T) {
	ok := []string{"a", strings.Repeat("k", 250), strings.Repeat("é", 125), "user:1", "ü~!{}"}
	for _, k := range ok {
		if err := CheckKey(k, 0); err != nil {
			t.Errorf("CheckKey(%q): %v", k, err)
		}
	}
	bad := []string{"", strings.Repeat("k", 251), strings.Repeat("é", 126), "a b", "a\tb",
		"a\r\nflush_all", "del\x7f", "nul\x00"}
	for _, k := range bad {
		err := CheckKey(k, 0)
		var e *Error
		if err == nil || !errors.As(err, &e) || e.Code != CodeBadKey {
			t.Errorf("CheckKey(%q) = %v, want a CodeBadKey error", k, err)
		}
	}
}

// The offset of a bad byte is counted in the key the caller gave, not in
// the prefix added to it (the message quotes the caller's key).
func TestCheckKeyOffsetWithoutPrefix(t *testing.T) {
	for _, c := range []struct {
		prefix, key, want string
	}{
		{"", "a b", "byte 0x20 at offset 1)"},
		{"app1:", "a b", "byte 0x20 at offset 1)"},
		{"app1:", "ab\tc", "byte 0x09 at offset 2)"},
		{"app 1:", "ab", "byte 0x20 at offset 3 of memcache.key_prefix)"},
	} {
		err := CheckKey(c.prefix+c.key, len(c.prefix))
		if err == nil || !strings.HasSuffix(err.Error(), c.want) {
			t.Errorf("prefix %q key %q: %v, want ...%s", c.prefix, c.key, err, c.want)
		}
	}
}

func FuzzCheckKey(f *testing.F) {
	for _, s := range []string{"", "a", "a b", "a\r\nb", strings.Repeat("x", 251), "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, k string) {
		want := len(k) >= 1 && len(k) <= 250
		for i := 0; i < len(k); i++ {
			if k[i] <= ' ' || k[i] == 0x7f {
				want = false
			}
		}
		if got := CheckKey(k, 0) == nil; got != want {
			t.Fatalf("CheckKey(%q) accepted=%v, want %v", k, got, want)
		}
	})
}

// An invalid key's message shows a long key by its start and its size, so
// that a key of megabytes does not become a message of megabytes.
func TestBadKeyMessageBounded(t *testing.T) {
	for _, n := range []int{251, shownKey, shownKey + 1, 5 << 20} {
		key := strings.Repeat("k", n)
		msg := badKey(key, CheckKey(key, 0)).Error()
		if len(msg) > 2*shownKey+200 {
			t.Errorf("key of %d bytes: message of %d bytes", n, len(msg))
		}
		shown := n <= shownKey
		if strings.Contains(msg, key) != shown {
			t.Errorf("key of %d bytes: shown whole = %v, want %v", n, !shown, shown)
		}
		if !shown && !strings.Contains(msg, fmt.Sprintf("(%d bytes)", n)) {
			t.Errorf("key of %d bytes: the message does not give its size: %.300s", n, msg)
		}
	}
}
