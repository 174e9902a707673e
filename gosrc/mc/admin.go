package mc

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Stat is one line of a server's "stats" reply.
type Stat struct {
	Server, Name, Value string
}

// Probe is one server's answer to a "version" request made now.
type Probe struct {
	Server    string
	Reachable bool
	Latency   time.Duration
	Err       string
}

// eachServer runs f for every server in parallel on its own connection
// (admin commands do not take pooled connections) and waits for all. With
// h, servers marked down are skipped and failures mark them.
func (c *Client) eachServer(h *health, f func(i int, rw *bufio.ReadWriter) error) []error {
	errs := make([]error, len(c.servers))
	var wg sync.WaitGroup
	for i, s := range c.servers {
		wg.Add(1)
		go func(i int, s Server) {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					errs[i] = errorf(CodeInternal, fmt.Sprintf("internal error: %v", r))
				}
			}()
			nc, raw, err := c.connect(context.Background(), s.Network, s.Addr, h, nil)
			if err != nil {
				errs[i] = err
				return
			}
			raw.blocking = false // a goroutine of its own
			defer nc.Close()
			if err := nc.SetDeadline(time.Now().Add(c.cfg.Timeout)); err != nil {
				errs[i] = err
				return
			}
			errs[i] = f(i, bufio.NewReadWriter(bufio.NewReader(nc), bufio.NewWriter(nc)))
		}(i, s)
	}
	wg.Wait()
	return errs
}

func command(rw *bufio.ReadWriter, cmd string) error {
	if _, err := rw.WriteString(cmd + "\r\n"); err != nil {
		return err
	}
	return rw.Flush()
}

func readLine(rw *bufio.ReadWriter) (string, error) {
	line, err := rw.ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// Stats returns every server's general statistics, in server order. The
// first failing server's error is returned with the rest.
func (c *Client) Stats() ([]Stat, error) {
	if len(c.servers) == 0 {
		return nil, errorf(CodeNoServers, "no memcached server is configured (memcache.servers is empty)")
	}
	per := make([][]Stat, len(c.servers))
	errs := c.eachServer(c.health, func(i int, rw *bufio.ReadWriter) error {
		if err := command(rw, "stats"); err != nil {
			return err
		}
		for {
			line, err := readLine(rw)
			if err != nil {
				return err
			}
			if line == "END" {
				return nil
			}
			f := strings.SplitN(line, " ", 3)
			if len(f) != 3 || f[0] != "STAT" {
				return errorf(CodeServer, fmt.Sprintf("unexpected reply to stats from %s: %q", c.servers[i].Addr, line))
			}
			per[i] = append(per[i], Stat{Server: c.servers[i].Addr, Name: f[1], Value: f[2]})
		}
	})
	var all []Stat
	var first error
	for i := range per {
		all = append(all, per[i]...)
		if errs[i] != nil && first == nil {
			first = fmt.Errorf("%s: %w", c.servers[i].Addr, errs[i])
		}
	}
	return all, first
}

// Probe asks every server for its version now and times the round trip,
// marked down or not; a server that answers is no longer marked down.
func (c *Client) Probe() []Probe {
	out := make([]Probe, len(c.servers))
	start := make([]time.Time, len(c.servers))
	for i, s := range c.servers {
		out[i].Server = s.Addr
		start[i] = time.Now()
	}
	errs := c.eachServer(nil, func(i int, rw *bufio.ReadWriter) error {
		if err := command(rw, "version"); err != nil {
			return err
		}
		line, err := readLine(rw)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, "VERSION ") {
			return errorf(CodeServer, fmt.Sprintf("unexpected reply to version: %q", line))
		}
		out[i].Latency = time.Since(start[i])
		return nil
	})
	for i, err := range errs {
		if err != nil {
			out[i].Err = Describe(err)
		} else {
			out[i].Reachable = true
			c.health.ok(c.servers[i].Addr)
		}
	}
	return out
}
