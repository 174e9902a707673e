//go:build linux

package mc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Slice is how long one socket call may block before the caller checks
// for a pending PostgreSQL interrupt. A signal (cancel, statement_timeout,
// terminate) also ends the wait at once with EINTR; the slice bounds the
// case where the signal went to another thread.
const Slice = 20 * time.Millisecond

// epoch is the origin of mono.
var epoch = time.Now()

// mono is the monotonic clock: one read of it, where time.Now reads the
// wall clock too. On a VM a read costs about 60 ns, and a call used to read
// it eleven times (a tenth of a 6.5 us call).
func mono() time.Duration { return time.Since(epoch) }

// InterruptPending reports whether the backend has an interrupt it can
// service now (set by package main; it only reads PostgreSQL's flags).
var InterruptPending = func() bool { return false }

// timeoutError is memcache.timeout expiring on one server: the call
// waited that long for it.
type timeoutError struct {
	op, addr string
	timeout  time.Duration
	note     string // what it may mean, after the message
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("%s %s timed out after %d ms (memcache.timeout)%s", e.op, e.addr, e.timeout.Milliseconds(), e.note)
}
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }

// sockConn is a net.Conn over a blocking socket, read and written with raw
// system calls on the calling thread: the backend's own thread, since every
// command is sent and read by the cgo call's goroutine (no goroutines, no
// threads of its own). Go's netpoller would park the goroutine and wake the
// backend's thread from another thread on every reply, which doubles the
// cost of a call; a blocking read does not. The socket's
// SO_RCVTIMEO/SO_SNDTIMEO are one Slice, so no call blocks longer than
// that without checking for interrupts and the time limit.
//
// The time limit (memcache.timeout) counts the time the call spent waiting
// for this server: blocked in a system call on its socket (connect, send,
// receive, the TLS handshake), not the time the backend spent on its own
// work in between (preparing 200k keys, copying values). A server is
// marked down after a timeout, so a timeout must mean the server was slow,
// never the backend.
type sockConn struct {
	fd      int
	network string
	remote  string
	limit   time.Duration // memcache.timeout: the wait allowed in this call; <= 0: none
	waited  time.Duration // the wait so far in this call
	moved   uint64        // bytes sent and received on this connection in this call
	seen    uint64        // moved when the current stall began
	stall   time.Duration // waited when the current stall began
	hard    time.Time     // an absolute end of the call (commit_timeout); zero: none
	wait    time.Duration // the socket's current SO_*TIMEO
	unseen  time.Duration // waits that ended with data since interrupts were last looked at
	used    bool          // a reply to a command has been read on this connection
	unix    bool          // a unix socket (no TCP_NODELAY)
	st      *ServerStats  // counts the bytes

	// nowait: reads and writes never block (get_multi waits for several
	// servers at once with poll): a read with nothing to read returns
	// errWouldBlock, a write queues in out what the socket does not take.
	nowait bool
	out    []byte // written in nowait mode, not yet sent: out[sent:]
	sent   int
}

// begin starts a call's use of the connection: it may wait limit for the
// server, and must end by hard (zero: no such end).
func (c *sockConn) begin(limit time.Duration, hard time.Time) error {
	c.limit, c.waited, c.hard, c.unseen = limit, 0, hard, 0
	c.moved, c.seen, c.stall = 0, 0, 0
	return c.sliceWait()
}

// count records n bytes moved to or from the server.
func (c *sockConn) count(stat, n int) {
	c.st.C[stat] += uint64(n)
	c.moved += uint64(n)
}

// left is the wait still allowed, and the error to return when there is
// none.
func (c *sockConn) left(op string) (time.Duration, error) {
	left := time.Duration(1<<63 - 1)
	if c.limit > 0 {
		// A server times out when it moved nothing for memcache.timeout
		// of waiting (stopped, hung), or when the call's whole wait for
		// it passes memcache.timeout and as long again per MB it moved (a
		// trickle). A large get_multi or set_multi on a busy machine
		// waits longer in all without the server being slow.
		if c.moved != c.seen {
			c.seen, c.stall = c.moved, c.waited
		}
		mb := c.moved >> 20
		if mb > 1<<20 {
			mb = 1 << 20 // a TB: no overflow
		}
		allowed := c.limit * time.Duration(1+mb)
		switch {
		case c.waited-c.stall >= c.limit:
			return 0, &timeoutError{op: op, addr: c.remote, timeout: c.limit}
		case c.waited >= allowed:
			e := &timeoutError{op: op, addr: c.remote, timeout: c.limit}
			if mb > 0 {
				e.note = fmt.Sprintf(", %d ms in all for %d MB", allowed.Milliseconds(), mb)
			}
			return 0, e
		}
		left = minDuration(c.limit-(c.waited-c.stall), allowed-c.waited)
	}
	if !c.hard.IsZero() {
		h := time.Until(c.hard)
		if h <= 0 {
			return 0, errTimeLimit
		}
		if h < left {
			left = h
		}
	}
	return left, nil
}

