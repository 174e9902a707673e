package mc

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

func TestParseServersValid(t *testing.T) {
	cases := []struct {
		in   string
		want []Server
	}{
		{"", nil},
		{"  ", nil},
		{"host", []Server{{"tcp", "host:11211"}}},
		{"host:1234", []Server{{"tcp", "host:1234"}}},
		{"127.0.0.1", []Server{{"tcp", "127.0.0.1:11211"}}},
		{"[::1]:22122", []Server{{"tcp", "[::1]:22122"}}},
		{"[::1]", []Server{{"tcp", "[::1]:11211"}}},
		{"/tmp/mc.sock", []Server{{"unix", "/tmp/mc.sock"}}},
		{"a:1, b:2 ,c", []Server{{"tcp", "a:1"}, {"tcp", "b:2"}, {"tcp", "c:11211"}}},
	}
	for _, c := range cases {
		got, err := ParseServers(c.in)
		if err != nil {
			t.Errorf("ParseServers(%q): %v", c.in, err)
			continue
		}
		if len(got) != len(c.want) {
			t.Errorf("ParseServers(%q) = %v, want %v", c.in, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("ParseServers(%q)[%d] = %v, want %v", c.in, i, got[i], c.want[i])
			}
		}
	}
}

func TestParseServersInvalid(t *testing.T) {
	cases := []struct{ in, entry, says string }{
		{"host:abc", `entry 1 "host:abc"`, "not a number"},
		{"host:99999", `entry 1 "host:99999"`, "1 to 65535"},
		{"host:0", `entry 1 "host:0"`, "1 to 65535"},
		{"host:+5", `entry 1 "host:+5"`, "1 to 65535"},
		{":11211", `entry 1 ":11211"`, "no host name"},
		{"a,,b", `entry 2 ""`, "empty"},
		{"a,", `entry 2 ""`, "empty"},
		{"host name:11211", `entry 1 "host name:11211"`, "white space"},
		{"[::1", `entry 1 "[::1"`, "no closing ]"},
		{"[::1]x", `entry 1 "[::1]x"`, "after the IPv6 address"},
		{"[nothex]:1", `entry 1 "[nothex]:1"`, "not an IPv6 address"},
		{"1.2.3.4:5:6", `entry 1 "1.2.3.4:5:6"`, `ends in a weight (":6"), and server weights are not supported`},
		{"a:11211, b:11211 2", `entry 2 "b:11211 2"`, `ends in a weight (" 2")`},
		{"a:1;b:2", `entry 1 "a:1;b:2"`, "more than one colon"},
		{"a:1:b", `entry 1 "a:1:b"`, "more than one colon"},
		{"a 2", `entry 1 "a 2"`, `ends in a weight (" 2")`},
		{"[::1]:11211:3", `entry 1 "[::1]:11211:3"`, `ends in a weight (":3")`},
		{"[::1]:x:3", `entry 1 "[::1]:x:3"`, "is not a number"},
		{"ok:1,bad@host", `entry 2 "bad@host"`, `contains "@"`},
	}
	for _, c := range cases {
		_, err := ParseServers(c.in)
		if err == nil {
			t.Errorf("ParseServers(%q) accepted", c.in)
			continue
		}
		if !strings.Contains(err.Error(), c.entry) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("ParseServers(%q) = %q, want it to name %s and say %q", c.in, err, c.entry, c.says)
		}
	}
}

func FuzzParseServers(f *testing.F) {
	for _, s := range []string{"", "host", "a:1,b:2", "[::1]:11211", "/tmp/x.sock", "a,,b", "[::1", "h:99999", "x y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		servers, err := ParseServers(in)
		if err != nil {
			return
		}
		addrs := make([]string, len(servers))
		for i, s := range servers {
			addrs[i] = s.Addr
			switch s.Network {
			case "unix":
				if !strings.HasPrefix(s.Addr, "/") {
					t.Fatalf("%q: unix server %q", in, s.Addr)
				}
			case "tcp":
				host, port, err := net.SplitHostPort(s.Addr)
				if err != nil || host == "" {
					t.Fatalf("%q: tcp server %q does not split: %v", in, s.Addr, err)
				}
				if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
					t.Fatalf("%q: port %q", in, port)
				}
			default:
				t.Fatalf("%q: network %q", in, s.Network)
			}
			if strings.ContainsAny(s.Addr, " \t\r\n,") {
				t.Fatalf("%q: server %q has a separator or white space", in, s.Addr)
			}
		}
		again, err := ParseServers(strings.Join(addrs, ","))
		if err != nil || len(again) != len(servers) {
			t.Fatalf("%q: re-parsing %q: %v, %v", in, addrs, again, err)
		}
		for i := range again {
			if again[i] != servers[i] {
				t.Fatalf("%q: re-parsed %v, first %v", in, again[i], servers[i])
			}
		}
	})
}
