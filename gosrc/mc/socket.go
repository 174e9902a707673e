//go:build linux

package mc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// Slice is how long one socket call may block before the caller checks
// for a pending PostgreSQL interrupt. A signal (cancel, statement_timeout,
// terminate) also ends the wait at once with EINTR; the slice bounds the
// case where the signal went to another thread.
const Slice = 20 * time.Millisecond

// InterruptPending reports whether the backend has an interrupt it can
// service now (set by package main; it only reads PostgreSQL's flags).
var InterruptPending = func() bool { return false }

// timeoutError is memcache.timeout expiring on one server.
type timeoutError struct {
	op, addr string
	timeout  time.Duration
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("%s %s timed out after %d ms (memcache.timeout)", e.op, e.addr, e.timeout.Milliseconds())
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
// that without checking for interrupts and the deadline.
type sockConn struct {
	fd       int
	network  string
	remote   string
	timeout  time.Duration // memcache.timeout, for messages
	deadline time.Time     // the end of the call in progress
	wait     time.Duration // the socket's current SO_*TIMEO
	used     bool          // a reply to a command has been read on this connection
	st       *ServerStats  // counts the bytes
}

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
	return err
}

// SetDeadline sets the end of the call: memcache.timeout bounds a call as
// a whole (connect, send, every reply; for several servers, all of them).
func (c *sockConn) SetDeadline(t time.Time) error {
	c.deadline = t
	want := Slice
	if c.timeout > 0 && c.timeout < want {
		want = c.timeout
	}
	if c.wait != want {
		return c.setWait(want)
	}
	return nil
}

func (c *sockConn) SetReadDeadline(t time.Time) error  { return c.SetDeadline(t) }
func (c *sockConn) SetWriteDeadline(t time.Time) error { return c.SetDeadline(t) }

func (c *sockConn) setWait(d time.Duration) error {
	if d < time.Millisecond {
		d = time.Millisecond
	}
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
// it says whether to go on, and shortens the last slice to the deadline.
func (c *sockConn) next(op string) error {
	if InterruptPending() {
		return ErrInterrupted
	}
	if c.deadline.IsZero() {
		return nil
	}
	left := time.Until(c.deadline)
	if left <= 0 {
		return &timeoutError{op: op, addr: c.remote, timeout: c.timeout}
	}
	if left < c.wait {
		return c.setWait(left)
	}
	return nil
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

func rawSend(fd int, p []byte) (int, error) {
	n, _, e := syscall.RawSyscall6(syscall.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)),
		syscall.MSG_NOSIGNAL, 0, 0)
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
		n, err := rawRecv(c.fd, p, 0)
		switch {
		case err == nil && n == 0:
			return 0, &closedError{c.remote, c.used}
		case err == nil:
			c.used = true
			c.st.C[StatBytesRecv] += uint64(n)
			return n, nil
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
	done := 0
	for done < len(p) {
		// MSG_NOSIGNAL: a reset connection is an EPIPE error, not a SIGPIPE.
		n, err := rawSend(c.fd, p[done:])
		switch {
		case err == nil:
			done += n
			c.st.C[StatBytesSent] += uint64(n)
		case (err == syscall.ECONNRESET || err == syscall.EPIPE) && !c.used:
			return done, &closedError{c.remote, false}
		case retry(err):
			if err := c.next("writing to"); err != nil {
				return done, err
			}
		default:
			return done, c.opError("write", err)
		}
	}
	return done, nil
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
		sent, _, e := syscall.RawSyscall(syscall.SYS_SENDMSG, uintptr(c.fd), uintptr(unsafe.Pointer(&msg)), syscall.MSG_NOSIGNAL)
		switch {
		case e == 0:
			c.st.C[StatBytesSent] += uint64(sent)
			left := int(sent)
			for i := range bufs {
				k := min(left, len(bufs[i]))
				bufs[i] = bufs[i][k:]
				left -= k
			}
		case (e == syscall.ECONNRESET || e == syscall.EPIPE) && !c.used:
			return &closedError{c.remote, false}
		case retry(e):
			if err := c.next("writing to"); err != nil {
				return err
			}
		default:
			return c.opError("write", e)
		}
	}
}