// errTimeLimit is the end of a call that has an absolute one: the
// commit-time writes' memcache.commit_timeout. It is the batch's limit, not
// the server's failure: the server is not marked down for it.
var errTimeLimit = errorf(CodeNetwork, "the time limit of the commit-time writes (memcache.commit_timeout) passed")

// errWouldBlock is a read or write in nowait mode that would wait. It is
// temporary, so that a TLS connection can be read again after it.
var errWouldBlock error = wouldBlock{}

type wouldBlock struct{}

func (wouldBlock) Error() string   { return "the operation would wait" }
func (wouldBlock) Timeout() bool   { return true }
func (wouldBlock) Temporary() bool { return true }

type connAddr struct{ network, s string }

func (a connAddr) Network() string { return a.network }
func (a connAddr) String() string  { return a.s }

func (c *sockConn) LocalAddr() net.Addr  { return connAddr{c.network, ""} }
func (c *sockConn) RemoteAddr() net.Addr { return connAddr{c.network, c.remote} }

func (c *sockConn) Close() error {
	if c.fd < 0 {
		return nil
	}
	err := syscall.Close(c.fd)
	c.fd = -1
	atomic.AddInt32(&Stats.Sockets, -1)
	return err
}

// SetDeadline sets an absolute end (crypto/tls sets one to send its
// closing alert); the time limit of a call is set by begin.
func (c *sockConn) SetDeadline(t time.Time) error {
	if !c.hard.IsZero() && (t.IsZero() || t.After(c.hard)) {
		// never past the call's own end (a commit-time send's): TLS sets
		// 5 s to send its closing alert to a server that may read nothing
		t = c.hard
	}
	c.hard = t
	return c.sliceWait()
}

func (c *sockConn) SetReadDeadline(t time.Time) error  { return c.SetDeadline(t) }
func (c *sockConn) SetWriteDeadline(t time.Time) error { return c.SetDeadline(t) }

// sliceWait sets the socket's wait to one Slice, or less when less of the
// time limit is left.
func (c *sockConn) sliceWait() error {
	want := Slice
	if left, err := c.left(""); err == nil && left < want {
		want = left
	}
	if want < time.Millisecond {
		want = time.Millisecond
	}
	if c.wait != want {
		return c.setWait(want)
	}
	return nil
}

func (c *sockConn) setWait(d time.Duration) error {
	tv := syscall.NsecToTimeval(d.Nanoseconds())
	if err := syscall.SetsockoptTimeval(c.fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	if err := syscall.SetsockoptTimeval(c.fd, syscall.SOL_SOCKET, syscall.SO_SNDTIMEO, &tv); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	c.wait = d
	return nil
}

// next is called when a wait ended without data (timeout slice or signal):
// it says whether to go on, and shortens the last slice to the time left.
func (c *sockConn) next(op string) error {
	c.unseen = 0
	if InterruptPending() {
		return ErrInterrupted
	}
	if _, err := c.left(op); err != nil {
		return err
	}
	return c.sliceWait()
}

// waitEnded counts d, the wait of a blocking system call. A wait that
// ended with data also counts toward the next look at interrupts and the
// time limit (see beforeWait): a server that sends or takes a little at a
// time never lets a wait end empty, and must not keep a call from being
// cancelled or timing out.
func (c *sockConn) waitEnded(d time.Duration, data bool) {
	c.waited += d
	if data {
		c.unseen += d
	}
}

// beforeWait looks at interrupts before every wait (a few loads: a call
// that goes on to the next server after one was interrupted must not wait
// a Slice there first), and at the time limit, as next does, when waits
// that ended with data add up to a Slice. It runs before a wait, not after
// the transfer that ended one: what was moved is counted, and an exchange
// that just finished is not reported as failed.
func (c *sockConn) beforeWait(op string) error {
	if InterruptPending() {
		return ErrInterrupted
	}
	if c.unseen < Slice {
		return nil
	}
	return c.next(op)
}

func (c *sockConn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: c.network, Addr: c.RemoteAddr(), Err: os.NewSyscallError(op, err)}
}

