package mc

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
)

// pipeChunk is how many commands are written before their replies are
// read: enough to hide the round trip, few enough that the replies always
// fit in the socket buffers (so neither side can block the other).
const pipeChunk = 512

// pipeConns keeps one idle connection per server for batches, beside
// gomemcache's pool (which has no pipelining).
type pipeConns struct {
	mu   sync.Mutex
	idle map[string]*pipeConn
}

type pipeConn struct {
	nc  net.Conn
	raw *sockConn
	rw  *bufio.ReadWriter
}

// get returns a connection to s; onCaller says whether the calling
// goroutine is the cgo call's own (see sockConn.blocking).
func (p *pipeConns) get(c *Client, s Server, onCaller bool) (*pipeConn, error) {
	p.mu.Lock()
	pc := p.idle[s.Addr]
	delete(p.idle, s.Addr)
	p.mu.Unlock()
	if pc == nil {
		nc, raw, err := c.connect(context.Background(), s.Network, s.Addr, c.health, &c.budget)
		if err != nil {
			return nil, err
		}
		pc = &pipeConn{nc: nc, raw: raw, rw: bufio.NewReadWriter(bufio.NewReaderSize(nc, 16<<10), bufio.NewWriterSize(nc, 64<<10))}
	}
	pc.raw.blocking = onCaller
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

// runPipelined sends items to one server in chunks of pipeChunk commands
// and reads their replies. It returns how many took effect, how many
// failed and the first failure; a connection error ends the batch (the rest
// count as failed) and the connection is dropped.
func (c *Client) runPipelined(s Server, items []pipeItem, onCaller bool) (ok, failed int, first error) {
	if err := c.health.check(s.Addr); err != nil {
		return 0, len(items), err
	}
	pc, err := c.pipes.get(c, s, onCaller)
	if err != nil {
		return 0, len(items), err
	}
	if err := pc.nc.SetDeadline(c.budget.clamp(deadlineAfter(c.cfg.Timeout))); err != nil {
		pc.nc.Close()
		return 0, len(items), err
	}
	for start := 0; start < len(items); start += pipeChunk {
		chunk := items[start:min(start+pipeChunk, len(items))]
		for _, it := range chunk {
			if it.op.Delete {
				fmt.Fprintf(pc.rw, "delete %s\r\n", it.key)
			} else {
				fmt.Fprintf(pc.rw, "set %s 0 %d %d\r\n", it.key, it.exp, len(it.op.Value))
				pc.rw.Write(it.op.Value)
				pc.rw.WriteString("\r\n")
			}
		}
		if err := pc.rw.Flush(); err != nil {
			pc.nc.Close()
			return ok, len(items) - ok - failed, err
		}
		for _, it := range chunk {
			line, err := pc.rw.ReadString('\n')
			if err != nil {
				pc.nc.Close()
				return ok, len(items) - ok - failed, err
			}
			switch line = strings.TrimRight(line, "\r\n"); {
			case line == "STORED" || line == "DELETED" || line == "NOT_FOUND" && it.op.Delete:
				ok++
			default:
				failed++
				if first == nil {
					first = pipeReplyError(it, line)
				}
			}
		}
	}
	c.pipes.put(s.Addr, pc)
	return ok, failed, first
}

func pipeReplyError(it pipeItem, line string) error {
	code := CodeServer
	if strings.Contains(line, "object too large") {
		code = CodeTooLarge
	}
	return errorf(code, fmt.Sprintf("%s %s: memcached replied %s", map[bool]string{true: "delete", false: "set"}[it.op.Delete], strconv.Quote(it.key), line))
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