// dial connects to address by deadline, checking for interrupts every
// Slice. Host names are resolved here (IP literals need no lookup), when a
// connection is made, never when a setting changes. timeout is
// memcache.timeout, for messages.
func dial(ctx context.Context, network, address string, deadline time.Time, timeout time.Duration) (*sockConn, error) {
	var sas []syscall.Sockaddr
	if network == "unix" {
		sas = []syscall.Sockaddr{&syscall.SockaddrUnix{Name: address}}
	} else {
		var err error
		if sas, err = resolve(ctx, address, deadline); err != nil {
			return nil, err
		}
	}
	var last error
	for _, sa := range sas {
		c, err := connect(network, address, sa, deadline, timeout)
		if err == nil {
			return c, nil
		}
		if errors.Is(err, ErrInterrupted) || isTimeout(err) {
			return nil, err
		}
		last = err
	}
	return nil, last
}

func isTimeout(err error) bool {
	var te *timeoutError
	return errors.As(err, &te)
}

func resolve(ctx context.Context, address string, deadline time.Time) ([]syscall.Sockaddr, error) {
	host, portStr, err := net.SplitHostPort(address)
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
	} else if ips, err = lookup(ctx, host, deadline); err != nil {
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
// happen when a new connection is made.
func lookup(ctx context.Context, host string, deadline time.Time) ([]net.IP, error) {
	ctx, cancel := context.WithDeadline(ctx, deadline)
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
	if err != nil {
		select {
		case <-interrupted:
			return nil, ErrInterrupted
		default:
		}
		return nil, err
	}
	ips := make([]net.IP, len(addrs))
	for i, a := range addrs {
		ips[i] = a.IP
	}
	return ips, nil
}

func connect(network, address string, sa syscall.Sockaddr, deadline time.Time, timeout time.Duration) (*sockConn, error) {
	family := syscall.AF_UNIX
	switch sa.(type) {
	case *syscall.SockaddrInet4:
		family = syscall.AF_INET
	case *syscall.SockaddrInet6:
		family = syscall.AF_INET6
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC|syscall.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	c := &sockConn{fd: fd, network: network, remote: address, timeout: timeout, deadline: deadline, st: &uncounted}
	dialErr := func(err error) error {
		c.Close()
		return &net.OpError{Op: "dial", Net: network, Addr: c.RemoteAddr(), Err: os.NewSyscallError("connect", err)}
	}
	err = syscall.Connect(fd, sa)
	for err == syscall.EINTR {
		err = syscall.Connect(fd, sa)
	}
	if err == syscall.EINPROGRESS || err == syscall.EAGAIN || err == syscall.EALREADY {
		if err := waitWritable(c, deadline); err != nil {
			c.Close()
			return nil, err
		}
		soErr, gerr := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_ERROR)
		if gerr != nil {
			return nil, dialErr(gerr)
		}
		err = nil
		if soErr != 0 {
			err = syscall.Errno(soErr)
		}
	}
	if err != nil {
		return nil, dialErr(err)
	}
	if err := syscall.SetNonblock(fd, false); err != nil {
		return nil, dialErr(err)
	}
	if family != syscall.AF_UNIX {
		_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	}
	if err := c.setWait(Slice); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

type pollFd struct {
	fd      int32
	events  int16
	revents int16
}

const (
	pollIn  = 0x1
	pollOut = 0x4
)

// poll waits until one of fds is ready or deadline passes, in slices:
// a signal or a slice's end checks for interrupts. It returns how many are
// ready (their revents set); 0 when the deadline passed.
func poll(fds []pollFd, deadline time.Time) (int, error) {
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return 0, nil
		}
		if left > Slice {
			left = Slice
		}
		ts := syscall.NsecToTimespec(left.Nanoseconds())
		n, _, errno := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), uintptr(len(fds)),
			uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		if errno != 0 && errno != syscall.EINTR {
			return 0, os.NewSyscallError("ppoll", errno)
		}
		if errno == 0 && n > 0 {
			return int(n), nil
		}
		if InterruptPending() {
			return 0, ErrInterrupted
		}
	}
}

// waitWritable waits for a non-blocking connect to finish.
func waitWritable(c *sockConn, deadline time.Time) error {
	fds := [1]pollFd{{fd: int32(c.fd), events: pollOut}}
	n, err := poll(fds[:], deadline)
	if err == nil && n == 0 {
		err = &timeoutError{op: "connecting to", addr: c.remote, timeout: c.timeout}
	}
	return err
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
