package mc

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckKey(t *testing.T) {
	ok := []string{"a", strings.Repeat("k", 250), strings.Repeat("é", 125), "user:1", "ü~!{}"}
	for _, k := range ok {
		if err := CheckKey(k); err != nil {
			t.Errorf("CheckKey(%q): %v", k, err)
		}
	}
	bad := []string{"", strings.Repeat("k", 251), strings.Repeat("é", 126), "a b", "a\tb",
		"a\r\nflush_all", "del\x7f", "nul\x00"}
	for _, k := range bad {
		err := CheckKey(k)
		var e *Error
		if err == nil || !errors.As(err, &e) || e.Code != CodeBadKey {
			t.Errorf("CheckKey(%q) = %v, want a CodeBadKey error", k, err)
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
		if got := CheckKey(k) == nil; got != want {
			t.Fatalf("CheckKey(%q) accepted=%v, want %v", k, got, want)
		}
	})
}