// rawRecv and rawSend make the system call without telling the Go
// scheduler (no entersyscall): a call blocks one Slice at most, and telling
// the scheduler costs a processor hand-off on every reply (sysmon takes the
// P from a thread in a system call for more than 20 us).
func rawRecv(fd int, p []byte, flags int) (int, error) {
	n, _, e := syscall.RawSyscall6(syscall.SYS_RECVFROM, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)),
		uintptr(flags), 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

func rawSend(fd int, p []byte, flags int) (int, error) {
	n, _, e := syscall.RawSyscall6(syscall.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)),
		uintptr(syscall.MSG_NOSIGNAL|flags), 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// closedError is the server closing the connection. On a new connection,
// before any reply, it is most likely refusing this client.
type closedError struct {
	addr     string
	answered bool // the connection had served replies
}

func (e *closedError) Error() string {
	if e.answered {
		return e.addr + " closed the connection"
	}
	return e.addr + " closed the connection without answering (does it require TLS, a client certificate or authentication? see memcache.tls, memcache.tls_cert_file, memcache.username)"
}

// Unwrap makes it an io.EOF to callers that check for one.
func (e *closedError) Unwrap() error { return io.EOF }

func retry(err error) bool {
	return err == syscall.EAGAIN || err == syscall.EINTR
}

func (c *sockConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		var n int
		var err error
		if c.nowait {
			n, err = rawRecv(c.fd, p, syscall.MSG_DONTWAIT)
		} else {
			if err := c.beforeWait("reading from"); err != nil {
				return 0, err
			}
			t := mono()
			n, err = rawRecv(c.fd, p, 0)
			c.waitEnded(mono()-t, err == nil && n > 0)
		}
		switch {
		case err == nil && n == 0:
			return 0, &closedError{c.remote, c.used}
		case err == nil:
			c.used = true
			c.count(StatBytesRecv, n)
			return n, nil
		case err == syscall.EAGAIN && c.nowait:
			return 0, errWouldBlock
		case retry(err):
			if err := c.next("reading from"); err != nil {
				return 0, err
			}
		case err == syscall.ECONNRESET && !c.used:
			return 0, &closedError{c.remote, false}
		default:
			return 0, c.opError("read", err)
		}
	}
}

func (c *sockConn) Write(p []byte) (int, error) {
	if c.nowait {
		if c.sent == len(c.out) {
			c.out, c.sent = c.out[:0], 0
		}
		c.out = append(c.out, p...)
		return len(p), c.push()
	}
	done := 0
	for done < len(p) {
		// MSG_NOSIGNAL: a reset connection is an EPIPE error, not a SIGPIPE.
		// A send that finds room in the socket's buffer does not wait, and
		// a command almost always does: only a send that would wait is
		// timed (two clock reads around every send would cost more than
		// the send itself on a VM).
		n, err := rawSend(c.fd, p[done:], syscall.MSG_DONTWAIT)
		if err == syscall.EAGAIN {
			if err := c.beforeWait("writing to"); err != nil {
				return done, err
			}
			t := mono()
			n, err = rawSend(c.fd, p[done:], 0)
			c.waitEnded(mono()-t, err == nil && n > 0)
		}
		if err == nil {
			done += n
			c.count(StatBytesSent, n)
		} else if err = c.sendError(err); err != nil {
			return done, err
		}
	}
	return done, nil
}

// sendError is what a failed send means: nil to try again.
func (c *sockConn) sendError(err error) error {
	switch {
	case (err == syscall.ECONNRESET || err == syscall.EPIPE) && !c.used:
		return &closedError{c.remote, false}
	case retry(err):
		return c.next("writing to")
	}
	return c.opError("write", err)
}

