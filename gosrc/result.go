package main

/*
#include <stdlib.h>
#include <string.h>
*/
import "C"

import "unsafe"

// out is the result buffer: malloc'd, owned by Go, reused by every call and
// valid until the next one. The shim copies out of it at once.
var out struct {
	p   unsafe.Pointer
	cap int
	b   []byte // view of p[:cap]
	n   int
}

func reset() {
	out.n = 0
	if out.cap > 1<<20 {
		// The C side copied the last result already; a large one's buffer
		// is not kept for the rest of the session.
		C.free(out.p)
		out.p, out.cap, out.b = nil, 0, nil
	}
	refresh()
}

func grow(extra int) {
	need := out.n + extra
	if need <= out.cap {
		return
	}
	c := out.cap * 2
	if c < need {
		c = need
	}
	if c < 256 {
		c = 256
	}
	p := C.realloc(out.p, C.size_t(c))
	if p == nil {
		panic("out of memory for the result buffer")
	}
	out.p, out.cap = p, c
	out.b = unsafe.Slice((*byte)(p), c)
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
	*data = (*C.char)(out.p)
	*n = C.size_t(out.n)
}

// outSink writes values straight into the result buffer: a single value
// (get), or key, value fields (get_multi).
type outSink struct{}

func (outSink) Value(n int) []byte {
	grow(n)
	b := out.b[out.n : out.n+n]
	out.n += n
	return b
}

// lastPair is where the last Pair began, for Drop.
var lastPair int

func (outSink) Pair(key []byte, n int) []byte {
	lastPair = out.n
	putField(key)
	return valueField(n)
}

func (outSink) Drop() { out.n = lastPair }
