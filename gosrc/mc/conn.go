package mc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// Slice is how long a socket operation may block before it checks for a
// pending PostgreSQL interrupt. Short enough to honour a cancel within
// 100 ms; long enough that a normal call never hits it.
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

// slicedConn makes a connection interruptible without a second goroutine:
// the deadline the client asks for is kept here, and the socket only ever
// gets a deadline at most one Slice away. When a slice runs out, the read or
// write checks for an interrupt and the real deadline, then resumes.
type slicedConn struct {
	net.Conn
	timeout  time.Duration
	deadline time.Time
}

func (c *slicedConn) SetDeadline(t time.Time) error {
	c.deadline = t
	return c.Conn.SetDeadline(sliceEnd(time.Now(), t))
}

func sliceEnd(now, deadline time.Time) time.Time {
	end := now.Add(Slice)
	if !deadline.IsZero() && deadline.Before(end) {
		return deadline
	}
	return end
}

// next is called when a slice ran out: it says whether to go on.
func (c *slicedConn) next(op string) error {
	if InterruptPending() {
		return ErrInterrupted
	}
	now := time.Now()
	if !c.deadline.IsZero() && !now.Before(c.deadline) {
		return &timeoutError{op: op, addr: c.RemoteAddr().String(), timeout: c.timeout}
	}
	return c.Conn.SetDeadline(sliceEnd(now, c.deadline))
}

func (c *slicedConn) Read(p []byte) (int, error) {
	for {
		n, err := c.Conn.Read(p)
		if n > 0 || err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
			return n, err
		}
		if err := c.next("reading from"); err != nil {
			return 0, err
		}
	}
}

func (c *slicedConn) Write(p []byte) (int, error) {
	done := 0
	for {
		n, err := c.Conn.Write(p[done:])
		done += n
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
			return done, err
		}
		if err := c.next("writing to"); err != nil {
			return done, err
		}
	}
}

// dial connects within timeout, polling for interrupts every Slice. The
// connect itself cannot be resumed, so a short-lived goroutine watches the
// flags and cancels it; dials are rare (connections are pooled).
func dial(ctx context.Context, network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
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
	var d net.Dialer
	nc, err := d.DialContext(ctx, network, address)
	if err != nil {
		select {
		case <-interrupted:
			return nil, ErrInterrupted
		default:
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, &timeoutError{op: "connecting to", addr: address, timeout: timeout}
		}
		return nil, err
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	return &slicedConn{Conn: nc, timeout: timeout}, nil
}
