package mc

import (
	"errors"
	"syscall"
	"time"
)

// Counters of every server this backend has talked to, for
// memcache_stat_local() and the memcache_stat view. They are plain
// increments of memory the C side owns and reads between calls (package
// main points Stats at it): a backend runs one call at a time, on its own
// thread, so no atomics are needed and nothing is copied per call.

// The counters of a row, by index. The values are the MCGO_STAT_*
// constants of extension/gobridge_abi.h; package main checks that they
// agree.
const (
	StatGet      = iota // commands sent, by command
	StatGetMulti        // one per server per get_multi call
	StatGets
	StatGat
	StatSet
	StatAdd
	StatReplace
	StatAppend
	StatPrepend
	StatCas
	StatDelete
	StatIncr
	StatDecr
	StatTouch
	StatOther      // flush_all, stats, version
	StatHits       // keys found by get, get_multi, gets, gat
	StatMisses     // keys not found by them
	StatNotFound   // delete, incr, decr, touch, cas of a missing key
	StatNotStored  // add, replace, append, prepend, cas whose condition failed
	StatErrRefused // connection refused
	StatErrTimeout // memcache.timeout passed
	StatErrReset   // connection reset or closed mid-call
	StatErrServer  // memcached answered with an error
	StatErrTooLarge
	StatErrDown   // failed at once: the server was marked down
	StatErrOther  // TLS, authentication, name resolution, ...
	StatCancelled // a PostgreSQL interrupt (cancel, timeout, terminate)
	StatBytesSent
	StatBytesRecv
	StatConnects   // connections opened
	StatMarkedDown // times the server was marked down
	StatTimeNs     // time spent in round trips
	StatLat1ms     // round trips under 1 ms
	StatLat10ms    // 1 to 10 ms
	StatLat100ms   // 10 to 100 ms
	StatLatSlow    // 100 ms or more
	StatCount
)

const (
	// StatAddrLen is the room for a server's address (NUL-terminated).
	StatAddrLen = 320
	// StatRows is how many servers a backend counts apart; the last row
	// takes every server after that.
	StatRows = 64
)

// ServerStats is one server's row.
type ServerStats struct {
	Addr [StatAddrLen]byte
	C    [StatCount]uint64
}

// StatsTable is the layout of mcgo_counters.
type StatsTable struct {
	Seq uint64 // moves with every count: the C side flushes when it moved
	N   int32  // rows in use
	// Sockets the client holds open: the C side tells PostgreSQL's fd.c.
	Sockets int32
	Rows    [StatRows]ServerStats
}

// Stats is where counts go: Go memory until package main points it at the
// C side's table.
var Stats = new(StatsTable)

// uncounted takes the bytes of a connection no server owns yet.
var uncounted ServerStats

// statsFor returns the row of the server at addr, taking a new one the
// first time (when a client is built, not per call).
func statsFor(addr string) *ServerStats {
	t := Stats
	for i := 0; i < int(t.N); i++ {
		if rowAddr(&t.Rows[i]) == addr {
			return &t.Rows[i]
		}
	}
	if int(t.N) == StatRows {
		return &t.Rows[StatRows-1]
	}
	r := &t.Rows[t.N]
	a := addr
	if int(t.N) == StatRows-1 {
		a = "(other servers)"
	}
	n := copy(r.Addr[:StatAddrLen-1], a)
	r.Addr[n] = 0
	t.N++
	return r
}

func rowAddr(r *ServerStats) string {
	for i, b := range r.Addr {
		if b == 0 {
			return string(r.Addr[:i])
		}
	}
	return string(r.Addr[:])
}

// retrieval says whether cmd reads values (a miss is a miss, not a key
// not found).
func retrieval(cmd int) bool {
	return cmd == StatGet || cmd == StatGetMulti || cmd == StatGets || cmd == StatGat
}

// outcome counts what err says about one command cmd: a hit, a miss, a
// condition not met or a kind of failure.
func (st *ServerStats) outcome(cmd int, err error) {
	switch {
	case err == nil:
		if retrieval(cmd) {
			st.C[StatHits]++
		}
	case err == ErrCacheMiss:
		if retrieval(cmd) {
			st.C[StatMisses]++
		} else {
			st.C[StatNotFound]++
		}
	case err == ErrNotStored:
		st.C[StatNotStored]++
	default:
		st.C[errorKind(err)]++
	}
}

// errorKind is the counter of a failure.
func errorKind(err error) int {
	var down *downError
	switch {
	case errors.As(err, &down):
		return StatErrDown
	case errors.Is(err, ErrInterrupted):
		return StatCancelled
	case isTimeout(err), errors.Is(err, errTimeLimit):
		return StatErrTimeout
	}
	switch Classify(err) {
	case CodeTooLarge:
		return StatErrTooLarge
	case CodeServer, CodeNonNumeric:
		return StatErrServer
	case CodeNetwork:
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			return StatErrRefused
		case closedByPeer(err):
			return StatErrReset
		}
	}
	return StatErrOther
}

// roundTrip counts one round trip to the server that took d.
func (st *ServerStats) roundTrip(d time.Duration) {
	st.C[StatTimeNs] += uint64(d)
	switch {
	case d < time.Millisecond:
		st.C[StatLat1ms]++
	case d < 10*time.Millisecond:
		st.C[StatLat10ms]++
	case d < 100*time.Millisecond:
		st.C[StatLat100ms]++
	default:
		st.C[StatLatSlow]++
	}
	Stats.Seq++
}

// count ends a single-key command cmd on server i: its outcome and its
// time since the call began. It returns err.
func (c *Client) count(i, cmd int, err error) error {
	st := c.servers[i].st
	st.C[cmd]++
	st.outcome(cmd, err)
	st.roundTrip(mono() - c.began)
	return err
}

// countRun ends server r.s's part of a get_multi call: one command for
// its keys, of which r.hits were found, or the failure err. It returns
// err.
func (c *Client) countRun(r *mgRun, err error) error {
	st := c.servers[r.s].st
	st.C[StatGetMulti]++
	st.C[StatHits] += uint64(r.hits)
	if err != nil {
		st.C[errorKind(err)]++
	} else {
		st.C[StatMisses] += uint64(len(r.keys) - r.hits)
	}
	st.roundTrip(mono() - c.began)
	return err
}

// countItem counts one answered operation of a batch on server i.
func (c *Client) countItem(i int, it pipeItem, err error) {
	st := c.servers[i].st
	cmd := StatSet
	if it.op.Delete {
		cmd = StatDelete
	}
	st.C[cmd]++
	st.outcome(cmd, err)
}

// countStopped counts the operations of r not answered when err stopped
// it.
func (c *Client) countStopped(r *pipeRun, err error) {
	st := c.servers[r.s].st
	kind := errorKind(err)
	for _, it := range r.items[r.ok+r.failed:] {
		if it.op.Delete {
			st.C[StatDelete]++
		} else {
			st.C[StatSet]++
		}
		st.C[kind]++
	}
}
