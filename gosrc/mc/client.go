package mc

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
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
	servers []Server
	sel     *Selector
	mc      *memcache.Client
	health  *health
	budget  budget
	sec     Security
	pipes   pipeConns
	kbuf    []byte   // the full key of the call in progress (fullKey)
	hbuf    []byte   // a command header being built
	mg      multiGet // get_multi's reused state
}

// maxIdleConns keeps one spare connection per server beside the one in use:
// a backend runs one call at a time, get_multi one per server.
const maxIdleConns = 2

// NewClient builds a client for cfg. It does not connect.
func NewClient(cfg Config) (*Client, error) {
	servers, err := ParseServers(cfg.Servers)
	if err != nil {
		return nil, errorf(CodeConfig, "invalid memcache.servers: "+err.Error())
	}
	sec, err := cfg.Security.Load()
	if err != nil {
		return nil, errorf(CodeConfig, "invalid TLS settings: "+err.Error())
	}
	c := &Client{cfg: cfg, servers: servers, sel: NewSelector(servers, cfg.Distribution), health: &health{}, sec: sec}
	c.health.setDelay(cfg.RetryDelay)
	c.sel.health = c.health
	c.mc = memcache.NewFromSelector(c.sel)
	c.mc.Timeout = cfg.Timeout
	c.mc.MaxIdleConns = maxIdleConns
	c.mc.DialContext = func(ctx context.Context, network, address string) (net.Conn, error) {
		nc, _, err := c.connect(ctx, network, address, c.health, &c.budget)
		return nc, err
	}
	return c, nil
}

// connect makes a new connection ready for commands (TLS, authentication).
// It also returns the socket underneath, whose blocking mode the caller
// sets for the goroutine that uses it.
func (c *Client) connect(ctx context.Context, network, address string, h *health, b *budget) (net.Conn, *sockConn, error) {
	nc, err := dial(ctx, network, address, c.cfg.Timeout, h, b)
	if err != nil {
		return nil, nil, err
	}
	raw := nc.(*sockConn)
	sc, err := c.sec.secure(nc, address, c.cfg.Timeout)
	if err != nil {
		if h != nil {
			h.fail(address, err)
		}
		return nil, nil, err
	}
	return sc, raw, nil
}

// Reconfigure returns a client for cfg, reusing c (and its pooled
// connections) when only the timeout or the prefix changed. The prefix is
// checked with every key.
func (c *Client) Reconfigure(cfg Config) (*Client, error) {
	if c != nil && c.cfg.Servers == cfg.Servers && c.cfg.Distribution == cfg.Distribution &&
		c.cfg.Security == cfg.Security {
		c.cfg = cfg
		c.mc.Timeout = cfg.Timeout
		c.health.setDelay(cfg.RetryDelay)
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
func (c *Client) Close() {
	_ = c.mc.Close()
	c.pipes.close()
}

// Servers returns the parsed server list.
func (c *Client) Servers() []Server { return c.servers }

// Key returns the full key for a user key: the prefix added and checked.
func (c *Client) Key(key string) (string, error) {
	full := key
	if c.cfg.Prefix != "" {
		full = c.cfg.Prefix + key
	}
	if err := CheckKey(full); err != nil {
		return "", errorf(CodeBadKey, fmt.Sprintf("invalid key %q: %s", key, err))
	}
	if c.sel.Len() == 0 {
		return "", errorf(CodeNoServers, "no memcached server is configured (memcache.servers is empty)")
	}
	c.budget.start(c.cfg.Timeout)
	return full, nil
}

// Verb is a storage command. The values are the MCGO_VERB_* constants of
// extension/gobridge_abi.h; package main checks that they agree.
type Verb int

const (
	VerbSet Verb = iota
	VerbAdd
	VerbReplace
	VerbAppend
	VerbPrepend
)

// Store runs set, add, replace, append or prepend.
func (c *Client) Store(verb Verb, key string, value []byte, exptime int32) error {
	if verb == VerbSet {
		return c.Set(key, value, exptime)
	}
	k, err := c.Key(key)
	if err != nil {
		return err
	}
	it := &memcache.Item{Key: k, Value: value, Expiration: exptime}
	switch verb {
	case VerbAdd:
		return c.mc.Add(it)
	case VerbReplace:
		return c.mc.Replace(it)
	case VerbAppend:
		return c.mc.Append(it)
	case VerbPrepend:
		return c.mc.Prepend(it)
	}
	return errorf(CodeBadArg, "unknown storage command")
}

// Get returns the value of key; a miss is memcache.ErrCacheMiss.
func (c *Client) Get(key string) ([]byte, error) {
	var v byteSink
	if err := c.GetTo(key, &v); err != nil {
		return nil, err
	}
	return v.b, nil
}

// GetMulti returns the values found, keyed by the user's key. When a server
// fails (or is marked down) the values from the others are returned with
// the error.
func (c *Client) GetMulti(keys []string) (map[string][]byte, error) {
	s := &mapSink{m: map[string][]byte{}}
	err := c.GetMultiTo(keys, s)
	return s.m, err
}

// byteSink and mapSink collect values in Go memory (tests, tools).
type byteSink struct{ b []byte }

func (s *byteSink) Value(n int) []byte { s.b = make([]byte, n); return s.b }

type mapSink struct {
	m    map[string][]byte
	last string
}

func (s *mapSink) Pair(key []byte, n int) []byte {
	v := make([]byte, n)
	s.last = string(key)
	s.m[s.last] = v
	return v
}

func (s *mapSink) Drop() { delete(s.m, s.last) }

// Delete removes key; a missing key is memcache.ErrCacheMiss.
func (c *Client) Delete(key string) error {
	k, err := c.Key(key)
	if err != nil {
		return err
	}
	return c.mc.Delete(k)
}

// IncrDecr adds (or, for decr, subtracts) delta.
func (c *Client) IncrDecr(decr bool, key string, delta uint64) (uint64, error) {
	k, err := c.Key(key)
	if err != nil {
		return 0, err
	}
	if decr {
		return c.mc.Decrement(k, delta)
	}
	return c.mc.Increment(k, delta)
}

// Touch sets a new expiry on key.
func (c *Client) Touch(key string, exptime int32) error {
	k, err := c.Key(key)
	if err != nil {
		return err
	}
	return c.mc.Touch(k, exptime)
}

// FlushAll empties every server.
func (c *Client) FlushAll() error {
	if c.sel.Len() == 0 {
		return errorf(CodeNoServers, "no memcached server is configured (memcache.servers is empty)")
	}
	c.budget.start(c.cfg.Timeout)
	return c.mc.FlushAll()
}

// ServerForKey returns the server key maps to.
func (c *Client) ServerForKey(key string) (string, error) {
	k, err := c.Key(key)
	if err != nil {
		return "", err
	}
	return c.servers[c.sel.Index(k)].Addr, nil
}
