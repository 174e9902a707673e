package mc

import (
	"fmt"
	"sync"
	"time"
)

// health remembers servers that failed, so that calls for their keys fail
// at once for RetryDelay instead of each waiting for a timeout
// (memcache.server_retry_delay). Keys are never moved to another server:
// that would make the cache disagree with the application's client.
type health struct {
	mu    sync.Mutex
	delay time.Duration
	down  map[string]downState
}

type downState struct {
	until time.Time
	cause string
}

// downError is a call refused because its server is marked down.
type downError struct {
	addr  string
	left  time.Duration
	cause string
}

func (e *downError) Error() string {
	return fmt.Sprintf("%s is marked down for %.1f s more after: %s (memcache.server_retry_delay)",
		e.addr, e.left.Seconds(), e.cause)
}

func (h *health) setDelay(d time.Duration) {
	h.mu.Lock()
	h.delay = d
	if d <= 0 {
		h.down = nil
	}
	h.mu.Unlock()
}

// check returns a *downError while addr is marked down. Once the delay has
// passed the mark is dropped, so the next call tries the server again.
func (h *health) check(addr string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	st, ok := h.down[addr]
	if !ok {
		return nil
	}
	left := time.Until(st.until)
	if left <= 0 {
		delete(h.down, addr)
		return nil
	}
	return &downError{addr: addr, left: left, cause: st.cause}
}

// fail marks addr down after err (not for interrupts: the server did
// nothing wrong).
func (h *health) fail(addr string, err error) {
	if err == nil || err == ErrInterrupted {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.delay <= 0 {
		return
	}
	if h.down == nil {
		h.down = make(map[string]downState)
	}
	h.down[addr] = downState{until: time.Now().Add(h.delay), cause: Describe(err)}
}

// ok clears addr's mark after a success.
func (h *health) ok(addr string) {
	h.mu.Lock()
	if h.down != nil {
		delete(h.down, addr)
	}
	h.mu.Unlock()
}
