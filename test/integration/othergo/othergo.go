// Command othergo is a stand-in for another Go-based PostgreSQL extension,
// built the naive way (c-archive linked whole, every cgo symbol global), to
// check that memcache's Go runtime lives beside it in one backend.
package main

import "C"

//export othergo_add
func othergo_add(a, b C.int) C.int {
	ch := make(chan C.int)
	go func() { ch <- a + b }()
	return <-ch
}

func main() {}
