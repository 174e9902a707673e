package mc

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// DefaultPort is memcached's port, used when an entry names none.
const DefaultPort = 11211

// Server is one entry of memcache.servers.
type Server struct {
	Network string // "tcp" or "unix"
	Addr    string // "host:port", "[v6]:port" or a socket path
}

func (s Server) String() string { return s.Addr }

// ParseServers parses a memcache.servers value: comma-separated entries of
// host[:port], [v6addr][:port] or /path/to.sock, spaces around entries
// allowed. The order is kept: it decides key placement. An empty (or
// all-blank) list is valid and means "no server". Names are not resolved
// here; that happens when a connection is made, so a SET never waits on DNS.
func ParseServers(list string) ([]Server, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	entries := strings.Split(list, ",")
	servers := make([]Server, 0, len(entries))
	for i, raw := range entries {
		s, err := parseServer(strings.TrimSpace(raw))
		if err != nil {
			return nil, fmt.Errorf("entry %d %q: %s", i+1, strings.TrimSpace(raw), err)
		}
		servers = append(servers, s)
	}
	return servers, nil
}

// weightAt is the offset of the weight entry e ends in, libmemcached's
// "host:port:weight" or "host:port weight" (pgmemcache passed its list to
// libmemcached), else 0.
func weightAt(e string) int {
	i := len(e)
	for i > 0 && e[i-1] >= '0' && e[i-1] <= '9' {
		i--
	}
	// a weight is a 32-bit number: up to 10 digits
	if i == len(e) || len(e)-i > 10 || i < 2 || (e[i-1] != ' ' && e[i-1] != ':') {
		return 0
	}
	for j := 0; j < i-1; j++ {
		if e[j] <= ' ' || e[j] == 0x7f {
			return 0
		}
	}
	if e[i-1] == ':' { // host:port:weight or [v6]:port:weight, the port digits too
		port := -1
		if e[0] == '[' {
			if end := strings.IndexByte(e[:i-1], ']'); end >= 0 && end+1 < i-1 && e[end+1] == ':' {
				port = end + 2
			}
		} else if colon := strings.IndexByte(e[:i-1], ':'); colon >= 0 {
			port = colon + 1
		}
		if port < 0 || !allDigits(e[port:i-1]) {
			return 0
		}
	}
	return i
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func parseServer(e string) (Server, error) {
	if e == "" {
		return Server{}, fmt.Errorf("is empty")
	}
	if w := weightAt(e); w > 0 {
		return Server{}, fmt.Errorf("ends in a weight (%q), and server weights are not supported: every server counts once", e[w-1:])
	}
	for _, r := range e {
		if r <= ' ' || r == 0x7f {
			return Server{}, fmt.Errorf("contains white space or a control character")
		}
	}
	if strings.HasPrefix(e, "/") {
		return Server{Network: "unix", Addr: e}, nil
	}
	host, port := e, ""
	if strings.HasPrefix(e, "[") {
		end := strings.IndexByte(e, ']')
		if end < 0 {
			return Server{}, fmt.Errorf("has no closing ] after the IPv6 address")
		}
		host = e[1:end]
		rest := e[end+1:]
		switch {
		case rest == "":
		case strings.HasPrefix(rest, ":"):
			port = rest[1:]
			if port == "" {
				return Server{}, fmt.Errorf("has an empty port")
			}
		default:
			return Server{}, fmt.Errorf("has %q after the IPv6 address (expected :port)", rest)
		}
		if net.ParseIP(host) == nil || !strings.Contains(host, ":") {
			return Server{}, fmt.Errorf("%q is not an IPv6 address", host)
		}
	} else {
		if i := strings.IndexByte(e, ':'); i >= 0 {
			host, port = e[:i], e[i+1:]
			if strings.Contains(port, ":") {
				return Server{}, fmt.Errorf("has more than one colon (write IPv6 addresses as [addr]:port)")
			}
			if port == "" {
				return Server{}, fmt.Errorf("has an empty port")
			}
		}
		if host == "" {
			return Server{}, fmt.Errorf("has no host name")
		}
		if err := checkHostName(host); err != nil {
			return Server{}, err
		}
	}
	p := DefaultPort
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '+' || port[0] == '-' {
			return Server{}, fmt.Errorf("port %q is not a number from 1 to 65535", port)
		}
		p = n
	}
	return Server{Network: "tcp", Addr: net.JoinHostPort(host, strconv.Itoa(p))}, nil
}

// checkHostName accepts IPv4 addresses and DNS names (letters, digits, '-',
// '.', '_').
func checkHostName(h string) error {
	if len(h) > 253 {
		return fmt.Errorf("host name is longer than 253 characters")
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_'
		if !ok {
			return fmt.Errorf("host name %q contains %q", h, string(c))
		}
	}
	return nil
}
