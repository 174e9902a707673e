package mc

import (
	"bufio"
	"bytes"
	"fmt"
)

// getMulti state, reused by every call of a backend (one call at a time):
// the full keys, which server each goes to, and where each value landed.
type multiGet struct {
	full  []byte  // prefix+key of every key, back to back
	offs  []int   // key i is full[offs[i]:offs[i+1]]
	srv   []int   // server index of key i; -1: a repeat of an earlier key
	table []int32 // open-addressing set of key indices, for repeats
	byS   []int   // key indices grouped by server (servers in first-use order)
	vals  []byte  // values read when several servers answer
	slot  []int   // key i's value is vals[slot[2i]:slot[2i]+slot[2i+1]]; -1: none
}

func (m *multiGet) key(i int) []byte { return m.full[m.offs[i]:m.offs[i+1]] }

// trim lets go of what a very large call grew, so that one get_multi of
// many keys does not stay in the backend's memory.
func (m *multiGet) trim() {
	if cap(m.full) > 64<<10 || cap(m.offs) > 8<<10 || cap(m.vals) > 1<<20 {
		*m = multiGet{}
	}
}

// dedup marks repeated keys (srv = -1) so that each is asked, and
// returned, once.
func (m *multiGet) dedup(n int) {
	size := 8
	for size < 2*n {
		size *= 2
	}
	if cap(m.table) < size {
		m.table = make([]int32, size)
	}
	t := m.table[:size]
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < n; i++ {
		k := m.key(i)
		h := uint64(14695981039346656037) // FNV-1a
		for _, b := range k {
			h = (h ^ uint64(b)) * 1099511628211
		}
		for j := int(h) & (size - 1); ; j = (j + 1) & (size - 1) {
			if t[j] < 0 {
				t[j] = int32(i)
				break
			}
			if bytes.Equal(m.key(int(t[j])), k) {
				m.srv[i] = -1
				break
			}
		}
	}
}

// GetMultiTo fetches keys (without the prefix) and hands each value found
// to sink, each key once, in the order asked. One "get k1 k2 ..." per
// server: every request is sent before any reply is read, so the servers
// work in parallel while this thread does all the I/O. When a server fails
// or is marked down, the values of the others are still delivered and the
// first failure is returned.
func (c *Client) GetMultiTo(keys []string, sink PairSink) error {
	c.start()
	m := &c.mg
	defer m.trim()
	n := len(keys)
	m.full, m.offs, m.srv = m.full[:0], append(m.offs[:0], 0), m.srv[:0]
	for _, k := range keys {
		m.full = append(append(m.full, c.cfg.Prefix...), k...)
		m.offs = append(m.offs, len(m.full))
		m.srv = append(m.srv, 0)
	}
	if n == 0 {
		return nil
	}
	if len(c.servers) == 0 {
		return ErrNoServers
	}
	for i, k := range keys {
		if err := CheckKey(View(m.key(i))); err != nil {
			return badKey(k, err)
		}
	}
	m.dedup(n)

	// Group by server, servers in the order of their first key.
	first := -1
	multi := false
	for i := 0; i < n; i++ {
		if m.srv[i] < 0 {
			continue
		}
		m.srv[i] = c.serverOf(View(m.key(i)))
		if first < 0 {
			first = m.srv[i]
		} else if m.srv[i] != first {
			multi = true
		}
	}
	if !multi {
		write := func(w *bufio.Writer) { m.writeGet(w, -1) }
		hits := c.servers[first].st.C[StatHits]
		cn, err := c.request(first, false, write)
		if err != nil {
			return c.countMulti(first, m.asked(-1), hits, err)
		}
		return c.countMulti(first, m.asked(-1), hits, c.reply(first, cn, false, write, func(cn *conn) error {
			return c.readGet(first, cn, m, -1, func(i int, n int) []byte {
				return sink.Pair(m.key(i)[len(c.cfg.Prefix):], n)
			}, sink.Drop)
		}))
	}
	return c.getSpread(m, sink)
}

