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
		key, n, err := parseValueLine(line)
		if err != nil {
			return fail(errorf(CodeServer, fmt.Sprintf("%s: %v", s.Addr, err)))
		}
		val := make([]byte, n+2)
		if _, err := io.ReadFull(pc.rw, val); err != nil {
			return fail(err)
		}
		if val[n] != '\r' || val[n+1] != '\n' {
			return fail(errorf(CodeServer, fmt.Sprintf("%s: value of %q not followed by CRLF", s.Addr, key)))
		}
		found(key, val[:n])
	}
}

// maxValueLen bounds what a reply may announce (memcached's own limit is
// 1 GB); a larger length is a broken reply, not an allocation to make.
const maxValueLen = 1 << 30

// parseValueLine reads "VALUE <key> <flags> <bytes>[ <cas>]\r\n".
func parseValueLine(line []byte) (key string, n int, err error) {
	f := strings.Fields(string(line))
	if len(f) < 4 || len(f) > 5 || f[0] != "VALUE" {
		return "", 0, fmt.Errorf("unexpected reply to get: %q", strings.TrimSpace(string(line)))
	}
	if _, err := strconv.ParseUint(f[2], 10, 32); err != nil {
		return "", 0, fmt.Errorf("bad flags in %q", strings.TrimSpace(string(line)))
	}
	n, err = strconv.Atoi(f[3])
	if err != nil || n < 0 || n > maxValueLen {
		return "", 0, fmt.Errorf("bad value length in %q", strings.TrimSpace(string(line)))
	}
	return f[1], n, nil
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
