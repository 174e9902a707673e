package mc

import (
	"fmt"
	"sync"
	"time"
)

// Op is one operation of a batch: a set, or a delete.
type Op struct {
	Delete bool
	Key    string // the user's key (the prefix is added here)
	Value  []byte
	Expiry int64 // relative seconds, as for Store; 0: never
}

// Apply runs a batch: commit-time sends and memcache_set_multi. The keys
// of each server are pipelined over one connection, the servers in
// parallel. It returns how many operations took effect (a delete of a
// missing key counts) and, if some failed, how many and the first failure.
func (c *Client) Apply(ops []Op) (int, error) {
	now := time.Now()
	groups := make(map[int][]pipeItem)
	for i := range ops {
		op := &ops[i]
		k, err := c.Key(op.Key)
		if err != nil {
			return 0, err
		}
		exp, err := Expiration(op.Expiry, false, now)
		if err != nil {
			return 0, err
		}
		idx := c.sel.Index(k)
		groups[idx] = append(groups[idx], pipeItem{op, k, exp})
	}

	var (
		mu           sync.Mutex
		done, failed int
		first        error
		wg           sync.WaitGroup
	)
	run := func(s Server, items []pipeItem, onCaller bool) {
		ok, bad, err := 0, 0, error(nil)
		func() {
			defer func() {
				if r := recover(); r != nil {
					bad, err = len(items)-ok, errorf(CodeInternal, fmt.Sprintf("internal error: %v", r))
				}
			}()
			ok, bad, err = c.runPipelined(s, items, onCaller)
		}()
		mu.Lock()
		done += ok
		failed += bad
		if err != nil && first == nil {
			first = err
		}
		mu.Unlock()
	}
	// The first server's batch on this goroutine, the others in parallel.
	firstIdx := -1
	for idx, items := range groups {
		if firstIdx < 0 {
			firstIdx = idx
			continue
		}
		wg.Add(1)
		go func(s Server, items []pipeItem) {
			defer wg.Done()
			run(s, items, false)
		}(c.servers[idx], items)
	}
	if firstIdx >= 0 {
		run(c.servers[firstIdx], groups[firstIdx], true)
	}
	wg.Wait()
	if failed > 0 || first != nil {
		if Classify(first) == CodeInternal {
			return done, first
		}
		return done, errorf(Classify(first), fmt.Sprintf("%d of %d operations failed; the first: %s", failed, len(ops), Describe(first)))
	}
	return done, nil
}
