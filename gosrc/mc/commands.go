package mc

import (
	"bytes"
	"fmt"
	"strconv"
)

// Single-key commands: one command line (and data block) leaves in one
// send on the key's server's pooled connection, and the reply is read on
// the backend's thread, with no allocation per call.

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

// GetTo fetches key and hands its value to sink; a miss is ErrCacheMiss.
func (c *Client) GetTo(key string, sink Sink) error {
	full, i, err := c.locate(key)
	if err != nil {
		return err
	}
	c.hbuf = append(appendCmd(c.hbuf[:0], "get", full), crlf...)
	cn, line, err := c.exchange(i, c.hbuf, nil, true)
	if err != nil {
		return err
	}
	if bytes.Equal(line, replyEnd) {
		c.put(i, cn)
		return ErrCacheMiss
	}
	k, n, err := parseValueLine(line)
	if err != nil || string(k) != full {
		if err == nil {
			err = fmt.Errorf("reply for another key: %q", bytes.TrimSpace(line))
		}
		return c.fail(i, cn, errorf(CodeServer, fmt.Sprintf("%s: %v", c.servers[i].Addr, err)), false)
	}
	if err := cn.readValue(sink.Value(n)); err != nil {
		return c.fail(i, cn, err, false)
	}
	if line, err = cn.line(); err != nil || !bytes.Equal(line, replyEnd) {
		if err == nil {
			err = errorf(CodeServer, fmt.Sprintf("%s: expected END after the value, got %q", c.servers[i].Addr, bytes.TrimSpace(line)))
		}
		return c.fail(i, cn, err, false)
	}
	c.put(i, cn)
	return nil
}

// Store runs set, add, replace, append or prepend. A condition not met
// (add of a key that exists, ...) is ErrNotStored.
func (c *Client) Store(verb Verb, key string, value []byte, exptime int32) error {
	if verb < VerbSet || verb > VerbPrepend {
		return errorf(CodeBadArg, "unknown storage command")
	}
	full, i, err := c.locate(key)
	if err != nil {
		return err
	}
	if value == nil {
		value = []byte{} // an empty data block, still sent
	}
	c.hbuf = appendStore(c.hbuf[:0], verb, full, exptime, len(value))
	cn, line, err := c.exchange(i, c.hbuf, value, verb == VerbSet || verb == VerbReplace)
	if err != nil {
		return err
	}
	return c.end(i, cn, line, replyStored)
}

// end finishes a command answered by one line, whose success line is ok.
func (c *Client) end(i int, cn *conn, line, ok []byte) error {
	err, inStep := outcome(line, ok)
	if !inStep {
		return c.fail(i, cn, err, false)
	}
	c.put(i, cn)
	return err
}

// Delete removes key; a missing key is ErrCacheMiss.
func (c *Client) Delete(key string) error {
	full, i, err := c.locate(key)
	if err != nil {
		return err
	}
	c.hbuf = append(appendCmd(c.hbuf[:0], "delete", full), crlf...)
	cn, line, err := c.exchange(i, c.hbuf, nil, true)
	if err != nil {
		return err
	}
	return c.end(i, cn, line, replyDeleted)
}

// IncrDecr adds (or, for decr, subtracts) delta; a missing key is
// ErrCacheMiss.
func (c *Client) IncrDecr(decr bool, key string, delta uint64) (uint64, error) {
	full, i, err := c.locate(key)
	if err != nil {
		return 0, err
	}
	cmd := "incr"
	if decr {
		cmd = "decr"
	}
	c.hbuf = strconv.AppendUint(append(appendCmd(c.hbuf[:0], cmd, full), ' '), delta, 10)
	c.hbuf = append(c.hbuf, crlf...)
	cn, line, err := c.exchange(i, c.hbuf, nil, false)
	if err != nil {
		return 0, err
	}
	if v, ok := decimal(bytes.TrimRight(line, " \r\n")); ok && bytes.HasSuffix(line, crlf) {
		c.put(i, cn)
		return v, nil
	}
	return 0, c.end(i, cn, line, nil)
}

// Touch sets a new expiry on key; a missing key is ErrCacheMiss.
func (c *Client) Touch(key string, exptime int32) error {
	full, i, err := c.locate(key)
	if err != nil {
		return err
	}
	c.hbuf = append(appendCmd(c.hbuf[:0], "touch", full, int64(exptime)), crlf...)
	cn, line, err := c.exchange(i, c.hbuf, nil, true)
	if err != nil {
		return err
	}
	return c.end(i, cn, line, replyTouched)
}
