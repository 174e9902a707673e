package mc

import (
	"fmt"
	"time"
)

// Op is one operation of a batch: a set, or a delete.
type Op struct {
	Delete  bool
	Key     string // without the batch's prefix
	Value   []byte
	Exptime int32 // memcached's exptime, as CheckOp computed it
}

// Batch says how a batch's operations are sent.
type Batch struct {
	Prefix   string        // added to every key
	Timeout  time.Duration // for each chunk's replies; 0: the client's
	Deadline time.Time     // nothing is sent after it; zero: no limit
	// TimedOut holds, by address, the servers that timed out earlier in
	// the batch (several Apply calls may make one, the commit's chunks):
	// their later operations fail at once. A server marked down fails so
	// anyway; with memcache.server_retry_delay = 0 nothing is marked, and
	// each chunk of 4096 waited memcache.timeout again for a hung server.
	// Nil: not kept.
	TimedOut map[string]error
}

// Result is what a batch did. Every operation either took effect (a delete
// of a missing key counts) or failed on its own.
type Result struct {
	Done, Failed int
	First        error // the first failure
	FirstAt      int   // its operation's index; -1: none
}

// Err sums the failures up for the user (nil: none).
func (r Result) Err() error {
	if r.First == nil {
		return nil
	}
	return r.summed(fmt.Sprintf("%d of %d operations failed; the first: %s",
		r.Failed, r.Done+r.Failed, r.First.Error()))
}

// FirstErr is the first failure alone, for a caller that counts the
// operations of several batches itself (nil: none).
func (r Result) FirstErr() error {
	if r.First == nil {
		return nil
	}
	return r.summed(r.First.Error())
}

// summed is the error of message msg, with the code and server of the
// first failure.
func (r Result) summed(msg string) error {
	code := Classify(r.First)
	if code == CodeInternal {
		return r.First
	}
	err := error(errorf(code, msg))
	if addr := FailedServer(r.First); addr != "" {
		err = &serverError{addr: addr, err: err}
	}
	return err
}

// CheckOp checks an operation before it is queued, so that nothing about it
// can fail later but the server: the key with the prefix it will be sent
// with, and the expiry, as the exptime to send.
func CheckOp(prefix, key string, seconds int64, absolute bool, now func() time.Time) (int32, error) {
	if err := CheckKey(prefix+key, len(prefix)); err != nil {
		return 0, badKey(key, err)
	}
	return Expiration(seconds, absolute, now)
}

// Routes reports whether c sends keys where a client for cfg would: the
// same servers, placement and connection security.
func (c *Client) Routes(cfg Config) bool {
	return c.cfg.Servers == cfg.Servers && c.cfg.Distribution == cfg.Distribution &&
		c.cfg.Security == cfg.Security
}

// A batch is sent in chunks: each chunk's replies get the whole timeout
// (a large healthy batch is not cut short by memcache.timeout), and the
// memory of a chunk in flight stays small.
const (
	chunkOps   = 4096
	chunkBytes = 4 << 20
)

// errDeadline ends a batch whose time is up.
var errDeadline = errorf(CodeNetwork, "not sent: the time limit of the commit-time writes (memcache.commit_timeout) passed")

// Apply runs a batch: commit-time sends and memcache_set_multi. Within a
// chunk the keys of each server are pipelined over one connection, sent to
// every server before their replies are read; operations on one key reach
// its server in the batch's order. An operation that fails (a bad key, a
// server error, a server down) fails alone; the time limit, an interrupt
// or no server at all fail what is left.
func (c *Client) Apply(ops []Op, b Batch) Result {
	res := Result{FirstAt: -1}
	fail := func(i int, err error) {
		res.Failed++
		if res.First == nil {
			res.First, res.FirstAt = err, i
		}
	}
	timeout := b.Timeout
	if timeout <= 0 {
		timeout = c.cfg.Timeout
	}
	for start := 0; start < len(ops); {
		end, bytes := start, 0
		for end < len(ops) && end-start < chunkOps && (end == start || bytes+len(ops[end].Value) <= chunkBytes) {
			bytes += len(ops[end].Value)
			end++
		}
		var stop error
		switch {
		case len(c.servers) == 0:
			stop = ErrNoServers
		case InterruptPending():
			stop = ErrInterrupted
		case !b.Deadline.IsZero() && !time.Now().Before(b.Deadline):
			stop = errDeadline
		}
		if stop != nil {
			for i := start; i < len(ops); i++ {
				fail(i, stop)
			}
			break
		}
		c.limit, c.hard = timeout, b.Deadline
		c.applyChunk(ops, start, end, b, &res, fail)
		start = end
	}
	return res
}

// applyChunk sends ops[start:end].
func (c *Client) applyChunk(ops []Op, start, end int, b Batch, res *Result, fail func(int, error)) {
	prefix := b.Prefix
	groups := make(map[int][]pipeItem)
	index := make(map[*Op]int, end-start)
	for i := start; i < end; i++ {
		op := &ops[i]
		k := op.Key
		if prefix != "" {
			k = prefix + k
		}
		if err := CheckKey(k, len(prefix)); err != nil {
			fail(i, badKey(op.Key, err))
			continue
		}
		index[op] = i
		idx := c.serverOf(k)
		groups[idx] = append(groups[idx], pipeItem{op, k, op.Exptime})
	}
	runs := make([]*pipeRun, 0, len(groups))
	var skipped []*pipeRun
	for idx := range c.servers {
		items := groups[idx]
		if len(items) == 0 {
			continue
		}
		r := &pipeRun{s: idx, items: items}
		if err := b.TimedOut[c.servers[idx].Addr]; err != nil {
			c.countStopped(r, err)
			r.first, r.firstAt, r.failed, r.done = err, 0, len(items), true
			skipped = append(skipped, r)
			continue
		}
		runs = append(runs, r)
	}
	c.runPipelined(runs)
	for _, r := range runs {
		if b.TimedOut != nil && r.failed > 0 && isTimeout(r.first) {
			b.TimedOut[c.servers[r.s].Addr] = r.first
		}
	}
	for _, r := range append(runs, skipped...) {
		res.Done += r.ok
		if r.failed == 0 {
			continue
		}
		// Servers run side by side: the batch's first failure is the one
		// earliest in the batch.
		if at := index[r.items[r.firstAt].op]; res.First == nil || at < res.FirstAt {
			res.First, res.FirstAt = r.first, at
		}
		res.Failed += r.failed
	}
}