// push sends what nowait mode queued, as far as the socket takes it now.
func (c *sockConn) push() error {
	for c.sent < len(c.out) {
		n, err := rawSend(c.fd, c.out[c.sent:], syscall.MSG_DONTWAIT)
		switch {
		case err == nil:
			c.sent += n
			c.count(StatBytesSent, n)
		case err == syscall.EAGAIN:
			return nil
		case err == syscall.EINTR:
		case (err == syscall.ECONNRESET || err == syscall.EPIPE) && !c.used:
			return &closedError{c.remote, false}
		default:
			return c.opError("write", err)
		}
	}
	return nil
}

// unsent says whether nowait mode has bytes queued.
func (c *sockConn) unsent() bool { return c.sent < len(c.out) }

// setNowait switches nowait mode; the queue must be empty to leave it.
func (c *sockConn) setNowait(on bool) {
	c.nowait = on
	if !on && !c.unsent() && cap(c.out) > 64<<10 {
		c.out, c.sent = nil, 0
	}
}

// sendv sends the concatenation of bufs with as few sendmsg calls as the
// socket allows (one, normally).
func (c *sockConn) sendv(bufs ...[]byte) error {
	var iov [3]syscall.Iovec
	for {
		n := 0
		for _, b := range bufs {
			if len(b) > 0 && n < len(iov) {
				iov[n].Base = &b[0]
				iov[n].SetLen(len(b))
				n++
			}
		}
		if n == 0 {
			return nil
		}
		msg := syscall.Msghdr{Iov: &iov[0]}
		msg.Iovlen = uint64(n)
		// as Write: without blocking first, timed only when it would wait
		sent, _, e := syscall.RawSyscall(syscall.SYS_SENDMSG, uintptr(c.fd), uintptr(unsafe.Pointer(&msg)),
			syscall.MSG_NOSIGNAL|syscall.MSG_DONTWAIT)
		if e == syscall.EAGAIN {
			if err := c.beforeWait("writing to"); err != nil {
				return err
			}
			t := mono()
			sent, _, e = syscall.RawSyscall(syscall.SYS_SENDMSG, uintptr(c.fd), uintptr(unsafe.Pointer(&msg)), syscall.MSG_NOSIGNAL)
			c.waitEnded(mono()-t, e == 0 && sent > 0)
		}
		if e != 0 {
			if err := c.sendError(e); err != nil {
				return err
			}
			continue
		}
		c.count(StatBytesSent, int(sent))
		left := int(sent)
		for i := range bufs {
			k := min(left, len(bufs[i]))
			bufs[i] = bufs[i][k:]
			left -= k
		}
	}
}

// dial connects to address, checking for interrupts every Slice. Host
// names are resolved here (IP literals need no lookup), when a connection
// is made, never when a setting changes. The connection it returns is in
// the call that made it: it may wait limit for the server in all, and must
// end by hard (zero: no such end); the resolving and connecting count.
func dial(ctx context.Context, network, address string, limit time.Duration, hard time.Time) (*sockConn, error) {
	d, err := newDialer(ctx, network, address, limit, hard)
	if err == nil {
		err = d.start()
	}
	for err == nil {
		if d.inProgress {
			if err := d.c.waitWritable(); err != nil {
				d.c.Close()
				return nil, err
			}
		}
		var done bool
		if done, err = d.end(); done && err == nil {
			return d.c, nil
		}
		if done {
			break
		}
	}
	return nil, err
}

func isTimeout(err error) bool {
	var te *timeoutError
	return errors.As(err, &te)
}

func (c *sockConn) resolve(ctx context.Context) ([]syscall.Sockaddr, error) {
	host, portStr, err := net.SplitHostPort(c.remote)
	if err != nil {
		return nil, err
	}
	port, err := net.LookupPort("tcp", portStr)
	if err != nil {
		return nil, err
	}
	var ips []net.IP
	if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else if ips, err = c.lookup(ctx, host); err != nil {
		return nil, err
	}
	sas := make([]syscall.Sockaddr, 0, len(ips))
	for _, ip := range ips {
		if ip4 := ip.To4(); ip4 != nil {
			sa := &syscall.SockaddrInet4{Port: port}
			copy(sa.Addr[:], ip4)
			sas = append(sas, sa)
		} else if ip16 := ip.To16(); ip16 != nil {
			sa := &syscall.SockaddrInet6{Port: port}
			copy(sa.Addr[:], ip16)
			sas = append(sas, sa)
		}
	}
	return sas, nil
}

