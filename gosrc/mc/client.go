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
	kbuf    []byte        // the full key of the call in progress (fullKey)
	hbuf    []byte        // a command line being built
	mg      multiGet      // get_multi's reused state
}

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
// the prefix changed. The prefix is checked with every key.
func (c *Client) Reconfigure(cfg Config) (*Client, error) {
	if c != nil && c.cfg.Servers == cfg.Servers && c.cfg.Distribution == cfg.Distribution &&
		c.cfg.Security == cfg.Security {
		c.cfg = cfg
		if cfg.RetryDelay <= 0 {
			for i := range c.servers {
				c.servers[i].downUntil, c.servers[i].downCause = time.Time{}, ""
			}
		}
		return c, nil
	}
	n, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	if c != nil {
		c.Close()
	}
	return n, nil
}

// Close drops the pooled connections.
func (c *Client) Close() { c.closeAll() }

// start begins a call: it may wait memcache.timeout for each server (see
// sockConn).
func (c *Client) start() {
	c.limit, c.hard = c.cfg.Timeout, time.Time{}
	c.began = mono()
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
	if err := CheckKey(full); err != nil {
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
