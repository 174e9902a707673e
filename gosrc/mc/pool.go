package mc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"
)

// server is one entry of the server list with what the client keeps about
// it: its one pooled connection and its health. A backend runs one call at
// a time, and every command of every call is sent on the backend's thread,
// so a server never needs a second connection.
type server struct {
	Server
	idle *conn // the pooled connection; nil: none open

	// After a timeout calls for the server's keys fail at once until
	// downUntil (memcache.server_retry_delay), instead of each waiting for
	// a timeout. Only a timeout marks a server down: a refused connection,
	// a reset or a close cost the call nothing, and trying again costs the
	// next call nothing either, while a mark would skip the commit-time
	// writes of a server that is back (a restart takes a moment): their
	// keys would stay stale. Keys are never moved to another server: the
	// cache would then disagree with the application's client.
	downUntil time.Time
	downCause string

	st *ServerStats // its counters (stats.go)
}

// downError is a call refused because its server is marked down.
type downError struct {
	addr  string
	left  time.Duration
	cause string
}

func (e *downError) Error() string {
	return fmt.Sprintf("%s is marked down for %.1f s more after: %s (memcache.server_retry_delay)",
		e.addr, e.left.Seconds(), e.cause)
}

// check returns a *downError while s is marked down; once the delay has
// passed the mark is dropped, so the next call tries the server again.
func (s *server) check() error {
	if s.downUntil.IsZero() {
		return nil
	}
	left := time.Until(s.downUntil)
	if left <= 0 {
		s.downUntil, s.downCause = time.Time{}, ""
		return nil
	}
	return &downError{addr: s.Addr, left: left, cause: s.downCause}
}

func (s *server) markDown(err error, delay time.Duration) {
	if delay > 0 {
		s.downUntil, s.downCause = time.Now().Add(delay), err.Error()
		s.st.C[StatMarkedDown]++
	}
}

// conn is a pooled connection.
type conn struct {
	nc     net.Conn // raw, or TLS over it
	raw    *sockConn
	rw     *bufio.ReadWriter
	reused bool // taken from the pool: the server may have closed it since
	// Of the command in progress: sent whole, and a byte of its reply read.
	sent, replied bool
}

func (cn *conn) close() { cn.nc.Close() }

// line reads a reply line (with its CRLF), valid until the next read.
func (cn *conn) line() ([]byte, error) {
	l, err := cn.rw.ReadSlice('\n')
	if len(l) > 0 {
		cn.replied = true
	}
	if err == bufio.ErrBufferFull {
		// no memcached reply line is this long: not memcached, or broken
		err = errorf(CodeServer, fmt.Sprintf("%s: a reply line longer than %d bytes", cn.raw.remote, cn.rw.Reader.Size()))
	}
	return l, err
}

// flush sends what was written to the buffer.
func (cn *conn) flush() error {
	err := cn.rw.Flush()
	cn.sent = err == nil
	return err
}

// send writes a command line and its data block (none: nil) with one
// system call: through the buffer when they fit, else (plain TCP) as one
// sendmsg of three pieces, so that memcached is woken once, not once per
// piece.
func (cn *conn) send(hdr, data []byte) error {
	if data == nil {
		cn.rw.Write(hdr)
		return cn.flush()
	}
	if len(hdr)+len(data)+2 <= cn.rw.Writer.Available() || cn.nc != net.Conn(cn.raw) {
		cn.rw.Write(hdr)
		cn.rw.Write(data)
		cn.rw.Write(crlf)
		return cn.flush()
	}
	if err := cn.flush(); err != nil {
		return err
	}
	err := cn.raw.sendv(hdr, data, crlf)
	cn.sent = err == nil
	return err
}

// readValue fills dst with a value's bytes and checks the CRLF after them.
func (cn *conn) readValue(dst []byte) error {
	if _, err := io.ReadFull(cn.rw, dst); err != nil {
		return err
	}
	cr, err1 := cn.rw.ReadByte()
	lf, err2 := cn.rw.ReadByte()
	if err1 != nil || err2 != nil || cr != '\r' || lf != '\n' {
		if err1 == nil && err2 == nil {
			return errorf(CodeServer, "a value was not followed by CRLF")
		}
		if err1 != nil {
			return err1
		}
		return err2
	}
	return nil
}

