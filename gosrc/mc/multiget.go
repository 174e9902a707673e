package mc

import (
	"bytes"
	"fmt"
	"time"
	"unsafe"

	"memcache/gosrc/offheap"
)

// get_multi: one request per server, lines of "get k1 k2 ..." of up to 2 kB
// (see getLine), every server's request and reply in flight at once. The backend's thread waits for all of them with
// one poll and serves whichever is ready, so that
//   - no server waits for another: a server blocked on a full socket (its
//     reply not read yet) would stop reading its request, and the request
//     of 200k keys would then never be sent whole;
//   - each value is read once, from the socket straight into the sink (the
//     result buffer), in the order it arrives; the sink keeps the index
//     that puts the values in the order asked;
//   - a server's time limit counts only the time spent waiting for it (see
//     sockConn), not the time spent on the keys or on other servers' values.
//
// The per-key state of a call lives outside Go's heap (offheap): a call of
// millions of keys cannot end the process with Go's fatal out of memory,
// and its memory is returned when it ends.

// Keys is get_multi's key list, without the prefix.
type Keys interface {
	Len() int
	Key(i int) string // valid during the call
}

// MultiSink receives get_multi's values in the order they arrive. The
// values of several servers are read at once, each as its bytes arrive.
type MultiSink interface {
	// Value makes room for the value of key k (the first of equal keys), n
	// bytes; false when there is none (out of memory): the call then fails.
	Value(k, n int) bool
	// Bytes is the room of key k's value. It moves when another value is
	// given room: it is asked for again before each write.
	Bytes(k int) []byte
	// Drop forgets key k's value: it could not be read whole.
	Drop(k int)
}

// getMulti state, reused by every call of a backend (one call at a time).
type multiGet struct {
	mem   offheap.Buf // srv, table and order below
	srv   []int32     // server index of key i; -1: a repeat of an earlier key
	table []int32     // open-addressing set of key indices, for repeats
	order []int32     // key indices grouped by server, in the order asked
	count []int       // keys per server
	runs  []mgRun
	fds   []pollFd
	fails []error
	// polls that found a server ready since interrupts were last looked
	// at: servers that keep sending a little never let a poll end empty
	unseen time.Duration
}

// keepScratch is how much per-key state stays allocated between calls.
const keepScratch = 256 << 10

// mgRun is one server's share of a call.
type mgRun struct {
	s       int
	keys    []int32 // its keys, in the order asked (a view of order)
	cn      *conn
	wrote   int  // keys written into the request so far
	lineLen int  // bytes of the get line being written; 0: none
	lines   int  // its get lines written whole
	ends    int  // the ENDs that answered them
	ended   bool // the request's last line is written
	next    int  // the first of keys a VALUE can be for
	canRead bool // the socket may have something to read
	pfd     int  // its entry in the poll set of await; -1: none
	vkey    int  // the key whose value is being read; -1: none
	vleft   int  // bytes of it still to read
	crlf    bool // a value was read: the next line is its CRLF
	retried bool
	done    bool
	hits    int // values read whole
}

// GetMultiTo fetches keys and hands each value found to sink, each key
// once. failed holds each server that failed (or is marked down), at most
// once per server, valid until the next call; the other servers' values
// are delivered all the same. err ends the whole call: a bad key, no
// server, an interrupt, no memory for a value.
func (c *Client) GetMultiTo(keys Keys, sink MultiSink) (failed []error, err error) {
	c.start()
	m := &c.mg
	m.fails = m.fails[:0]
	n := keys.Len()
	if n == 0 {
		return nil, nil
	}
	if len(c.servers) == 0 {
		return nil, ErrNoServers
	}
	defer m.release()
	if err := m.prepare(n); err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		k := keys.Key(i)
		full := k
		if c.cfg.Prefix != "" {
			c.kbuf = append(append(c.kbuf[:0], c.cfg.Prefix...), k...)
			full = View(c.kbuf)
		}
		if err := CheckKey(full, len(c.cfg.Prefix)); err != nil {
			return nil, badKey(k, err)
		}
		if m.repeat(keys, i) {
			m.srv[i] = -1
		} else {
			m.srv[i] = int32(c.serverOf(full))
		}
	}
	m.group(len(c.servers))
	if err := c.pump(keys, sink); err != nil {
		return nil, err
	}
	return m.fails, nil
}

