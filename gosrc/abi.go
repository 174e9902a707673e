package main

/*
#include "gobridge_abi.h"
*/
import "C"

import (
	"encoding/binary"
	"time"
	"unsafe"

	"memcache/gosrc/mc"
)

// The layouts of the buffers exchanged with the C shim, described in
// extension/gobridge_abi.h; extension/abi.c is the C side.

// The constants must be the ones the shim uses.
var _ = [1]struct{}{}[int(mc.CodeInternal)-C.MCGO_INTERNAL]
var _ = [1]struct{}{}[int(mc.CodeBadKey)-C.MCGO_BADKEY]
var _ = [1]struct{}{}[int(mc.CodeNoMemory)-C.MCGO_NOMEM]
var _ = [1]struct{}{}[int(mc.CodeMiss)-C.MCGO_MISS]
var _ = [1]struct{}{}[int(mc.GoMemcache)-C.MCGO_DIST_GOMEMCACHE]
var _ = [1]struct{}{}[int(mc.PHPMemcache)-C.MCGO_DIST_PHP_MEMCACHE]
var _ = [1]struct{}{}[int(mc.Libmemcached)-C.MCGO_DIST_LIBMEMCACHED]
var _ = [1]struct{}{}[int(mc.Ketama)-C.MCGO_DIST_KETAMA]
var _ = [1]struct{}{}[int(mc.VerbSet)-C.MCGO_VERB_SET]
var _ = [1]struct{}{}[int(mc.VerbAdd)-C.MCGO_VERB_ADD]
var _ = [1]struct{}{}[int(mc.VerbReplace)-C.MCGO_VERB_REPLACE]
var _ = [1]struct{}{}[int(mc.VerbAppend)-C.MCGO_VERB_APPEND]
var _ = [1]struct{}{}[int(mc.VerbPrepend)-C.MCGO_VERB_PREPEND]
var _ = [1]struct{}{}[opDelete-C.MCGO_OP_DELETE]
var _ = [1]struct{}{}[opSet-C.MCGO_OP_SET]

// The counters' table is the C side's mcgo_counters, written in place.
var _ = [1]struct{}{}[mc.StatCount-C.MCGO_STAT_COUNT]
var _ = [1]struct{}{}[mc.StatGetMulti-C.MCGO_STAT_GET_MULTI]
var _ = [1]struct{}{}[mc.StatCas-C.MCGO_STAT_CAS]
var _ = [1]struct{}{}[mc.StatOther-C.MCGO_STAT_OTHER]
var _ = [1]struct{}{}[mc.StatHits-C.MCGO_STAT_HITS]
var _ = [1]struct{}{}[mc.StatErrRefused-C.MCGO_STAT_ERR_REFUSED]
var _ = [1]struct{}{}[mc.StatCancelled-C.MCGO_STAT_CANCELLED]
var _ = [1]struct{}{}[mc.StatBytesSent-C.MCGO_STAT_BYTES_SENT]
var _ = [1]struct{}{}[mc.StatTimeNs-C.MCGO_STAT_TIME_NS]
var _ = [1]struct{}{}[mc.StatLatSlow-C.MCGO_STAT_LAT_SLOW]
var _ = [1]struct{}{}[mc.StatAddrLen-C.MCGO_STAT_ADDR_LEN]
var _ = [1]struct{}{}[mc.StatRows-C.MCGO_STAT_ROWS]
var _ = [1]struct{}{}[unsafe.Sizeof(mc.StatsTable{})-C.sizeof_mcgo_counters]
var _ = [1]struct{}{}[unsafe.Offsetof(mc.StatsTable{}.Rows)-unsafe.Offsetof(C.mcgo_counters{}.rows)]
var _ = [1]struct{}{}[unsafe.Offsetof(mc.StatsTable{}.Sockets)-unsafe.Offsetof(C.mcgo_counters{}.sockets)]

const (
	opSet    = 0
	opDelete = 1
)

// configFrom reads the shim's configuration struct.
func configFrom(c *C.mcgo_config) mc.Config {
	str := func(p *C.char) string { return C.GoString(p) }
	return mc.Config{
		Servers:      str(c.servers),
		Prefix:       str(c.key_prefix),
		Distribution: mc.Distribution(c.key_distribution),
		Timeout:      time.Duration(c.timeout_ms) * time.Millisecond,
		RetryDelay:   time.Duration(c.retry_delay_ms) * time.Millisecond,
		Security: mc.SecurityConfig{
			TLS:                c.tls != 0,
			CAFile:             str(c.tls_ca_file),
			CertFile:           str(c.tls_cert_file),
			KeyFile:            str(c.tls_key_file),
			ServerName:         str(c.tls_server_name),
			InsecureSkipVerify: c.tls_insecure_skip_verify != 0,
			User:               str(c.username),
			Password:           str(c.password),
		},
	}
}

// fields reads a buffer of length-prefixed fields. A malformed buffer
// panics, which the export's guard turns into MCGO_INTERNAL.
type fields []byte