// resendable says whether a command that failed with err on cn may be sent
// again, once, on a new connection: cn came from the pool and the server
// had closed it (EOF, reset) before any byte of the reply. That is what a
// pooled connection looks like after memcached restarted, after its
// idle_timeout, or after a proxy or firewall dropped it.
//
// A command is sent again only if the server cannot have run it, or if
// running it twice leaves what running it once does: when it was not sent
// whole (memcached runs a command only once it has all of it), and for
// get, set, replace, delete, touch, stats, version, flush_all and batches
// of sets and deletes. Not incr, decr, add, append or prepend once sent:
// the server may have run it and then closed the connection without
// answering (a crash, a proxy cutting it), and a second send would count
// twice, append twice, or report the value the first one added as "not
// stored". Their connection is checked before use instead (take), which
// proves the server never saw the command; only a close in the
// microseconds between that check and the send can still fail them.
func (cn *conn) resendable(err error, idempotent bool) bool {
	return cn.reused && !cn.replied && (idempotent || !cn.sent) && closedByPeer(err)
}

func closedByPeer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// take returns the connection to server i for a command of the call in
// progress: the pooled one, else a new one. A server marked down is
// refused at once, and a connect that timed out marks it down; probe
// (memcache_servers) tries it anyway and marks nothing.
//
// check asks to make sure first that the server has not closed the pooled
// connection (a peek that does not wait), for a command that cannot be
// sent again (see resendable). The others find out on use and are sent
// again: the peek is a system call of 0.2 us, 1-2% of a get on loopback.
func (c *Client) take(i int, probe, check bool) (*conn, error) {
	s := &c.servers[i]
	if !probe {
		if err := s.check(); err != nil {
			if cn, _, _ := c.takeDialed(i); cn != nil {
				c.put(i, cn)
			}
			return nil, c.onServer(i, err)
		}
	}
	cn, err, ok := c.takeDialed(i)
	if !ok {
		cn = s.idle
		s.idle = nil
		if cn != nil && (cn.rw.Reader.Buffered() != 0 || check && !cn.raw.idle()) {
			cn.close()
			cn = nil
		}
		if cn != nil {
			cn.reused = true
			if err := cn.raw.begin(c.limit, c.hard); err != nil {
				cn.close()
				return nil, c.onServer(i, err)
			}
		} else {
			var raw *sockConn
			if raw, err = dial(context.Background(), s.Network, s.Addr, c.limit, c.hard); err == nil {
				cn, err = c.ready(s, raw)
			}
		}
	}
	if err != nil {
		if !probe && isTimeout(err) {
			s.markDown(err, c.cfg.RetryDelay)
		}
		return nil, c.onServer(i, err)
	}
	cn.sent, cn.replied = false, false
	return cn, nil
}

// ready makes a new connection to s ready for commands (TLS,
// authentication); its waits count against the call's limit for s.
func (c *Client) ready(s *server, raw *sockConn) (*conn, error) {
	raw.st = s.st
	s.st.C[StatConnects]++
	nc, err := c.sec.secure(raw, s.Addr)
	if err != nil {
		return nil, err
	}
	return &conn{nc: nc, raw: raw, rw: bufio.NewReadWriter(bufio.NewReaderSize(nc, 16<<10), bufio.NewWriterSize(nc, 16<<10))}, nil
}

// dialed is a connection dialAhead made for take, or the failure of its
// dial.
type dialed struct {
	cn  *conn
	err error
}

