// Command gosrc is built with -buildmode=c-archive and linked into
// memcache_go.so, which the C shim dlopen()s in a backend on first use. It
// exports the mcgo_* functions of extension/gobridge_abi.h.
//
// Every export runs on the backend's own thread, recovers any panic into
// MCGO_INTERNAL, and never calls back into C: PostgreSQL is only touched by
// the shim, after the export has returned.
package main

/*
#cgo CFLAGS: -I${SRCDIR}/../extension
#include <stdlib.h>
#include "gobridge_abi.h"
*/
import "C"

import (
	"runtime"
	"runtime/debug"
	"time"
)

func init() {
	// Few threads per backend: one call at a time runs here, and all of its
	// network I/O is done by the backend's own thread. Two Ps, not one: with
	// no idle P, sysmon takes the P from the backend's thread 20 us into
	// every stretch of C code, and every call then starts on the slow path.
	runtime.GOMAXPROCS(2)
	// A backend's Go heap holds little beyond the values in flight: collect
	// early (the default lets the heap reach 4 MB first) and cap it.
	debug.SetGCPercent(25)
	debug.SetMemoryLimit(256 << 20)
}

// lastYield is when the backend's goroutine last went through the scheduler.
var lastYield time.Time

// refresh yields once the backend's goroutine has not been scheduled for
// almost 10 ms. Go's sysmon takes a goroutine whose P shows the same
// scheduling tick for 10 ms for a CPU hog: it asks it to yield (for this
// locked goroutine a round trip through another thread) and takes its P
// whenever it finds it in C. A cgo callback goroutine is never rescheduled
// between calls, so without this every call after the first 10 ms would be
// treated so. One planned yield every 9 ms costs less than sysmon's.
func refresh() {
	if now := time.Now(); now.Sub(lastYield) > 9*time.Millisecond {
		runtime.Gosched()
		lastYield = time.Now()
	}
}

func main() {}
