package mc

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// getFrom fetches keys from one server with a single "get k1 k2 ..." over a
// pooled batch connection, calling found for each value. Replies are read
// on the calling goroutine: no hand-off for the common one-server case.
func (c *Client) getFrom(s Server, keys []string, onCaller bool, found func(key string, val []byte)) error {
	if err := c.health.check(s.Addr); err != nil {
		return err
	}
	pc, err := c.pipes.get(c, s, onCaller)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		pc.nc.Close()
		return err
	}
	if err := pc.nc.SetDeadline(c.budget.clamp(deadlineAfter(c.cfg.Timeout))); err != nil {
		return fail(err)
	}
	// memcached reads a command line in pieces, so a long key list is fine.
	pc.rw.WriteString("get")
	for _, k := range keys {
		pc.rw.WriteByte(' ')
		pc.rw.WriteString(k)
	}
	pc.rw.WriteString("\r\n")
	if err := pc.rw.Flush(); err != nil {
		return fail(err)
	}
	for {
		line, err := pc.rw.ReadSlice('\n')
		if err != nil {
			return fail(err)
		}
		if string(line) == "END\r\n" {
			c.pipes.put(s.Addr, pc)
			return nil
		}
		// VALUE <key> <flags> <bytes>
		f := strings.Fields(string(line))
		if len(f) < 4 || f[0] != "VALUE" {
			return fail(errorf(CodeServer, fmt.Sprintf("%s: unexpected reply to get: %q", s.Addr, strings.TrimSpace(string(line)))))
		}
		n, err := strconv.Atoi(f[3])
		if err != nil || n < 0 {
			return fail(errorf(CodeServer, fmt.Sprintf("%s: bad value length in %q", s.Addr, strings.TrimSpace(string(line)))))
		}
		val := make([]byte, n+2)
		if _, err := io.ReadFull(pc.rw, val); err != nil {
			return fail(err)
		}
		found(f[1], val[:n])
	}
}

// getMulti fetches full keys from their servers: the first server's on the
// calling goroutine, the others in parallel. Values of servers that answer
// are returned even when another one fails.
func (c *Client) getMulti(full []string) (map[string][]byte, error) {
	groups := make(map[int][]string)
	order := []int{}
	for _, k := range full {
		idx := c.sel.Index(k)
		if _, ok := groups[idx]; !ok {
			order = append(order, idx)
		}
		groups[idx] = append(groups[idx], k)
	}
	out := make(map[string][]byte, len(full))
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	record := func(err error) {
		if err != nil {
			mu.Lock()
			if first == nil {
				first = err
			}
			mu.Unlock()
		}
	}
	found := func(k string, v []byte) {
		mu.Lock()
		out[k] = v
		mu.Unlock()
	}
	for _, idx := range order[1:] {
		wg.Add(1)
		go func(s Server, keys []string) {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					record(errorf(CodeInternal, fmt.Sprintf("internal error: %v", r)))
				}
			}()
			record(c.getFrom(s, keys, false, found))
		}(c.servers[idx], groups[idx])
	}
	if len(order) > 0 {
		record(c.getFrom(c.servers[order[0]], groups[order[0]], true, found))
	}
	wg.Wait()
	return out, first
}