// dialAhead makes, at once, the new connections that n servers (server(k)
// is the index of the k-th) need for the command about to be sent to each: those with no
// pooled connection, not marked down (probe: marked or not). Their
// connects wait together, in one poll: taken one after another, three
// hosts that never answer a connect cost three times memcache.timeout.
// Names are still resolved one after another, and TLS handshakes made one
// after another once connected. take hands each out, or its failure; a
// dial this cannot finish (a unix socket, a connect refused at once, an
// interrupt) is left to take.
func (c *Client) dialAhead(n int, server func(k int) int, probe bool) {
	if n < 2 {
		return // one server: take dials it, nothing to wait for together
	}
	var ps []dialPending
	for k := 0; k < n; k++ {
		i := server(k)
		s := &c.servers[i]
		if s.idle != nil || len(c.dialed) > i && (c.dialed[i].cn != nil || c.dialed[i].err != nil) ||
			!probe && s.check() != nil {
			continue
		}
		d, err := dialStart(s.Network, s.Addr, c.limit, c.hard)
		switch {
		case errors.Is(err, ErrInterrupted):
			c.setDialed(i, nil, err)
			c.abandon(ps, err)
			return
		case err != nil:
			c.setDialed(i, nil, err)
		case d != nil:
			ps = append(ps, dialPending{i, d})
		}
	}
	fds := make([]pollFd, len(ps))
	remove := func(k int) {
		ps[k], fds[k] = ps[len(ps)-1], fds[len(ps)-1]
		ps, fds = ps[:len(ps)-1], fds[:len(ps)-1]
	}
	for {
		// connects done at once first, then those the poll found done
		for k := 0; k < len(ps); {
			p := ps[k]
			if p.d.inProgress && fds[k].revents == 0 {
				k++
				continue
			}
			fds[k].revents = 0
			done, err := p.d.end()
			if !done {
				k++ // the next address's connect is in progress
				continue
			}
			if err == nil {
				cn, err := c.ready(&c.servers[p.i], p.d.c)
				c.setDialed(p.i, cn, err)
			} else {
				c.setDialed(p.i, nil, err)
			}
			remove(k)
		}
		wait := Slice
		for k := 0; k < len(ps); {
			left, err := ps[k].d.c.left("connecting to")
			if err != nil {
				ps[k].d.c.Close()
				c.setDialed(ps[k].i, nil, err)
				remove(k)
				continue
			}
			wait = minDuration(wait, left)
			fds[k] = pollFd{fd: int32(ps[k].d.c.fd), events: pollOut}
			k++
		}
		if len(ps) == 0 {
			return
		}
		start := mono()
		_, err := ppoll(fds, wait)
		waited := mono() - start
		for _, p := range ps {
			p.d.c.waited += waited
		}
		if err == nil && InterruptPending() {
			err = ErrInterrupted
		}
		if err != nil {
			c.abandon(ps, err)
			return
		}
	}
}

// dialPending is a connect dialAhead waits for: server i's.
type dialPending struct {
	i int
	d *dialer
}

// abandon ends the connects of ps, which fail with err.
func (c *Client) abandon(ps []dialPending, err error) {
	for _, p := range ps {
		p.d.c.Close()
		c.setDialed(p.i, nil, err)
	}
}

func (c *Client) setDialed(i int, cn *conn, err error) {
	if len(c.dialed) < len(c.servers) {
		c.dialed = make([]dialed, len(c.servers))
	}
	c.dialed[i] = dialed{cn, err}
	c.dialedAny = true
}

// takeDialed hands out what dialAhead made for server i; ok is false when
// it made nothing.
func (c *Client) takeDialed(i int) (cn *conn, err error, ok bool) {
	if len(c.dialed) <= i || c.dialed[i].cn == nil && c.dialed[i].err == nil {
		return nil, nil, false
	}
	d := c.dialed[i]
	c.dialed[i] = dialed{}
	return d.cn, d.err, true
}

// dropDialed lets go of what dialAhead made and no take handed out (a
// call that ended first): connections go to the pool.
func (c *Client) dropDialed() {
	for i := range c.dialed {
		if cn := c.dialed[i].cn; cn != nil {
			c.put(i, cn)
		}
		c.dialed[i] = dialed{}
	}
	c.dialedAny = false
}

// put returns server i's connection to the pool after a command that was
// answered in full.
func (c *Client) put(i int, cn *conn) {
	s := &c.servers[i]
	if s.idle != nil && s.idle != cn {
		s.idle.close()
	}
	s.idle = cn
}

