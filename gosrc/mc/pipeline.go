package mc

import (
	"fmt"
	"strconv"
)

// pipeChunk is how many commands are written before their replies are
// read: enough to hide the round trip, few enough that the replies always
// fit in the socket buffers (so neither side can block the other).
const pipeChunk = 512

// pipeItem is one operation of a batch, its key complete.
type pipeItem struct {
	op  *Op
	key string
	exp int32
}

// pipeRun is one server's share of a batch.
type pipeRun struct {
	s          int // server index
	items      []pipeItem
	cn         *conn
	ok, failed int
	first      error
	firstAt    int  // the item first failed
	done       bool // finished, or its connection failed
	again      bool // its reused connection was closed before any reply: run it once more
	retried    bool
}

// stop ends r after err: the items not yet answered count as failed and
// the connection is dropped (its replies are out of step).
func (c *Client) stop(r *pipeRun, err error) {
	if r.cn != nil && !r.retried && r.cn.resendable(err, true) { // sets and deletes: idempotent
		r.cn.close()
		r.cn, r.again, r.done = nil, true, true
		return
	}
	if r.cn != nil {
		err = c.fail(r.s, r.cn, err, false)
		r.cn = nil
	}
	c.countStopped(r, err)
	if r.first == nil {
		r.first, r.firstAt = err, r.ok+r.failed
	}
	r.failed = len(r.items) - r.ok
	r.done = true
}

// runPipelined runs every server's items in chunks of pipeChunk commands:
// each chunk is sent to every server before any reply is read, so the
// servers work in parallel while this thread does all the I/O, and one
// round trip per chunk is paid, not one per command. A server whose
// reused connection turns out closed before it answered anything is run
// again on a new one.
func (c *Client) runPipelined(runs []*pipeRun) {
	c.runChunks(runs)
	var again []*pipeRun
	for _, r := range runs {
		if r.again {
			*r = pipeRun{s: r.s, items: r.items, retried: true}
			again = append(again, r)
		}
	}
	if len(again) > 0 {
		c.runChunks(again)
	}
}

func (c *Client) runChunks(runs []*pipeRun) {
	began := mono()
	c.dialAhead(len(runs), func(k int) int { return runs[k].s }, false)
	for _, r := range runs {
		cn, err := c.take(r.s, false, false)
		if err != nil {
			c.stop(r, err)
			continue
		}
		r.cn = cn
	}
	for start := 0; ; start += pipeChunk {
		more := false
		for _, r := range runs {
			if !r.done && start < len(r.items) {
				more = true
				c.sendChunk(r, r.items[start:min(start+pipeChunk, len(r.items))])
			}
		}
		if !more {
			break
		}
		for _, r := range runs {
			if !r.done && start < len(r.items) {
				c.readChunk(r, r.items[start:min(start+pipeChunk, len(r.items))])
			}
		}
	}
	for _, r := range runs {
		if r.cn != nil {
			c.put(r.s, r.cn)
			r.cn = nil
		}
		c.servers[r.s].st.roundTrip(mono() - began)
	}
}

func (c *Client) sendChunk(r *pipeRun, chunk []pipeItem) {
	w := r.cn.rw
	for _, it := range chunk {
		if it.op.Delete {
			c.hbuf = append(appendCmd(c.hbuf[:0], "delete", it.key), crlf...)
			w.Write(c.hbuf)
			continue
		}
		c.hbuf = appendStore(c.hbuf[:0], VerbSet, it.key, it.exp, len(it.op.Value))
		w.Write(c.hbuf)
		w.Write(it.op.Value)
		w.Write(crlf)
	}
	if err := r.cn.flush(); err != nil {
		c.stop(r, err)
	}
}

func (c *Client) readChunk(r *pipeRun, chunk []pipeItem) {
	for _, it := range chunk {
		line, err := r.cn.line()
		if err != nil {
			c.stop(r, err)
			return
		}
		want := replyStored
		if it.op.Delete {
			want = replyDeleted
		}
		err, inStep := outcome(line, want)
		if inStep {
			c.countItem(r.s, it, err)
		}
		switch {
		case err == nil || err == ErrCacheMiss && it.op.Delete:
			r.ok++
		case !inStep:
			c.stop(r, pipeReplyError(it, err))
			return
		default:
			r.failed++
			if r.first == nil {
				r.first, r.firstAt = c.onServer(r.s, pipeReplyError(it, err)), r.ok+r.failed-1
			}
		}
	}
	if r.ok+r.failed == len(r.items) {
		r.done = true
	}
}

func pipeReplyError(it pipeItem, err error) error {
	verb := "set"
	if it.op.Delete {
		verb = "delete"
	}
	e := err.(*Error)
	return errorf(e.Code, fmt.Sprintf("%s %s: %s", verb, strconv.Quote(it.key), e.Msg))
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
