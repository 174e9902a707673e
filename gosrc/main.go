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
	"runtime/debug"
)

func init() {
	// A backend's Go heap holds little beyond the values in flight: collect
	// early (the default lets the heap reach 4 MB first) and cap it.
	debug.SetGCPercent(25)
	debug.SetMemoryLimit(256 << 20)
}

func main() {}
