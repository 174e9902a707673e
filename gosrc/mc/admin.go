package mc

import (
	"bufio"
	"bytes"
	"fmt"
	"time"
)

// Commands for every server: flush_all, stats and the version probes of
// memcache_servers(). Each server's request is sent on its pooled
// connection before any reply is read, so the servers answer in parallel
// while the backend's thread does all the I/O.

// Stat is one line of a server's "stats" reply.
type Stat struct {
	Server, Name, Value string
}

// Probe is one server's answer to a "version" request made now.
type Probe struct {
	Server    string
	Reachable bool
	Latency   time.Duration
	Err       string
}

// broadcast sends cmd to every server (marked down: refused at once), then
// reads each reply with read. It returns each server's error.
func (c *Client) broadcast(cmd []byte, read func(i int, cn *conn) error) []error {
	c.start()
	errs := make([]error, len(c.servers))
	conns := make([]*conn, len(c.servers))
	write := func(w *bufio.Writer) { w.Write(cmd) }
	c.dialAhead(len(c.servers), func(i int) int { return i }, false)
	for i := range c.servers {
		conns[i], errs[i] = c.request(i, false, write)
	}
	for i, cn := range conns {
		if cn != nil {
			errs[i] = c.reply(i, cn, false, write, func(cn *conn) error { return read(i, cn) })
		}
		c.count(i, StatOther, errs[i])
	}
	return errs
}

// FlushAll empties every server. Every reachable server is flushed; the
// first failure is returned.
func (c *Client) FlushAll() error {
	if len(c.servers) == 0 {
		return ErrNoServers
	}
	for _, err := range c.broadcast(cmdFlushAll, func(i int, cn *conn) error {
		line, err := cn.line()
		if err == nil {
			err, _ = outcome(line, replyOK)
		}
		return err
	}) {
		if err != nil {
			return err
		}
	}
	return nil
}

// Stats returns every server's general statistics, in server order. The
// first failing server's error is returned with the rest.
func (c *Client) Stats() ([]Stat, error) {
	if len(c.servers) == 0 {
		return nil, ErrNoServers
	}
	per := make([][]Stat, len(c.servers))
	errs := c.broadcast(cmdStats, func(i int, cn *conn) error {
		per[i] = per[i][:0]
		for {
			line, err := cn.line()
			if err != nil {
				return err
			}
			if bytes.Equal(line, replyEnd) {
				return nil
			}
			f := bytes.SplitN(bytes.TrimSuffix(line, crlf), []byte(" "), 3)
			if len(f) != 3 || !bytes.HasPrefix(line, prefixStat) {
				return errorf(CodeServer, fmt.Sprintf("unexpected reply to stats from %s: %q", c.servers[i].Addr, bytes.TrimSpace(line)))
			}
			per[i] = append(per[i], Stat{Server: c.servers[i].Addr, Name: string(f[1]), Value: string(f[2])})
		}
	})
	var all []Stat
	var first error
	for i := range per {
		all = append(all, per[i]...)
		if errs[i] != nil && first == nil {
			first = fmt.Errorf("%s: %w", c.servers[i].Addr, errs[i])
		}
	}
	return all, first
}

// Probe asks every server for its version now and times the round trip,
// marked down or not; a server that answers is no longer marked down, one
// that fails is not marked. Replies are read as they arrive, so that each
// latency is its own server's. There is one Probe per memcache.servers
// entry.
func (c *Client) Probe() []Probe {
	out := c.probe()
	list := make([]Probe, len(c.slot))
	for i, s := range c.slot {
		list[i] = out[s]
	}
	return list
}

func (c *Client) probe() []Probe {
	c.start()
	n := len(c.servers)
	out := make([]Probe, n)
	conns := make([]*conn, n)
	sent := make([]time.Time, n)
	write := func(w *bufio.Writer) { w.Write(cmdVersion) }
	// A new connection's latency includes its connect, made with the
	// others' by dialAhead.
	began := time.Now()
	for i := range c.servers {
		if c.servers[i].idle == nil {
			sent[i] = began
		}
	}
	c.dialAhead(len(c.servers), func(i int) int { return i }, true)
	for i := range c.servers {
		out[i].Server = c.servers[i].Addr
		if sent[i].IsZero() {
			sent[i] = time.Now()
		}
		cn, err := c.request(i, true, write)
		if err != nil {
			out[i].Err = c.count(i, StatOther, err).Error()
			continue
		}
		conns[i] = cn
	}
	// Probed now, not in a call: a plain wall-clock limit for all.
	deadline := time.Now().Add(c.cfg.Timeout)
	fds := make([]pollFd, 0, n)
	for {
		fds = fds[:0]
		for _, cn := range conns {
			if cn != nil {
				fds = append(fds, pollFd{fd: int32(cn.raw.fd), events: pollIn})
			}
		}
		if len(fds) == 0 {
			return out
		}
		ready, err := poll(fds, time.Until(deadline))
		if err == nil && ready == 0 {
			err = &timeoutError{op: "reading from", timeout: c.cfg.Timeout}
		}
		for i, cn := range conns {
			if cn == nil {
				continue
			}
			pfd := fds[0]
			fds = fds[1:]
			if err == nil && pfd.revents == 0 {
				continue
			}
			conns[i] = nil
			e := err
			if e == nil {
				e = c.reply(i, cn, true, write, func(cn *conn) error {
					line, err := cn.line()
					if err == nil && !bytes.HasPrefix(line, prefixVersion) {
						err = errorf(CodeServer, fmt.Sprintf("unexpected reply to version: %q", bytes.TrimSpace(line)))
					}
					return err
				})
			} else {
				if te, ok := e.(*timeoutError); ok {
					e = &timeoutError{op: te.op, addr: c.servers[i].Addr, timeout: te.timeout}
				}
				e = c.fail(i, cn, e, true)
			}
			c.count(i, StatOther, e)
			if e != nil {
				out[i].Err = e.Error()
				continue
			}
			out[i].Reachable = true
			out[i].Latency = time.Since(sent[i])
			c.servers[i].downUntil, c.servers[i].downCause = time.Time{}, ""
		}
	}
}