// fail closes server i's connection after a failure mid-way: its replies
// would be out of step. A timeout marks the server down (see server). It
// returns the error to report. A probe marks nothing.
func (c *Client) fail(i int, cn *conn, err error, probe bool) error {
	cn.close()
	err = tlsAlert(c.servers[i].Addr, err)
	if !probe && isTimeout(err) {
		c.servers[i].markDown(err, c.cfg.RetryDelay)
	}
	return c.onServer(i, err)
}

// serverError is a failure of one server: the caller is told which (the C
// side reports repeated failures of one server once per statement).
type serverError struct {
	addr string
	err  error
}

func (e *serverError) Error() string { return e.err.Error() }
func (e *serverError) Unwrap() error { return e.err }

// onServer marks err, a failure of server i or of the network to it, as
// that server's.
func (c *Client) onServer(i int, err error) error {
	if e, ok := err.(*Error); err == nil || ok && e.Code != CodeNetwork && e.Code != CodeServer {
		return err // no failure (a miss, not stored), or not the server's: without allocating
	}
	if code := Classify(err); code != CodeNetwork && code != CodeServer || FailedServer(err) != "" {
		return err
	}
	return &serverError{addr: c.servers[i].Addr, err: err}
}

// FailedServer names the server err is a failure of ("" when none).
func FailedServer(err error) string {
	var se *serverError
	if errors.As(err, &se) {
		return se.addr
	}
	return ""
}

// closeAll drops the pooled connections (and those dialAhead made).
func (c *Client) closeAll() {
	for i := range c.dialed {
		if cn := c.dialed[i].cn; cn != nil {
			cn.close()
		}
		c.dialed[i] = dialed{}
	}
	for i := range c.servers {
		if cn := c.servers[i].idle; cn != nil {
			cn.close()
			c.servers[i].idle = nil
		}
	}
}

// exchange sends a command (hdr, and data unless nil) to server i and
// reads the first line of its reply, for the caller to read the rest and
// then put or fail the connection. A reused connection the server had
// closed is replaced and the command sent again where resendable allows.
// On failure the connection is already closed.
func (c *Client) exchange(i int, hdr, data []byte, idempotent bool) (*conn, []byte, error) {
	for again := true; ; again = false {
		cn, err := c.take(i, false, !idempotent)
		if err != nil {
			return nil, nil, err
		}
		err = cn.send(hdr, data)
		var line []byte
		if err == nil {
			if line, err = cn.line(); err == nil {
				return cn, line, nil
			}
		}
		if again && cn.resendable(err, idempotent) {
			cn.close()
			continue
		}
		return nil, nil, c.fail(i, cn, err, false)
	}
}

// request sends what write puts in the buffer of server i's connection,
// replacing a reused connection the server had closed (nothing was sent
// on it). The reply is read by reply.
func (c *Client) request(i int, probe bool, write func(w *bufio.Writer)) (*conn, error) {
	for again := true; ; again = false {
		cn, err := c.take(i, probe, false)
		if err != nil {
			return nil, err
		}
		write(cn.rw.Writer)
		err = cn.flush()
		if err == nil {
			return cn, nil
		}
		if again && cn.resendable(err, false) {
			cn.close()
			continue
		}
		return nil, c.fail(i, cn, err, probe)
	}
}

// reply reads the reply to request with read, which must read all of it.
// When a reused connection turns out closed before the reply began, the
// request (idempotent) is sent again once on a new connection. The
// connection goes back to the pool, or is closed on failure.
func (c *Client) reply(i int, cn *conn, probe bool, write func(w *bufio.Writer), read func(cn *conn) error) error {
	err := read(cn)
	if err != nil && cn.resendable(err, true) {
		cn.close()
		if cn, err = c.request(i, probe, write); err != nil {
			return err
		}
		err = read(cn)
	}
	if err != nil {
		return c.fail(i, cn, err, probe)
	}
	c.put(i, cn)
	return nil
}
