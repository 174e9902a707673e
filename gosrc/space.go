package main

import (
	"sync/atomic"
	"syscall"
	_ "unsafe" // go:linkname

	"memcache/gosrc/mc"
)

// reserveTaken is 1 once the runtime took address space from the reserve
// it keeps for its own structures (goruntime/address_reserve.patch): mmap
// had refused, as where the backend's memory has reached its address-space
// limit (ulimit -v). Without the reserve that was a fatal error.
//
//go:linkname reserveTaken runtime.memcacheReserveTaken
var reserveTaken uint32

// lowSpace: the reserve was drawn on. Until mmap gives room again, no call
// starts: each could take more of what is left, and past it the runtime
// aborts the process.
var lowSpace bool

// spaceProbe is the room a call must find before it starts in lowSpace.
const spaceProbe = 16 << 20

var errNoSpace = &mc.Error{Code: mc.CodeNoMemory,
	Msg: "the backend's address space is used up (ulimit -v): calls fail until it has 16 MB free again"}

// spaceLeft is nil unless the runtime drew on its reserve and there is
// still no room: it then costs an mmap and a munmap per call, else nothing.
func spaceLeft() error {
	if atomic.LoadUint32(&reserveTaken) != 0 && atomic.SwapUint32(&reserveTaken, 0) != 0 {
		lowSpace = true
	}
	if !lowSpace {
		return nil
	}
	p, _, errno := syscall.RawSyscall6(syscall.SYS_MMAP, 0, spaceProbe, syscall.PROT_NONE,
		syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS, ^uintptr(0), 0)
	if errno != 0 {
		return errNoSpace
	}
	syscall.RawSyscall(syscall.SYS_MUNMAP, p, spaceProbe, 0)
	lowSpace = false
	return nil
}
