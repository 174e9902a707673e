package mc

import (
	"fmt"
	"time"
	"unsafe"
)

// Config is what the memcache.* settings say about the client.
type Config struct {
	Servers      string
	Prefix       string
	Distribution Distribution
	Timeout      time.Duration
	RetryDelay   time.Duration // memcache.server_retry_delay; 0: no fast fail
	Security     SecurityConfig
}

// Client is the backend's one memcached client.
type Client struct {
	cfg     Config
	servers []server   // each server once
	slot    []int      // memcache.servers entry -> index in servers
	place   *placement // key -> memcache.servers entry
	sec     Security
	limit   time.Duration // how long the call in progress may wait for a server
	hard    time.Time     // an absolute end of the call in progress; zero: none
	began   time.Duration // the start of the call in progress, mono() (round-trip times)
	dialed  []dialed      // connections dialAhead made, by server, until take
	// dialedAny: something was put in dialed since start last emptied it
	dialedAny bool
	kbuf      []byte   // the full key of the call in progress (fullKey)
	hbuf      []byte   // a command line being built
	mg        multiGet // get_multi's reused state

	// The clients of the routes in effect before this one, newest first,
	// kept open for a while (parkFor): a function's SET clause or a SET
	// LOCAL switches the server list for a call and back, and switching
	// back then reuses their connections (and TLS handshakes) instead of
	// opening new ones each time. They share c's connection security and
	// never have parked clients of their own.
	parked []*Client
	// mono() when c was parked (while it is in a current client's parked)
	parkedAt time.Duration
}

// maxParked is how many server lists left behind keep their connections:
// a session whose functions route to a few pools of memcached.
const maxParked = 4

// parkFor is how long a client of routes left behind keeps its
// connections: past it the next call closes them (a server removed from
// memcache.servers keeps none for long).
const parkFor = time.Minute

// NewClient builds a client for cfg. It does not connect.
func NewClient(cfg Config) (*Client, error) {
	list, err := ParseServers(cfg.Servers)
	if err != nil {
		return nil, errorf(CodeConfig, "invalid memcache.servers: "+err.Error())
	}
	sec, err := cfg.Security.Load()
	if err != nil {
		return nil, errorf(CodeConfig, "invalid TLS settings: "+err.Error())
	}
	c := &Client{cfg: cfg, slot: make([]int, len(list)), place: newPlacement(list, cfg.Distribution), sec: sec}
	// A server listed twice weighs twice in placement, but has one
	// connection and one health state.
	for i, s := range list {
		c.slot[i] = len(c.servers)
		for j := range c.servers {
			if c.servers[j].Server == s {
				c.slot[i] = j
			}
		}
		if c.slot[i] == len(c.servers) {
			c.servers = append(c.servers, server{Server: s, st: statsFor(s.Addr)})
		}
	}
	return c, nil
}

// Reconfigure returns a client for cfg, reusing c (and its pooled
// connections and server health) when only the timeout, the retry delay or
// the prefix changed. The prefix is checked with every key. When the routes
// change, c is parked (see Client.parked), a parked client with cfg's
// routes is taken back, and a server that several of them route to keeps
// its one connection and its health. A change of connection security
// closes c and every parked client.
func (c *Client) Reconfigure(cfg Config) (*Client, error) {
	if c != nil {
		c.expireParked(mono())
		if c.cfg.Security != cfg.Security {
			// connections under the old TLS or credentials: not kept
			c.Close()
			c = nil
		}
	}
	n := c
	if c == nil || !c.Routes(cfg) {
		n = c.unpark(cfg)
		if n == nil {
			var err error
			if n, err = NewClient(cfg); err != nil {
				return nil, err
			}
		}
		if c != nil {
			c.parkedAt = mono()
			n.parked = append(append(n.parked[:0], c), c.parked...)
			c.parked = nil
			for _, p := range n.parked {
				n.Adopt(p)
			}
			n.trimParked()
		}
	}
	n.cfg = cfg
	if cfg.RetryDelay <= 0 {
		n.clearMarks()
		for _, p := range n.parked {
			p.clearMarks()
		}
	}
	return n, nil
}

// unpark takes the parked client with cfg's routes out of c's list, or
// returns nil.
func (c *Client) unpark(cfg Config) *Client {
	if c == nil {
		return nil
	}
	for i, p := range c.parked {
		if p.Routes(cfg) {
			c.parked = append(c.parked[:i], c.parked[i+1:]...)
			return p
		}
	}
	return nil
}

func (c *Client) clearMarks() {
	for i := range c.servers {
		c.servers[i].downUntil, c.servers[i].downCause = time.Time{}, ""
	}
}

// Adopt moves to c, for each server c shares with old, old's pooled
// connection and its later down mark: one connection per server, and a
// server that just timed out is not tried again at once under other routes.
func (c *Client) Adopt(old *Client) {
	for i := range c.servers {
		s := &c.servers[i]
		for j := range old.servers {
			o := &old.servers[j]
			if o.Server != s.Server {
				continue
			}
			if o.idle != nil {
				if s.idle != nil {
					s.idle.close()
				}
				s.idle, o.idle = o.idle, nil
			}
			if o.downUntil.After(s.downUntil) {
				s.downUntil, s.downCause = o.downUntil, o.downCause
			}
		}
	}
}

