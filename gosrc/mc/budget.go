package mc

import (
	"sync/atomic"
	"time"
)

// budget is the deadline of the call in progress: memcache.timeout bounds a
// call as a whole (connect, send, every reply; for get_multi all servers),
// while gomemcache extends a socket's deadline before every step.
type budget struct {
	deadline atomic.Int64 // Unix nanoseconds; 0: none
}

// start begins a call that may last d.
func (b *budget) start(d time.Duration) {
	b.deadline.Store(time.Now().Add(d).UnixNano())
}

// clamp returns t, or the call's deadline if that is sooner.
func (b *budget) clamp(t time.Time) time.Time {
	if b == nil {
		return t
	}
	d := b.deadline.Load()
	if d != 0 && (t.IsZero() || d < t.UnixNano()) {
		return time.Unix(0, d)
	}
	return t
}

// deadlineAfter is now + d.
func deadlineAfter(d time.Duration) time.Time { return time.Now().Add(d) }