func (f *fields) more() bool { return len(*f) > 0 }

func (f *fields) next() []byte {
	b := *f
	l := binary.LittleEndian.Uint32(b)
	v := b[4 : 4+l]
	*f = b[4+l:]
	return v
}

// opsFrom reads a batch's operations. Keys and values are views of C
// memory, valid only during the call.
func opsFrom(p *C.mcgo_op, n C.int) []mc.Op {
	if n <= 0 {
		return nil
	}
	in := unsafe.Slice(p, int(n))
	ops := make([]mc.Op, len(in))
	for i := range in {
		o := &in[i]
		ops[i] = mc.Op{
			Delete:  o.op == opDelete,
			Key:     viewString(o.key, C.size_t(o.keylen)),
			Exptime: int32(o.exptime),
		}
		if !ops[i].Delete {
			ops[i].Value = cBytes(o.val, C.size_t(o.vallen))
		}
	}
	return ops
}

// cBytes is a view of C memory, valid only during the call.
func cBytes(p *C.char, n C.size_t) []byte {
	if n == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))
}

// putField appends a field to the result buffer.
func putField(s []byte) {
	grow(4 + len(s))
	binary.LittleEndian.PutUint32(out.b[out.n:], uint32(len(s)))
	out.n += 4
	out.n += copy(out.b[out.n:], s)
}

func putFieldString(s string) {
	grow(4 + len(s))
	binary.LittleEndian.PutUint32(out.b[out.n:], uint32(len(s)))
	out.n += 4
	out.n += copy(out.b[out.n:], s)
}

func putU32(v uint32) {
	grow(4)
	binary.LittleEndian.PutUint32(out.b[out.n:], v)
	out.n += 4
}

// putFailure writes a failure: its message, and the server that failed
// ("" when none in particular).
func putFailure(err error) {
	putFieldString(err.Error())
	putFieldString(mc.FailedServer(err))
}

// multiSink lays out get_multi's result (gobridge_abi.h): the index of n
// entries first, then each value in a slot, in the order they arrive.
type multiSink struct {
	n    int
	last int // where the last slot's padding began
}

const (
	slotHeader = 4  // room before a value for the shim's varlena header
	slotAlign  = 8  // slots start on this boundary
	indexEntry = 16 // key index, value length, slot offset
	noValue    = ^uint32(0)
)

// begin lays out the index for n keys, all without a value.
func (s *multiSink) begin(n int) bool {
	s.n = n
	if !room(n * indexEntry) {
		return false
	}
	for k := 0; k < n; k++ {
		binary.LittleEndian.PutUint32(out.b[k*indexEntry+4:], noValue)
	}
	out.n = n * indexEntry
	return true
}

func (s *multiSink) Value(k, n int) bool {
	off := (out.n + slotAlign - 1) &^ (slotAlign - 1)
	if !room(off - out.n + slotHeader + n) {
		return false
	}
	e := out.b[k*indexEntry:]
	binary.LittleEndian.PutUint32(e[4:], uint32(n))
	binary.LittleEndian.PutUint64(e[8:], uint64(off))
	s.last = out.n
	out.n = off + slotHeader + n
	return true
}

func (s *multiSink) Bytes(k int) []byte {
	e := out.b[k*indexEntry:]
	off := int(binary.LittleEndian.Uint64(e[8:])) + slotHeader
	return out.b[off : off+int(binary.LittleEndian.Uint32(e[4:]))]
}

// Drop forgets key k's value; its room is given back when it is the last.
func (s *multiSink) Drop(k int) {
	if s.valueEnd(k) == out.n {
		out.n = s.last
	}
	binary.LittleEndian.PutUint32(out.b[k*indexEntry+4:], noValue)
}

// valueEnd is where key k's value ends.
func (s *multiSink) valueEnd(k int) int {
	e := out.b[k*indexEntry:]
	return int(binary.LittleEndian.Uint64(e[8:])) + slotHeader + int(binary.LittleEndian.Uint32(e[4:]))
}

// end compacts the index to the keys found, in the order asked, and writes
// each failed server and the footer.
func (s *multiSink) end(failed []error) {
	found := 0
	for k := 0; k < s.n; k++ {
		e := out.b[k*indexEntry : (k+1)*indexEntry]
		if binary.LittleEndian.Uint32(e[4:]) == noValue {
			continue
		}
		d := out.b[found*indexEntry : (found+1)*indexEntry]
		binary.LittleEndian.PutUint32(d, uint32(k))
		copy(d[4:], e[4:])
		found++
	}
	at := out.n
	for _, err := range failed {
		putU32(uint32(mc.Classify(err)))
		putFailure(err)
	}
	grow(16)
	binary.LittleEndian.PutUint32(out.b[out.n:], uint32(found))
	binary.LittleEndian.PutUint32(out.b[out.n+4:], uint32(len(failed)))
	binary.LittleEndian.PutUint64(out.b[out.n+8:], uint64(at))
	out.n += 16
}