// Gather moves to c the pooled connections (see Adopt) of the servers it
// shares with s, a session's client, and with the clients parked there:
// however many lists a COMMIT's writes were queued under, each server
// keeps one connection.
func (c *Client) Gather(s *Client) {
	for _, p := range s.parked {
		if p != c {
			c.Adopt(p)
		}
	}
	c.Adopt(s)
}

// SameSecurity reports whether c and o connect with the same TLS and
// credentials (false if o is nil): only then may they share connections.
func (c *Client) SameSecurity(o *Client) bool {
	return o != nil && c.cfg.Security == o.cfg.Security
}

// ParkedFor returns the parked client with cfg's routes, or nil (also for
// a nil c). Its retry delay becomes c's: a send on it follows the
// settings in effect, as one on c does.
func (c *Client) ParkedFor(cfg Config) *Client {
	if c == nil {
		return nil
	}
	c.expireParked(mono())
	for _, p := range c.parked {
		if p.Routes(cfg) {
			p.cfg.RetryDelay = c.cfg.RetryDelay
			return p
		}
	}
	return nil
}

// Park keeps p, a client made for routes c was never configured with (the
// writes of a batch queued under them), among c's parked clients, as if c
// had left them: later batches with those routes reuse its connections.
func (c *Client) Park(p *Client) {
	p.parkedAt = mono()
	c.parked = append(c.parked, nil)
	copy(c.parked[1:], c.parked)
	c.parked[0] = p
	c.trimParked()
}

// trimParked closes the oldest parked clients past maxParked.
func (c *Client) trimParked() {
	for len(c.parked) > maxParked {
		c.parked[len(c.parked)-1].Close()
		c.parked = c.parked[:len(c.parked)-1]
	}
}

// expireParked closes the parked clients parked more than parkFor ago.
func (c *Client) expireParked(now time.Duration) {
	for len(c.parked) > 0 && now-c.parked[len(c.parked)-1].parkedAt > parkFor {
		c.parked[len(c.parked)-1].Close()
		c.parked = c.parked[:len(c.parked)-1]
	}
}

// Close drops the pooled connections and the memory kept between calls,
// the parked clients' too. c is not used after.
func (c *Client) Close() {
	c.closeAll()
	c.mg.mem.Free()
	for _, p := range c.parked {
		p.Close()
	}
	c.parked = nil
}

// start begins a call: it may wait memcache.timeout for each server (see
// sockConn).
func (c *Client) start() {
	c.limit, c.hard = c.cfg.Timeout, time.Time{}
	c.began = mono()
	if len(c.parked) > 0 {
		c.expireParked(c.began)
	}
	if c.dialedAny {
		c.dropDialed()
	}
}

// Key returns the full key for a user key: the prefix added and checked.
func (c *Client) Key(key string) (string, error) {
	full, err := c.fullKey(key)
	return string([]byte(full)), err
}

// fullKey puts the prefix and key into the client's key buffer and checks
// the result. The string views that buffer: valid until the next fullKey,
// never to be kept.
func (c *Client) fullKey(key string) (string, error) {
	c.kbuf = append(append(c.kbuf[:0], c.cfg.Prefix...), key...)
	full := View(c.kbuf)
	if err := CheckKey(full, len(c.cfg.Prefix)); err != nil {
		return "", badKey(key, err)
	}
	if len(c.servers) == 0 {
		return "", ErrNoServers
	}
	return full, nil
}

// badKey is the error of an invalid key. A key is the caller's input, of
// any length, and the message reaches the client and the server's log: a
// key longer than shownKey bytes is shown by its start and its length.
func badKey(key string, err error) error {
	if len(key) > shownKey {
		return errorf(CodeBadKey, fmt.Sprintf("invalid key %q... (%d bytes): %s", key[:shownKey/2], len(key), err))
	}
	return errorf(CodeBadKey, fmt.Sprintf("invalid key %q: %s", key, err))
}

const shownKey = 512

// ServerForKey returns the server key maps to.
func (c *Client) ServerForKey(key string) (string, error) {
	k, err := c.fullKey(key)
	if err != nil {
		return "", err
	}
	return c.servers[c.serverOf(k)].Addr, nil
}

// View returns a string that shares b's bytes: no copy, valid while b is
// (keys are views of the call's arguments or of a reused buffer, and
// nothing keeps them after the call).
func View(b []byte) string { return *(*string)(unsafe.Pointer(&b)) }

// locate starts a single-key call: the full key (see fullKey) and its
// server.
func (c *Client) locate(key string) (string, int, error) {
	c.start()
	full, err := c.fullKey(key)
	if err != nil {
		return "", 0, err
	}
	return full, c.serverOf(full), nil
}

// serverOf returns the index in c.servers of the server that holds key.
func (c *Client) serverOf(key string) int { return c.slot[c.place.index(key)] }