// getSpread is GetMultiTo for keys on several servers.
func (c *Client) getSpread(m *multiGet, sink PairSink) error {
	n := len(m.srv)
	m.byS = m.byS[:0]
	var order []int // servers in first-use order; few
	for i := 0; i < n; i++ {
		if s := m.srv[i]; s >= 0 && !containsInt(order, s) {
			order = append(order, s)
		}
	}
	for _, s := range order {
		for i := 0; i < n; i++ {
			if m.srv[i] == s {
				m.byS = append(m.byS, i)
			}
		}
	}
	var firstErr error
	record := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	conns := make([]*conn, len(order))
	for j, s := range order {
		cn, err := c.request(s, false, func(w *bufio.Writer) { m.writeGet(w, s) })
		if err != nil {
			record(c.countMulti(s, m.asked(s), 0, err))
		}
		conns[j] = cn
	}
	m.vals = m.vals[:0]
	if cap(m.slot) < 2*n {
		m.slot = make([]int, 2*n)
	}
	m.slot = m.slot[:2*n]
	for i := range m.slot {
		m.slot[i] = -1
	}
	for j, s := range order {
		if conns[j] == nil {
			continue
		}
		last := -1
		write := func(w *bufio.Writer) { m.writeGet(w, s) }
		hits := c.servers[s].st.C[StatHits]
		record(c.countMulti(s, m.asked(s), hits, c.reply(s, conns[j], false, write, func(cn *conn) error {
			return c.readGet(s, cn, m, s, func(i int, n int) []byte {
				last = i
				m.slot[2*i], m.slot[2*i+1] = len(m.vals), n
				m.vals = append(m.vals, make([]byte, n)...)
				return m.vals[len(m.vals)-n:]
			}, func() {
				m.vals = m.vals[:m.slot[2*last]]
				m.slot[2*last] = -1
			})
		})))
	}
	for i := 0; i < n; i++ {
		if m.srv[i] >= 0 && m.slot[2*i] >= 0 {
			v := m.vals[m.slot[2*i] : m.slot[2*i]+m.slot[2*i+1]]
			copy(sink.Pair(m.key(i)[len(c.cfg.Prefix):], len(v)), v)
		}
	}
	return firstErr
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// writeGet writes "get" with the keys of server index si (-1: every key
// not repeated). memcached reads a command line in pieces, so a long key
// list is fine.
func (m *multiGet) writeGet(w *bufio.Writer, si int) {
	w.WriteString("get")
	for i, srv := range m.srv {
		if srv >= 0 && (si < 0 || srv == si) {
			w.WriteByte(' ')
			w.Write(m.key(i))
		}
	}
	w.Write(crlf)
}

// readGet reads server i's reply to writeGet up to END. memcached answers
// in the order asked, so each VALUE is matched by walking the keys forward;
// dst gives the buffer for key k's value of n bytes; undo forgets the last
// one when it could not be read whole.
func (c *Client) readGet(i int, cn *conn, m *multiGet, si int, dst func(k int, n int) []byte, undo func()) error {
	next := 0
	for {
		line, err := cn.line()
		if err != nil {
			return err
		}
		if bytes.Equal(line, replyEnd) {
			return nil
		}
		key, n, err := parseValueLine(line)
		if err != nil {
			return errorf(CodeServer, fmt.Sprintf("%s: %v", c.servers[i].Addr, err))
		}
		k := next
		for ; k < len(m.srv); k++ {
			if m.srv[k] >= 0 && (si < 0 || m.srv[k] == si) && bytes.Equal(m.key(k), key) {
				break
			}
		}
		if k == len(m.srv) {
			return errorf(CodeServer, fmt.Sprintf("%s: a value for a key not asked for, or out of order: %q", c.servers[i].Addr, key))
		}
		next = k + 1
		if err := cn.readValue(dst(k, n)); err != nil {
			undo()
			return err
		}
		c.servers[i].st.C[StatHits]++
	}
}
