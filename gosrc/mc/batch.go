package mc

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
)

// Op is one operation of a batch: a set, or a delete.
type Op struct {
	Delete bool
	Key    string // the user's key (the prefix is added here)
	Value  []byte
	Expiry int64 // relative seconds, as for Store; 0: never
}

// Apply runs a batch: commit-time sends and memcache_set_multi. The keys
// of each server go over one connection, the servers in parallel. It
// returns how many operations took effect (a delete of a missing key
// counts) and, if some failed, how many and the first failure.
func (c *Client) Apply(ops []Op) (int, error) {
	type item struct {
		op  *Op
		key string
		exp int32
	}
	now := time.Now()
	groups := make(map[int][]item)
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
		groups[idx] = append(groups[idx], item{op, k, exp})
	}

	var (
		mu     sync.Mutex
		done   int
		failed int
		first  error
		wg     sync.WaitGroup
	)
	record := func(ok int, bad int, err error) {
		mu.Lock()
		done += ok
		failed += bad
		if err != nil && first == nil {
			first = err
		}
		mu.Unlock()
	}
	for idx, items := range groups {
		wg.Add(1)
		go func(addr string, items []item) {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					record(0, 0, errorf(CodeInternal, fmt.Sprintf("internal error: %v", r)))
				}
			}()
			if err := c.health.check(addr); err != nil {
				record(0, len(items), err)
				return
			}
			ok := 0
			for n, it := range items {
				var err error
				if it.op.Delete {
					err = c.mc.Delete(it.key)
					if errors.Is(err, memcache.ErrCacheMiss) {
						err = nil
					}
				} else {
					err = c.mc.Set(&memcache.Item{Key: it.key, Value: it.op.Value, Expiration: it.exp})
				}
				switch code := Classify(err); {
				case err == nil:
					ok++
				case code == CodeInterrupted || code == CodeNetwork:
					// The server is gone (or we must stop): the rest would fail too.
					record(ok, len(items)-n, err)
					return
				default:
					record(0, 1, err)
				}
			}
			record(ok, 0, nil)
		}(c.servers[idx].Addr, items)
	}
	wg.Wait()
	if failed > 0 || first != nil {
		var e *Error
		code := Classify(first)
		if errors.As(first, &e) && e.Code == CodeInternal {
			return done, first
		}
		return done, errorf(code, fmt.Sprintf("%d of %d operations failed; the first: %s", failed, len(ops), Describe(first)))
	}
	return done, nil
}