// prepare sizes the per-key state for n keys.
func (m *multiGet) prepare(n int) error {
	size := 8
	for size < 2*n {
		size *= 2
	}
	if err := m.mem.Grow(4 * (2*n + size)); err != nil {
		return errorf(CodeNoMemory, "out of memory for the keys of get_multi")
	}
	all := unsafe.Slice((*int32)(unsafe.Pointer(&m.mem.Bytes()[0])), 2*n+size)
	m.srv, m.order, m.table = all[:n], all[n:2*n], all[2*n:]
	for i := range m.table {
		m.table[i] = -1
	}
	return nil
}

// release lets go of a large call's state.
func (m *multiGet) release() {
	m.srv, m.order, m.table = nil, nil, nil
	if m.mem.Cap() > keepScratch {
		m.mem.Free()
	}
	for i := range m.runs {
		m.runs[i] = mgRun{}
	}
}

// repeat says whether key i is a repeat of an earlier one, and remembers
// it otherwise. Keys are compared without the prefix, which all share.
func (m *multiGet) repeat(keys Keys, i int) bool {
	k := keys.Key(i)
	h := uint64(14695981039346656037) // FNV-1a
	for j := 0; j < len(k); j++ {
		h = (h ^ uint64(k[j])) * 1099511628211
	}
	mask := len(m.table) - 1
	for j := int(h) & mask; ; j = (j + 1) & mask {
		if m.table[j] < 0 {
			m.table[j] = int32(i)
			return false
		}
		if keys.Key(int(m.table[j])) == k {
			return true
		}
	}
}

// group orders the keys by server (a counting sort: each server's keys stay
// in the order asked) and makes a run per server that has keys.
func (m *multiGet) group(nservers int) {
	m.count = append(m.count[:0], make([]int, nservers+1)...)
	for _, s := range m.srv {
		if s >= 0 {
			m.count[s+1]++
		}
	}
	m.runs = m.runs[:0]
	for s := 0; s < nservers; s++ {
		if k := m.count[s+1]; k > 0 {
			start := m.count[s]
			m.runs = append(m.runs, mgRun{s: s, keys: m.order[start : start+k], vkey: -1})
		}
		m.count[s+1] += m.count[s]
	}
	// count[s] is now where server s's keys start; fill, moving it on.
	for i, s := range m.srv {
		if s >= 0 {
			m.order[m.count[s]] = int32(i)
			m.count[s]++
		}
	}
}

// pump sends every request and reads every reply. A server's failure is
// recorded in m.fails and ends its run only; the error returned ends the
// call (an interrupt, no memory), every connection still open closed.
func (c *Client) pump(keys Keys, sink MultiSink) (err error) {
	m := &c.mg
	defer func() {
		for i := range m.runs {
			r := &m.runs[i]
			if r.cn != nil {
				r.cn.close()
				r.cn = nil
			}
			if !r.done {
				r.done = true
				c.countRun(r, err)
			}
		}
	}()
	c.dialAhead(len(m.runs), func(k int) int { return m.runs[k].s }, false)
	for i := range m.runs {
		c.open(&m.runs[i])
	}
	for {
		progress, active := false, 0
		for i := range m.runs {
			r := &m.runs[i]
			if r.done {
				continue
			}
			p, err := c.advance(r, keys, sink)
			if err != nil {
				if code := Classify(err); code == CodeNoMemory || code == CodeInterrupted {
					return err
				}
				c.drop(r, sink, err)
				progress = true
				continue
			}
			progress = progress || p
			if !r.done {
				active++
			}
		}
		if active == 0 {
			return nil
		}
		if !progress {
			if err := c.await(sink); err != nil {
				return err
			}
		}
	}
}

// open takes run r's connection and puts it in nowait mode.
func (c *Client) open(r *mgRun) {
	cn, err := c.take(r.s, false, false)
	if err != nil {
		r.done = true
		c.mg.fails = append(c.mg.fails, c.countRun(r, err))
		return
	}
	cn.raw.setNowait(true)
	r.cn = cn
}

// drop ends run r after err. A reused connection the server had closed
// before it answered anything is replaced, once, and the request sent
// again (a get may run twice).
func (c *Client) drop(r *mgRun, sink MultiSink, err error) {
	cn := r.cn
	r.cn = nil
	if r.vkey >= 0 {
		sink.Drop(r.vkey)
	}
	if !r.retried && cn.resendable(err, true) {
		cn.close()
		*r = mgRun{s: r.s, keys: r.keys, retried: true, vkey: -1}
		c.open(r)
		return
	}
	r.done = true
	c.mg.fails = append(c.mg.fails, c.countRun(r, c.fail(r.s, cn, err, false)))
}

