package mc

import (
	"fmt"
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
// of each server are pipelined over one connection, each chunk sent to
// every server before their replies are read. It returns how many
// operations took effect (a delete of a missing key counts) and, if some
// failed, how many and the first failure.
func (c *Client) Apply(ops []Op) (int, error) {
	c.start()
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
		idx := c.serverOf(k)
		groups[idx] = append(groups[idx], pipeItem{op, k, exp})
	}

	runs := make([]*pipeRun, 0, len(groups))
	for idx := range c.servers {
		if items := groups[idx]; len(items) > 0 {
			runs = append(runs, &pipeRun{s: idx, items: items})
		}
	}
	c.runPipelined(runs)
	done, failed := 0, 0
	var first error
	for _, r := range runs {
		done += r.ok
		failed += r.failed
		if first == nil {
			first = r.first
		}
	}
	if failed > 0 || first != nil {
		if Classify(first) == CodeInternal {
			return done, first
		}
		return done, errorf(Classify(first), fmt.Sprintf("%d of %d operations failed; the first: %s", failed, len(ops), first))
	}
	return done, nil
}
