package mc

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
)

// pipeChunk is how many commands are written before their replies are
// read: enough to hide the round trip, few enough that the replies always
// fit in the socket buffers (so neither side can block the other).
const pipeChunk = 512

// pipeConns keeps one idle connection per server for the hot path (get,
// set, batches), beside gomemcache's pool for the other commands.
type pipeConns struct {
	mu   sync.Mutex
	idle map[string]*pipeConn
}

type pipeConn struct {
	nc  net.Conn
	raw *sockConn
	rw  *bufio.ReadWriter
}

// get returns a connection to s, for I/O on the cgo call's own goroutine
// (see sockConn.blocking).
func (p *pipeConns) get(c *Client, s Server) (*pipeConn, error) {
	p.mu.Lock()
	pc := p.idle[s.Addr]
	delete(p.idle, s.Addr)
	p.mu.Unlock()
	if pc == nil {
		nc, raw, err := c.connect(context.Background(), s.Network, s.Addr, c.health, &c.budget)
		if err != nil {
			return nil, err
		}
		pc = &pipeConn{nc: nc, raw: raw, rw: bufio.NewReadWriter(bufio.NewReaderSize(nc, 16<<10), bufio.NewWriterSize(nc, 16<<10))}
	}
	pc.raw.blocking = true
	return pc, nil
}

func (p *pipeConns) put(addr string, pc *pipeConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.idle == nil {
		p.idle = make(map[string]*pipeConn)
	}
	if old := p.idle[addr]; old != nil {
		old.nc.Close()
	}
	p.idle[addr] = pc
}

func (p *pipeConns) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pc := range p.idle {
		pc.nc.Close()
	}
	p.idle = nil
}

// pipeItem is one operation of a batch, its key complete.
type pipeItem struct {
	op  *Op
	key string
	exp int32
}

// pipeRun is one server's share of a batch.
type pipeRun struct {
	s          Server
	items      []pipeItem
	pc         *pipeConn
	ok, failed int
	first      error
	firstAt    int  // the item first failed
	done       bool // finished, or its connection failed
}

// stop ends r after err: the items not yet answered count as failed and
// the connection is dropped (its replies are out of step).
func (r *pipeRun) stop(err error) {
	if r.first == nil {
		r.first, r.firstAt = err, r.ok+r.failed
	}
	r.failed = len(r.items) - r.ok
	if r.pc != nil {
		r.pc.nc.Close()
		r.pc = nil
	}
	r.done = true
}

// runPipelined runs every server's items in chunks of pipeChunk commands:
// each chunk is sent to every server before any reply is read, so the
// servers work in parallel while this thread does all the I/O, and one
// round trip per chunk is paid, not one per command.
func (c *Client) runPipelined(runs []*pipeRun) {
	for _, r := range runs {
		pc, err := c.open(r.s)
		if err != nil {
			r.stop(err)
			continue
		}
		r.pc = pc
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
		if r.pc != nil {
			c.pipes.put(r.s.Addr, r.pc)
			r.pc = nil
		}
	}
}

func (c *Client) sendChunk(r *pipeRun, chunk []pipeItem) {
	w := r.pc.rw
	for _, it := range chunk {
		if it.op.Delete {
			w.WriteString("delete ")
			w.WriteString(it.key)
			w.WriteString("\r\n")
			continue
		}
		c.hbuf = appendStore(c.hbuf[:0], it.key, it.exp, len(it.op.Value))
		w.Write(c.hbuf)
		w.Write(it.op.Value)
		w.WriteString("\r\n")
	}
	if err := w.Flush(); err != nil {
		r.stop(err)
	}
}

func (c *Client) readChunk(r *pipeRun, chunk []pipeItem) {
	for _, it := range chunk {
		line, err := r.pc.rw.ReadSlice('\n')
		if err != nil {
			r.stop(err)
			return
		}
		switch l := string(line); {
		case l == "STORED\r\n" || l == "DELETED\r\n" || l == "NOT_FOUND\r\n" && it.op.Delete:
			r.ok++
		default:
			r.failed++
			if r.first == nil {
				r.first, r.firstAt = pipeReplyError(it, line), r.ok+r.failed-1
			}
		}
	}
	if r.ok+r.failed == len(r.items) {
		r.done = true
	}
}

func pipeReplyError(it pipeItem, line []byte) error {
	verb := "set"
	if it.op.Delete {
		verb = "delete"
	}
	err := replyError(line).(*Error)
	err.Msg = fmt.Sprintf("%s %s: %s", verb, strconv.Quote(it.key), err.Msg)
	return err
}

// roundTrip sends a command (and its data block, if any) and returns the
// first line of the reply. On a failure the connection is closed: it is out
// of step.
func (pc *pipeConn) roundTrip(cmd, data []byte) ([]byte, error) {
	err := pc.send(cmd, data)
	var line []byte
	if err == nil {
		line, err = pc.rw.ReadSlice('\n')
	}
	if err != nil {
		pc.nc.Close()
	}
	return line, err
}

// send writes a command line and its data block (none: nil) with one
// system call: through the buffer when they fit, else (plain TCP) as one
// sendmsg of three pieces, so that memcached is woken once, not once per
// piece.
func (pc *pipeConn) send(hdr, data []byte) error {
	if data == nil {
		pc.rw.Write(hdr)
		return pc.rw.Flush()
	}
	if len(hdr)+len(data)+2 <= pc.rw.Writer.Available() || pc.nc != net.Conn(pc.raw) {
		pc.rw.Write(hdr)
		pc.rw.Write(data)
		pc.rw.WriteString("\r\n")
		return pc.rw.Flush()
	}
	if err := pc.rw.Flush(); err != nil {
		return err
	}
	return pc.raw.sendv(hdr, data, crlf)
}

var crlf = []byte("\r\n")

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
