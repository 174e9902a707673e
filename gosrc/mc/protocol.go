package mc

import (
	"bytes"
	"fmt"
	"strconv"
)

// memcached's text protocol: the commands this package sends, the reply
// lines it reads, and the one mapping from a reply line to an outcome.

// Reply lines, as memcached writes them.
var (
	replyStored    = []byte("STORED\r\n")
	replyNotStored = []byte("NOT_STORED\r\n")
	replyExists    = []byte("EXISTS\r\n")
	replyNotFound  = []byte("NOT_FOUND\r\n")
	replyDeleted   = []byte("DELETED\r\n")
	replyTouched   = []byte("TOUCHED\r\n")
	replyOK        = []byte("OK\r\n")
	replyEnd       = []byte("END\r\n")
	replyError     = []byte("ERROR\r\n")

	replyTooLarge        = []byte("SERVER_ERROR object too large for cache\r\n")
	replyNonNumeric      = []byte("CLIENT_ERROR cannot increment or decrement non-numeric value\r\n")
	replyUnauthenticated = []byte("CLIENT_ERROR unauthenticated\r\n")
	replyBadAuthToken    = []byte("CLIENT_ERROR bad authentication token format\r\n")

	prefixValue       = []byte("VALUE ")
	prefixStat        = []byte("STAT ")
	prefixVersion     = []byte("VERSION ")
	prefixServerError = []byte("SERVER_ERROR ")
	prefixClientError = []byte("CLIENT_ERROR ")

	crlf = []byte("\r\n")
)

// Commands without a key.
var (
	cmdStats    = []byte("stats\r\n")
	cmdVersion  = []byte("version\r\n")
	cmdFlushAll = []byte("flush_all\r\n")
)

// Verb is a storage command. The values are the MCGO_VERB_* constants of
// extension/gobridge_abi.h; package main checks that they agree.
type Verb int

const (
	VerbSet Verb = iota
	VerbAdd
	VerbReplace
	VerbAppend
	VerbPrepend
)

var verbs = [...]string{VerbSet: "set ", VerbAdd: "add ", VerbReplace: "replace ", VerbAppend: "append ", VerbPrepend: "prepend "}

// appendStore appends "<verb> <key> 0 <exptime> <n>\r\n".
func appendStore(b []byte, verb Verb, key string, exptime int32, n int) []byte {
	b = append(b, verbs[verb]...)
	b = append(b, key...)
	b = append(b, " 0 "...)
	b = strconv.AppendInt(b, int64(exptime), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, crlf...)
}

// appendCas appends "cas <key> 0 <exptime> <n> <cas>\r\n".
func appendCas(b []byte, key string, exptime int32, n int, cas uint64) []byte {
	b = append(b, "cas "...)
	b = append(b, key...)
	b = append(b, " 0 "...)
	b = strconv.AppendInt(b, int64(exptime), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, cas, 10)
	return append(b, crlf...)
}

// appendCmd appends "<cmd> <key>", and each number of args after a space:
// a command line without its CRLF.
func appendCmd(b []byte, cmd, key string, args ...int64) []byte {
	b = append(b, cmd...)
	b = append(b, ' ')
	b = append(b, key...)
	for _, a := range args {
		b = append(b, ' ')
		b = strconv.AppendInt(b, a, 10)
	}
	return b
}

// outcome is what a one-line reply says about the command it answers,
// whose success line is ok: nil, ErrNotStored or ErrCacheMiss for
// memcached's normal "no", an *Error for its errors. inStep is false when
// the line answers no such command: the connection is out of step (or the
// server will read a data block as a command) and must be closed.
func outcome(line, ok []byte) (err error, inStep bool) {
	switch {
	case bytes.Equal(line, ok):
		return nil, true
	case bytes.Equal(line, replyNotStored), bytes.Equal(line, replyExists):
		return ErrNotStored, true
	case bytes.Equal(line, replyNotFound):
		return ErrCacheMiss, true
	case bytes.Equal(line, replyTooLarge):
		// A limit, not a failure: the value was read and dropped.
		return errorf(CodeTooLarge, "memcached replied "+trim(line)), true
	case bytes.Equal(line, replyNonNumeric):
		return errorf(CodeNonNumeric, "memcached replied "+trim(line)), true
	case bytes.Equal(line, replyUnauthenticated), bytes.Equal(line, replyBadAuthToken):
		return errorf(CodeServer, "memcached replied "+trim(line)+": it requires authentication (memcache.username, memcache.password)"), true
	case bytes.HasPrefix(line, prefixServerError), bytes.HasPrefix(line, prefixClientError):
		return errorf(CodeServer, "memcached replied "+trim(line)), true
	}
	return errorf(CodeServer, "memcached replied "+trim(line)), false
}

func trim(line []byte) string { return string(bytes.TrimSpace(line)) }

// maxValueLen bounds what a reply may announce (memcached's own limit is
// 1 GB); a larger length is a broken reply, not an allocation to make.
const maxValueLen = 1 << 30

// parseValueLine reads "VALUE <key> <flags> <bytes>[ <cas>]\r\n" in place,
// as memcached writes it: single spaces, decimal digits. The key views line.
func parseValueLine(line []byte) (key []byte, n int, err error) {
	v, err := parseValue(line)
	return v.key, v.n, err
}

// valueLine is a parsed VALUE line.
type valueLine struct {
	key []byte // views the line
	n   int    // the value's length
	cas uint64 // the CAS token (gets, gats); 0 when the line has none
}

// parseValue is parseValueLine with the CAS token.
func parseValue(line []byte) (valueLine, error) {
	if !bytes.HasSuffix(line, crlf) || !bytes.HasPrefix(line, prefixValue) {
		return valueLine{}, fmt.Errorf("unexpected reply to get: %q", bytes.TrimSpace(line))
	}
	rest := line[:len(line)-2]
	var f [4][]byte // key, flags, bytes, cas
	nf := 0
	for rest = rest[len(prefixValue):]; ; nf++ {
		if nf == len(f) {
			return valueLine{}, fmt.Errorf("unexpected reply to get: %q", bytes.TrimSpace(line))
		}
		i := bytes.IndexByte(rest, ' ')
		if i < 0 {
			f[nf] = rest
			nf++
			break
		}
		f[nf], rest = rest[:i], rest[i+1:]
	}
	if nf < 3 || nf > 4 || len(f[0]) == 0 {
		return valueLine{}, fmt.Errorf("unexpected reply to get: %q", bytes.TrimSpace(line))
	}
	for _, b := range f[0] {
		if b <= ' ' || b == 0x7f {
			return valueLine{}, fmt.Errorf("bad key in %q", bytes.TrimSpace(line))
		}
	}
	if v, ok := decimal(f[1]); !ok || v > 1<<32-1 {
		return valueLine{}, fmt.Errorf("bad flags in %q", bytes.TrimSpace(line))
	}
	v, ok := decimal(f[2])
	if !ok || v > maxValueLen {
		return valueLine{}, fmt.Errorf("bad value length in %q", bytes.TrimSpace(line))
	}
	var cas uint64
	if nf == 4 {
		if cas, ok = decimal(f[3]); !ok {
			return valueLine{}, fmt.Errorf("bad cas in %q", bytes.TrimSpace(line))
		}
	}
	return valueLine{key: f[0], n: int(v), cas: cas}, nil
}

// decimal parses 1 to 20 ASCII digits (no sign); ok is false otherwise or
// on overflow.
func decimal(b []byte) (v uint64, ok bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (1<<64-1-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}
