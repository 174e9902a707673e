package main

/*
#include <stddef.h>
*/
import "C"

import (
	"unsafe"

	"memcache/gosrc/offheap"
)

// out is the result buffer: an anonymous mapping (offheap), owned by Go,
// reused by every call and valid until the next one. The shim copies out
// of it at once. Outside Go's heap, so that a result of hundreds of MB is
// never copied into Go memory, a failure to grow it is an error of the call
// (not Go's fatal out of memory), and its memory goes back to the kernel as
// soon as the shim is done with it (mcgo_release).
var out struct {
	m    offheap.Buf
	b    []byte // m.Bytes()
	n    int
	last int // the size of the last result too large to keep
}

// keepResult is the largest buffer kept between calls: the results of
// ordinary calls, get_multi of a few hundred 10 kB values included, never
// pay for growing it again; a larger one is given back when the call is
// done, so that one huge get_multi does not stay in an idle backend.
const keepResult = 4 << 20

// errNoBuffer is a panic of the put functions: the buffer could not grow.
// The export's guard turns it into MCGO_NOMEM.
type errNoBuffer struct{}

func reset() {
	if out.m.Cap() > keepResult {
		// Not given back by the shim (a call that failed in C): now.
		out.m.Free()
		out.b = nil
	}
	out.n = 0
}

// release gives a large buffer back (the shim is done with the result).
func release() {
	if out.m.Cap() > keepResult {
		out.last = out.n
		out.m.Free()
		out.b, out.n = nil, 0
	}
}

// room makes the buffer hold extra more bytes; false when it cannot.
func room(extra int) bool {
	need := out.n + extra
	if need <= len(out.b) {
		return true
	}
	if out.m.Cap() == 0 && need < out.last && out.last <= 64<<20 {
		need = out.last // the size of the last large result, at once
	}
	if out.m.Cap() == 0 && need < 64<<10 {
		need = 64 << 10
	}
	if out.m.Grow(need) != nil {
		return false
	}
	out.b = out.m.Bytes()
	return true
}

func grow(extra int) {
	if !room(extra) {
		panic(errNoBuffer{})
	}
}

func put(b []byte) {
	grow(len(b))
	out.n += copy(out.b[out.n:], b)
}

func putString(s string) {
	grow(len(s))
	out.n += copy(out.b[out.n:], s)
}

// publish hands the buffer to C through the out parameters.
func publish(data **C.char, n *C.size_t) {
	*data = nil
	if out.n > 0 {
		*data = (*C.char)(unsafe.Pointer(&out.b[0]))
	}
	*n = C.size_t(out.n)
}

// outSink writes a single value (get) straight into the result buffer.
type outSink struct{}

func (outSink) Value(n int) []byte {
	if !room(n) {
		return nil
	}
	if out.b == nil {
		// An empty value before the buffer exists (a session's first
		// call, or after a large result was given back): room for it,
		// not the nil that means "out of memory".
		return []byte{}
	}
	b := out.b[out.n : out.n+n]
	out.n += n
	return b
}
