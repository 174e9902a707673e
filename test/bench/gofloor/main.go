// Command gofloor is the floor of loading Go into a C process: a Go
// runtime with no package of its own and one empty export, built with
// -buildmode=c-archive by memcache_go.so's toolchain and linked into a
// shared object as it is (-z now), but with the stock runtime and without
// its thread wrappers. loadtime.c times loading it and calling the export
// in fresh processes.
package main

import "C"

import "unsafe"

// gofloor_call has the shape of mcgo_init (four pointers), so that one
// loader calls either.
//
//export gofloor_call
func gofloor_call(a, b, c, d unsafe.Pointer) C.int { return 0 }

func main() {}