// advance does what run r can do without waiting: write its request, read
// its reply. progress says whether anything moved.
func (c *Client) advance(r *mgRun, keys Keys, sink MultiSink) (progress bool, err error) {
	cn := r.cn
	if cn.raw.unsent() {
		before := cn.raw.sent
		if err := cn.raw.push(); err != nil {
			return false, err
		}
		progress = cn.raw.sent != before
	}
	if !r.ended && !cn.raw.unsent() {
		if err := c.writeGet(r, keys); err != nil {
			return false, err
		}
		progress = true
	}
	for {
		if r.vkey >= 0 {
			p, err := c.readValue(r, sink)
			progress = progress || p
			if err != nil || r.vkey >= 0 {
				return progress, err
			}
			// Values that keep arriving never make the call wait, where
			// interrupts are looked at otherwise.
			if InterruptPending() {
				return progress, ErrInterrupted
			}
		}
		line, err := c.lineNow(r)
		if err != nil || line == nil {
			return progress, err
		}
		progress = true
		if r.crlf {
			if !bytes.Equal(line, crlf) {
				return true, errorf(CodeServer, fmt.Sprintf("%s: a value was not followed by CRLF", c.servers[r.s].Addr))
			}
			r.crlf = false
			continue
		}
		if bytes.Equal(line, replyEnd) {
			r.ends++
			if r.ends > r.lines || r.ends == r.lines && r.ended && (cn.raw.unsent() || cn.rw.Reader.Buffered() != 0) {
				return true, errorf(CodeServer, fmt.Sprintf("%s: a reply to get came before the request was sent whole, or went on after END", c.servers[r.s].Addr))
			}
			if r.ends < r.lines || !r.ended {
				continue // the next line's reply
			}
			cn.raw.setNowait(false)
			c.put(r.s, cn)
			r.cn, r.done = nil, true
			c.countRun(r, nil)
			return true, nil
		}
		if err := c.valueLine(r, line, keys, sink); err != nil {
			return true, err
		}
	}
}

// getLine is the longest get line sent (a longer key alone makes its own
// line). memcached keeps a line that is not whole in its read buffer and
// searches all of it again for the line's end each time more arrives: one
// line of 500k keys (5 MB) took it 1.8-3.6 s before the first byte of the
// reply, past memcache.timeout, against 0.26 s for the same keys in lines of
// 2 kB, which also stay below the 2 kB from which memcached stops using its
// fixed read buffer. 100 short keys still make one line.
const getLine = 2 << 10

// writeGet writes the next piece of run r's request, about 16 kB of get
// lines at a time: memcached answers the first lines while the last are on
// their way.
func (c *Client) writeGet(r *mgRun, keys Keys) error {
	b := c.hbuf[:0]
	for r.wrote < len(r.keys) && len(b) < 16<<10 {
		k := keys.Key(int(r.keys[r.wrote]))
		n := 1 + len(c.cfg.Prefix) + len(k)
		if r.lineLen > 0 && r.lineLen+n+len(crlf) > getLine {
			b = append(b, crlf...)
			r.lines++
			r.lineLen = 0
		}
		if r.lineLen == 0 {
			b = append(b, "get"...)
			r.lineLen = len("get")
		}
		b = append(append(append(b, ' '), c.cfg.Prefix...), k...)
		r.lineLen += n
		r.wrote++
	}
	if r.wrote == len(r.keys) {
		b = append(b, crlf...)
		r.lines++
		r.ended = true
	}
	c.hbuf = b
	_, err := r.cn.nc.Write(b)
	if err == nil && r.ended {
		r.cn.sent = true
	}
	return err
}

