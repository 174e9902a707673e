//go:build linux

// Package offheap holds memory outside Go's heap, in anonymous mappings:
// buffers whose size follows the data of one call (a result, a call's
// per-key state). Growing one can fail with an error the caller reports,
// where Go's own heap would end the process with a fatal "out of memory";
// and freeing one returns its memory to the kernel at once, where Go's
// heap keeps freed memory for minutes.
package offheap

import (
	"errors"
	"syscall"
	"unsafe"
)

// ErrNoMemory is a buffer that could not grow (the kernel refused the
// mapping: an address-space limit, strict overcommit).
var ErrNoMemory = errors.New("out of memory")

const page = 4096

// Buf is a growable buffer in a private anonymous mapping. Its zero value
// is an empty buffer. Pages never written cost no memory, so capacity
// beyond what is used costs only address space.
type Buf struct {
	b []byte
}

// Bytes is the whole buffer; it moves when the buffer grows.
func (m *Buf) Bytes() []byte { return m.b }

// Cap is the buffer's size in bytes.
func (m *Buf) Cap() int { return len(m.b) }

// Grow makes the buffer at least need bytes, keeping its content. It grows
// by half again at least, so that a buffer filled piece by piece is
// remapped a few dozen times, not once per piece; the kernel moves pages
// without copying them.
func (m *Buf) Grow(need int) error {
	if need <= len(m.b) {
		return nil
	}
	size := len(m.b) + len(m.b)/2
	if size < need {
		size = need
	}
	size = (size + page - 1) &^ (page - 1)
	var p uintptr
	var errno syscall.Errno
	if len(m.b) == 0 {
		p, _, errno = syscall.RawSyscall6(syscall.SYS_MMAP, 0, uintptr(size), syscall.PROT_READ|syscall.PROT_WRITE,
			syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS, ^uintptr(0), 0)
	} else {
		const mremapMayMove = 1
		p, _, errno = syscall.RawSyscall6(syscall.SYS_MREMAP, uintptr(unsafe.Pointer(&m.b[0])), uintptr(len(m.b)),
			uintptr(size), mremapMayMove, 0, 0)
	}
	if errno != 0 {
		return ErrNoMemory
	}
	m.b = unsafe.Slice(*(**byte)(unsafe.Pointer(&p)), size)
	return nil
}

// Free returns the buffer's memory; the buffer is empty after.
func (m *Buf) Free() {
	if len(m.b) == 0 {
		return
	}
	syscall.RawSyscall(syscall.SYS_MUNMAP, uintptr(unsafe.Pointer(&m.b[0])), uintptr(len(m.b)), 0)
	m.b = nil
}
