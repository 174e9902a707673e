package mc

import (
	"bytes"
	"fmt"
	"strconv"
)

// Single-key commands: one command line (and data block) leaves in one
// send on the key's server's pooled connection, and the reply is read on
// the backend's thread, with no allocation per call.

// Sink receives values. Value returns n bytes for the caller to fill (a
// non-nil slice also when n is 0), or nil when it has no room (out of
// memory): the call then fails. The slice is only written during the call.
type Sink interface {
	Value(n int) []byte
}

// GetTo fetches key and hands its value to sink; a miss is ErrCacheMiss.
func (c *Client) GetTo(key string, sink Sink) error {
	full, i, err := c.locate(key)
	if err != nil {
		return err
	}
	c.hbuf = append(appendCmd(c.hbuf[:0], "get", full), crlf...)
	_, err = c.retrieve(i, full, sink)
	return c.count(i, StatGet, err)
}

// GetsTo is GetTo that also returns the item's CAS token (for
// CompareAndSwap).
func (c *Client) GetsTo(key string, sink Sink) (uint64, error) {
	full, i, err := c.locate(key)
	if err != nil {
		return 0, err
	}
	c.hbuf = append(appendCmd(c.hbuf[:0], "gets", full), crlf...)
	cas, err := c.retrieve(i, full, sink)
	return cas, c.count(i, StatGets, err)
}

// GatTo fetches key, hands its value to sink and sets its expiry (get and
// touch, one command); a miss is ErrCacheMiss.
func (c *Client) GatTo(key string, exptime int32, sink Sink) error {
	full, i, err := c.locate(key)
	if err != nil {
		return err
	}
	c.hbuf = strconv.AppendInt(append(c.hbuf[:0], "gat "...), int64(exptime), 10)
	c.hbuf = append(append(append(c.hbuf, ' '), full...), crlf...)
	_, err = c.retrieve(i, full, sink)
	return c.count(i, StatGat, err)
}

// retrieve sends the retrieval command in c.hbuf (get, gets, gat: each
// may be sent twice) for the key full on server i and reads its one value
// into sink, with its CAS token when the reply has one.
func (c *Client) retrieve(i int, full string, sink Sink) (uint64, error) {
	cn, line, err := c.exchange(i, c.hbuf, nil, true)
	if err != nil {
		return 0, err
	}
	if bytes.Equal(line, replyEnd) {
		c.put(i, cn)
		return 0, ErrCacheMiss
	}
	v, err := parseValue(line)
	if err != nil || string(v.key) != full {
		if err == nil {
			err = fmt.Errorf("reply for another key: %q", bytes.TrimSpace(line))
		}
		return 0, c.fail(i, cn, errorf(CodeServer, fmt.Sprintf("%s: %v", c.servers[i].Addr, err)), false)
	}
	dst := sink.Value(v.n)
	if dst == nil {
		return 0, c.fail(i, cn, ErrNoMemory, false)
	}
	if err := cn.readValue(dst); err != nil {
		return 0, c.fail(i, cn, err, false)
	}
	if line, err = cn.line(); err != nil || !bytes.Equal(line, replyEnd) {
		if err == nil {
			err = errorf(CodeServer, fmt.Sprintf("%s: expected END after the value, got %q", c.servers[i].Addr, bytes.TrimSpace(line)))
		}
		return 0, c.fail(i, cn, err, false)
	}
	c.put(i, cn)
	return v.cas, nil
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
	if err == nil {
		err = c.end(i, cn, line, replyStored)
	}
	return c.count(i, StatSet+int(verb), err)
}

// CompareAndSwap stores value under key only if the item is unchanged
// since the gets that returned cas: ErrNotStored when it changed since
// (EXISTS), ErrCacheMiss when it is gone. Not sent twice: a second send
// after a first that stored would report EXISTS.
func (c *Client) CompareAndSwap(key string, value []byte, exptime int32, cas uint64) error {
	full, i, err := c.locate(key)
	if err != nil {
		return err
	}
	if value == nil {
		value = []byte{}
	}
	c.hbuf = appendCas(c.hbuf[:0], full, exptime, len(value), cas)
	cn, line, err := c.exchange(i, c.hbuf, value, false)
	if err == nil {
		err = c.end(i, cn, line, replyStored)
	}
	return c.count(i, StatCas, err)
}

// end finishes a command answered by one line, whose success line is ok.
func (c *Client) end(i int, cn *conn, line, ok []byte) error {
	err, inStep := outcome(line, ok)
	if !inStep {
		return c.fail(i, cn, err, false)
	}
	c.put(i, cn)
	return c.onServer(i, err)
}

// Delete removes key; a missing key is ErrCacheMiss.
func (c *Client) Delete(key string) error {
	full, i, err := c.locate(key)
	if err != nil {
		return err
	}
	c.hbuf = append(appendCmd(c.hbuf[:0], "delete", full), crlf...)
	cn, line, err := c.exchange(i, c.hbuf, nil, true)
	if err == nil {
		err = c.end(i, cn, line, replyDeleted)
	}
	return c.count(i, StatDelete, err)
}

// IncrDecr adds (or, for decr, subtracts) delta; a missing key is
// ErrCacheMiss.
func (c *Client) IncrDecr(decr bool, key string, delta uint64) (uint64, error) {
	full, i, err := c.locate(key)
	if err != nil {
		return 0, err
	}
	cmd, stat := "incr", StatIncr
	if decr {
		cmd, stat = "decr", StatDecr
	}
	c.hbuf = strconv.AppendUint(append(appendCmd(c.hbuf[:0], cmd, full), ' '), delta, 10)
	c.hbuf = append(c.hbuf, crlf...)
	cn, line, err := c.exchange(i, c.hbuf, nil, false)
	if err != nil {
		return 0, c.count(i, stat, err)
	}
	if v, ok := decimal(bytes.TrimRight(line, " \r\n")); ok && bytes.HasSuffix(line, crlf) {
		c.put(i, cn)
		return v, c.count(i, stat, nil)
	}
	return 0, c.count(i, stat, c.end(i, cn, line, nil))
}

// Touch sets a new expiry on key; a missing key is ErrCacheMiss.
func (c *Client) Touch(key string, exptime int32) error {
	full, i, err := c.locate(key)
	if err != nil {
		return err
	}
	c.hbuf = append(appendCmd(c.hbuf[:0], "touch", full, int64(exptime)), crlf...)
	cn, line, err := c.exchange(i, c.hbuf, nil, true)
	if err == nil {
		err = c.end(i, cn, line, replyTouched)
	}
	return c.count(i, StatTouch, err)
}