// lookup resolves a host name. The resolver cannot be sliced, so a
// short-lived goroutine watches for interrupts and cancels it; lookups only
// happen when a new connection is made. The wait counts as the server's.
func (c *sockConn) lookup(ctx context.Context, host string) ([]net.IP, error) {
	left, err := c.left("resolving")
	if err != nil {
		return nil, err
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, left)
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	interrupted := make(chan struct{})
	go func() {
		defer func() { _ = recover() }()
		t := time.NewTicker(Slice)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if InterruptPending() {
					close(interrupted)
					cancel()
					return
				}
			}
		}
	}()
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	c.waited += time.Since(start)
	if err != nil {
		select {
		case <-interrupted:
			return nil, ErrInterrupted
		default:
		}
		if _, lerr := c.left("resolving"); lerr != nil {
			return nil, lerr
		}
		return nil, err
	}
	ips := make([]net.IP, len(addrs))
	for i, a := range addrs {
		ips[i] = a.IP
	}
	return ips, nil
}

// MaxSockets is how many sockets the client may hold at once (0: no
// limit), the room PostgreSQL keeps for them (extension/external_fds.c).
var MaxSockets int32

// takeSocket counts a socket about to be opened, unless MaxSockets are.
func takeSocket() error {
	max := atomic.LoadInt32(&MaxSockets)
	for {
		n := atomic.LoadInt32(&Stats.Sockets)
		if max > 0 && n >= max {
			return os.NewSyscallError("socket", fmt.Errorf("the backend already holds %d sockets to memcached, "+
				"a third of the files it may keep open (max_files_per_process, ulimit -n)", n))
		}
		if atomic.CompareAndSwapInt32(&Stats.Sockets, n, n+1) {
			return nil
		}
	}
}

// connectStart opens c's socket and starts its connect to sa without
// waiting; inProgress: connectEnd is due once the socket is writable.
func (c *sockConn) connectStart(sa syscall.Sockaddr) (inProgress bool, err error) {
	family := syscall.AF_UNIX
	switch sa.(type) {
	case *syscall.SockaddrInet4:
		family = syscall.AF_INET
	case *syscall.SockaddrInet6:
		family = syscall.AF_INET6
	}
	if err := takeSocket(); err != nil {
		return false, err
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC|syscall.SOCK_NONBLOCK, 0)
	if err != nil {
		atomic.AddInt32(&Stats.Sockets, -1)
		return false, os.NewSyscallError("socket", err)
	}
	c.fd, c.wait, c.unix = fd, 0, family == syscall.AF_UNIX
	err = syscall.Connect(fd, sa)
	for err == syscall.EINTR {
		err = syscall.Connect(fd, sa)
	}
	if err == syscall.EINPROGRESS || err == syscall.EAGAIN || err == syscall.EALREADY {
		return true, nil
	}
	if err != nil {
		return false, c.dialErr(err)
	}
	return false, nil
}

