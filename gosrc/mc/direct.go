package mc

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"unsafe"

	"github.com/bradfitz/gomemcache/memcache"
)

// The hot path: get, set and batches speak the text protocol themselves on
// the pooled batch connections (pipeline.go), on the backend's own thread,
// with no allocation per call. gomemcache formats every command with fmt,
// allocates an Item and a value per call and writes through a 4 kB buffer,
// so a 10 kB set took three send() calls and woke memcached three times.
// The other commands go through gomemcache.

// Sink receives values. Value returns n bytes for the caller to fill; the
// slice is only written during the call.
type Sink interface {
	Value(n int) []byte
}

// PairSink receives key, value pairs (get_multi). Drop forgets the last
// pair, whose value could not be read whole.
type PairSink interface {
	Pair(key []byte, n int) []byte
	Drop()
}

// View returns a string that shares b's bytes: no copy, valid while b is
// (the hot path's keys are views of the call's arguments or of a reused
// buffer, and nothing keeps them after the call).
func View(b []byte) string { return *(*string)(unsafe.Pointer(&b)) }

// fullKey puts the prefix and key into the client's key buffer and checks
// the result. The returned string views that buffer: valid until the next
// fullKey call, never to be kept.
func (c *Client) fullKey(key string) (string, error) {
	c.kbuf = append(append(c.kbuf[:0], c.cfg.Prefix...), key...)
	full := View(c.kbuf)
	if err := CheckKey(full); err != nil {
		return "", errorf(CodeBadKey, fmt.Sprintf("invalid key %q: %s", key, err))
	}
	if c.sel.Len() == 0 {
		return "", errorf(CodeNoServers, "no memcached server is configured (memcache.servers is empty)")
	}
	return full, nil
}

// begin starts a single-key call: the call's deadline, the full key, and a
// connection to its server with that deadline set.
func (c *Client) begin(key string) (string, Server, *pipeConn, error) {
	c.budget.start(c.cfg.Timeout)
	full, err := c.fullKey(key)
	if err != nil {
		return "", Server{}, nil, err
	}
	s := c.servers[c.sel.Index(full)]
	pc, err := c.open(s)
	return full, s, pc, err
}

// open returns a pooled connection to s for this thread's I/O, with the
// call's deadline set; a server marked down is refused at once.
func (c *Client) open(s Server) (*pipeConn, error) {
	if err := c.health.check(s.Addr); err != nil {
		return nil, err
	}
	pc, err := c.pipes.get(c, s)
	if err != nil {
		return nil, err
	}
	if err := pc.nc.SetDeadline(c.budget.clamp(deadlineAfter(c.cfg.Timeout))); err != nil {
		pc.nc.Close()
		return nil, err
	}
	return pc, nil
}

// GetTo fetches key and hands its value to sink; a miss is
// memcache.ErrCacheMiss.
func (c *Client) GetTo(key string, sink Sink) error {
	full, s, pc, err := c.begin(key)
	if err != nil {
		return err
	}
	c.hbuf = append(append(append(c.hbuf[:0], "get "...), full...), "\r\n"...)
	line, err := pc.roundTrip(c.hbuf, nil)
	if err != nil {
		return err
	}
	if string(line) == "END\r\n" {
		c.pipes.put(s.Addr, pc)
		return memcache.ErrCacheMiss
	}
	k, n, err := parseValueLine(line)
	if err != nil || string(k) != full {
		pc.nc.Close()
		if err == nil {
			err = fmt.Errorf("reply for another key: %q", bytes.TrimSpace(line))
		}
		return errorf(CodeServer, fmt.Sprintf("%s: %v", s.Addr, err))
	}
	if err := readValue(pc, sink.Value(n)); err != nil {
		pc.nc.Close()
		return err
	}
	if line, err = pc.rw.ReadSlice('\n'); err != nil || string(line) != "END\r\n" {
		pc.nc.Close()
		if err == nil {
			err = errorf(CodeServer, fmt.Sprintf("%s: expected END after the value, got %q", s.Addr, bytes.TrimSpace(line)))
		}
		return err
	}
	c.pipes.put(s.Addr, pc)
	return nil
}

// readValue fills dst with a value's bytes and checks the CRLF after them.
func readValue(pc *pipeConn, dst []byte) error {
	if _, err := io.ReadFull(pc.rw, dst); err != nil {
		return err
	}
	cr, err1 := pc.rw.ReadByte()
	lf, err2 := pc.rw.ReadByte()
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

// Set stores value under key with a single send.
func (c *Client) Set(key string, value []byte, exptime int32) error {
	full, s, pc, err := c.begin(key)
	if err != nil {
		return err
	}
	if value == nil {
		value = []byte{} // an empty data block, still sent
	}
	c.hbuf = appendStore(c.hbuf[:0], full, exptime, len(value))
	line, err := pc.roundTrip(c.hbuf, value)
	if err != nil {
		return err
	}
	if string(line) != "STORED\r\n" {
		err := replyError(line)
		if !bytes.HasPrefix(line, []byte("SERVER_ERROR")) && !bytes.HasPrefix(line, []byte("CLIENT_ERROR")) {
			pc.nc.Close() // not an answer to a set: out of step
			return err
		}
		c.pipes.put(s.Addr, pc)
		return err
	}
	c.pipes.put(s.Addr, pc)
	return nil
}

// appendStore appends "set <key> 0 <exptime> <n>\r\n".
func appendStore(b []byte, key string, exptime int32, n int) []byte {
	b = append(b, "set "...)
	b = append(b, key...)
	b = append(b, " 0 "...)
	b = strconv.AppendInt(b, int64(exptime), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, "\r\n"...)
}

// replyError turns an unexpected reply line into the error shown to the
// user; memcached's "object too large" is a limit, not a failure.
func replyError(line []byte) error {
	l := string(bytes.TrimSpace(line))
	switch {
	case bytes.Contains(line, []byte("object too large")):
		return errorf(CodeTooLarge, "memcached replied "+l)
	case bytes.Contains(line, []byte("unauthenticated")) || bytes.Contains(line, []byte("authentication token")):
		return errorf(CodeServer, "memcached replied "+l+": it requires authentication (memcache.username, memcache.password)")
	}
	return errorf(CodeServer, "memcached replied "+l)
}