// lineNow returns run r's next reply line when a whole one is buffered or
// arrives without waiting; nil when it has not come yet. The line is valid
// until the next read.
func (c *Client) lineNow(r *mgRun) ([]byte, error) {
	rd := r.cn.rw.Reader
	for {
		buf, _ := rd.Peek(rd.Buffered())
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			rd.Discard(i + 1)
			r.cn.replied = true
			return buf[:i+1], nil
		}
		if rd.Buffered() == rd.Size() {
			return nil, errorf(CodeServer, fmt.Sprintf("%s: a reply line longer than %d bytes", c.servers[r.s].Addr, rd.Size()))
		}
		if !r.canRead {
			return nil, nil
		}
		_, err := rd.Peek(rd.Buffered() + 1)
		if rd.Buffered() > 0 {
			r.cn.replied = true
		}
		if err == errWouldBlock {
			r.canRead = false
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// valueLine starts the value that a VALUE line announces.
func (c *Client) valueLine(r *mgRun, line []byte, keys Keys, sink MultiSink) error {
	key, n, err := parseValueLine(line)
	if err != nil {
		return errorf(CodeServer, fmt.Sprintf("%s: %v", c.servers[r.s].Addr, err))
	}
	lp := len(c.cfg.Prefix)
	k := r.next
	for ; k < len(r.keys); k++ {
		want := keys.Key(int(r.keys[k]))
		if len(key) == lp+len(want) && string(key[lp:]) == want && string(key[:lp]) == c.cfg.Prefix {
			break
		}
	}
	if k == len(r.keys) {
		return errorf(CodeServer, fmt.Sprintf("%s: a value for a key not asked for, or out of order: %q", c.servers[r.s].Addr, key))
	}
	r.next = k + 1
	if !sink.Value(int(r.keys[k]), n) {
		return ErrNoMemory
	}
	r.vkey, r.vleft = int(r.keys[k]), n
	return nil
}

// directRead is the size from which the rest of a value is read from the
// socket into the result rather than through the reader's buffer.
const directRead = 2 << 10

// readValue reads what has arrived of the value in progress, straight
// from the socket into the sink when nothing is buffered; r.vkey is -1
// once it is whole.
func (c *Client) readValue(r *mgRun, sink MultiSink) (progress bool, err error) {
	rd := r.cn.rw.Reader
	for r.vleft > 0 {
		if rd.Buffered() == 0 && !r.canRead {
			return progress, nil
		}
		b := sink.Bytes(r.vkey)
		var n int
		var err error
		if rd.Buffered() == 0 && r.vleft >= directRead {
			// Straight into the result: bufio would read into its own
			// buffer and copy whatever is shorter than that buffer.
			n, err = r.cn.nc.Read(b[len(b)-r.vleft:])
		} else {
			n, err = rd.Read(b[len(b)-r.vleft:])
		}
		r.vleft -= n
		if n > 0 {
			progress, r.cn.replied = true, true
		}
		if err == errWouldBlock {
			r.canRead = false
			return progress, nil
		}
		if err != nil {
			return progress, err
		}
	}
	r.vkey, r.crlf = -1, true
	r.hits++
	return true, nil
}

// await waits until a run can go on: with a blocking read when one server
// is left and its request is sent, else with poll for all of them. The
// time waited counts for every server waited for; one whose limit is used
// up fails with a timeout.
func (c *Client) await(sink MultiSink) error {
	m := &c.mg
	var only *mgRun
	m.fds = m.fds[:0]
	wait := Slice
	for i := range m.runs {
		r := &m.runs[i]
		r.pfd = -1
		if r.done {
			continue
		}
		op := "reading from"
		if !r.ended || r.cn.raw.unsent() {
			op = "writing to"
		}
		left, err := r.cn.raw.left(op)
		if err != nil {
			c.drop(r, sink, err)
			continue
		}
		wait = minDuration(wait, left)
		ev := int16(pollIn)
		if r.cn.raw.unsent() {
			ev |= pollOut
		}
		r.pfd = len(m.fds)
		m.fds = append(m.fds, pollFd{fd: int32(r.cn.raw.fd), events: ev})
		only = r
	}
	switch {
	case len(m.fds) == 0:
		return nil
	case len(m.fds) == 1 && only.ended && !only.cn.raw.unsent():
		rd := only.cn.rw.Reader
		only.cn.raw.nowait = false
		_, err := rd.Peek(rd.Buffered() + 1)
		only.cn.raw.nowait = true
		if rd.Buffered() > 0 {
			only.cn.replied = true
		}
		if Classify(err) == CodeInterrupted {
			return err
		}
		if err != nil {
			c.drop(only, sink, err)
		}
		only.canRead = true
		return nil
	}
	start := mono()
	ready, err := ppoll(m.fds, wait)
	waited := mono() - start
	if err != nil {
		return err
	}
	for i := range m.runs {
		r := &m.runs[i]
		if r.pfd < 0 {
			continue
		}
		r.cn.raw.waited += waited
		if m.fds[r.pfd].revents&(pollIn|pollErr|pollHup) != 0 {
			r.canRead = true
		}
	}
	m.unseen += waited
	if ready == 0 || m.unseen >= Slice {
		m.unseen = 0
		if InterruptPending() {
			return ErrInterrupted
		}
	}
	return nil
}

func minDuration(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}