// connectEnd makes c's connected socket ready for commands (after its
// connect finished, when it was in progress).
func (c *sockConn) connectEnd(inProgress bool) error {
	if inProgress {
		soErr, err := syscall.GetsockoptInt(c.fd, syscall.SOL_SOCKET, syscall.SO_ERROR)
		if err == nil && soErr != 0 {
			err = syscall.Errno(soErr)
		}
		if err != nil {
			return c.dialErr(err)
		}
	}
	if err := syscall.SetNonblock(c.fd, false); err != nil {
		return c.dialErr(err)
	}
	if !c.unix {
		_ = syscall.SetsockoptInt(c.fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	}
	if err := c.sliceWait(); err != nil {
		c.Close()
		return err
	}
	return nil
}

// dialErr closes c after its connect failed with err.
func (c *sockConn) dialErr(err error) error {
	c.Close()
	return &net.OpError{Op: "dial", Net: c.network, Addr: c.RemoteAddr(), Err: os.NewSyscallError("connect", err)}
}

// dialer is a dial, driven by dial or, for several servers at once, by
// dialAhead: its addresses tried in turn on one sockConn, so that the
// server's waiting adds up.
type dialer struct {
	c          *sockConn
	sas        []syscall.Sockaddr
	next       int   // the address to try after the one in progress
	inProgress bool  // a connect waits for the socket to be writable
	last       error // the last address's failure
}

// newDialer resolves address (a failure is the server's).
func newDialer(ctx context.Context, network, address string, limit time.Duration, hard time.Time) (*dialer, error) {
	c := &sockConn{fd: -1, network: network, remote: address, limit: limit, hard: hard, st: &uncounted}
	if network == "unix" {
		return &dialer{c: c, sas: []syscall.Sockaddr{&syscall.SockaddrUnix{Name: address}}}, nil
	}
	sas, err := c.resolve(ctx)
	if err != nil {
		return nil, err
	}
	return &dialer{c: c, sas: sas}, nil
}

// dialStart resolves address and starts its first connect, for
// dialAhead. It returns nil, nil for a unix socket, whose connect does not
// wait: dial makes it.
func dialStart(network, address string, limit time.Duration, hard time.Time) (*dialer, error) {
	if network == "unix" {
		return nil, nil
	}
	d, err := newDialer(context.Background(), network, address, limit, hard)
	if err != nil {
		return nil, err
	}
	return d, d.start()
}

// start starts the connect to the next address; for one that fails at
// once, the one after. It returns the last address's failure.
func (d *dialer) start() error {
	for d.next < len(d.sas) {
		sa := d.sas[d.next]
		d.next++
		inProgress, err := d.c.connectStart(sa)
		if err == nil {
			d.inProgress = inProgress
			return nil
		}
		d.last = err
	}
	if d.last == nil {
		d.last = &net.OpError{Op: "dial", Net: d.c.network, Addr: d.c.RemoteAddr(), Err: errors.New("no address")}
	}
	return d.last
}

// end finishes the connect in progress, once the socket is writable. When
// it failed, it starts the next address's (done is then false), unless the
// failure is the call's time or an interrupt.
func (d *dialer) end() (done bool, err error) {
	for {
		err := d.c.connectEnd(d.inProgress)
		if err == nil {
			return true, nil
		}
		if errors.Is(err, ErrInterrupted) || isTimeout(err) || err == errTimeLimit {
			return true, err
		}
		d.last = err
		if err := d.start(); err != nil {
			return true, err
		}
		if d.inProgress {
			return false, nil
		}
	}
}

type pollFd struct {
	fd      int32
	events  int16
	revents int16
}

const (
	pollIn  = 0x1
	pollOut = 0x4
	pollErr = 0x8
	pollHup = 0x10
)

// poll waits until one of fds is ready, for max at most, in slices: a
// signal or a slice's end checks for interrupts. It returns how many are
// ready (their revents set); 0 when max passed. Like the reads, it tells
// the scheduler nothing (see rawRecv).
func poll(fds []pollFd, max time.Duration) (int, error) {
	end := time.Now().Add(max)
	for {
		left := time.Until(end)
		if left <= 0 {
			return 0, nil
		}
		if left > Slice {
			left = Slice
		}
		n, err := ppoll(fds, left)
		if err != nil || n > 0 {
			return n, err
		}
		if InterruptPending() {
			return 0, ErrInterrupted
		}
	}
}

// ppoll is one wait of at most d; a signal ends it with 0 ready.
func ppoll(fds []pollFd, d time.Duration) (int, error) {
	ts := syscall.NsecToTimespec(d.Nanoseconds())
	n, _, errno := syscall.RawSyscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), uintptr(len(fds)),
		uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
	if errno == syscall.EINTR {
		return 0, nil
	}
	if errno != 0 {
		return 0, os.NewSyscallError("ppoll", errno)
	}
	return int(n), nil
}

// waitWritable waits for a non-blocking connect to finish.
func (c *sockConn) waitWritable() error {
	fds := [1]pollFd{{fd: int32(c.fd), events: pollOut}}
	for {
		left, err := c.left("connecting to")
		if err != nil {
			return err
		}
		start := mono()
		n, err := poll(fds[:], left)
		c.waited += mono() - start
		if err != nil || n > 0 {
			return err
		}
	}
}

// idle says whether an idle connection is still open with nothing to
// read: a peek that does not wait. The server may have closed it (EOF: a
// restart, memcached's idle_timeout, a proxy), reset it (a firewall), or
// sent something no command asked for (a TLS alert before closing).
func (c *sockConn) idle() bool {
	var b [1]byte
	for {
		_, err := rawRecv(c.fd, b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch err {
		case syscall.EAGAIN:
			return true
		case syscall.EINTR:
			continue
		}
		return false
	}
}
