package main

/*
#include "gobridge_abi.h"
*/
import "C"

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"

	"memcache/gosrc/mc"
)

// client is this backend's client; nil until mcgo_configure succeeds, and
// after it fails (configErr then says why).
var (
	client    *mc.Client
	configErr error
)

// PostgreSQL's interrupt flags (see mcgo_interrupt_flags).
var pg struct {
	pending, cancel, die            *int32
	holdoff, cancelHoldoff, critSec *uint32
}

func interruptPending() bool {
	if atomic.LoadInt32(pg.pending) == 0 {
		return false
	}
	if atomic.LoadUint32(pg.holdoff) != 0 || atomic.LoadUint32(pg.critSec) != 0 {
		return false
	}
	return atomic.LoadInt32(pg.die) != 0 ||
		(atomic.LoadInt32(pg.cancel) != 0 && atomic.LoadUint32(pg.cancelHoldoff) == 0)
}

// dieOrInterruptPending also sees a terminate while interrupts are held.
func dieOrInterruptPending() bool {
	return atomic.LoadInt32(pg.die) != 0 || interruptPending()
}

// guard turns a panic into MCGO_INTERNAL, or MCGO_NOMEM when the result
// buffer could not grow; every export defers it.
func guard(code *C.int, data **C.char, n *C.size_t) {
	r := recover()
	if r == nil {
		return
	}
	*code = C.MCGO_INTERNAL
	*data, *n = nil, 0
	msg := fmt.Sprintf("internal error in the memcache extension: %v", r)
	if _, ok := r.(errNoBuffer); ok {
		*code, msg = C.MCGO_NOMEM, "out of memory for the result"
	}
	defer func() { _ = recover() }() // the buffer itself may be what failed
	reset()
	putFieldString(msg)
	putFieldString("")
	publish(data, n)
}

// finish reports err (nil: success) through the result buffer: for a
// failure, the failure layout (gobridge_abi.h).
func finish(err error, data **C.char, n *C.size_t) C.int {
	if err == nil {
		publish(data, n)
		return C.MCGO_OK
	}
	code := mc.Classify(err)
	reset()
	if code != mc.CodeMiss {
		putFailure(err)
	}
	publish(data, n)
	return C.int(code)
}

func goString(p *C.char, n C.size_t) string { return C.GoStringN(p, C.int(n)) }

// viewString is a string over C memory: no copy, valid only during the call,
// never to be kept (keys of commands, which copy what they keep: messages).
func viewString(p *C.char, n C.size_t) string {
	if n == 0 {
		return ""
	}
	return mc.View(unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n)))
}

func configured() (*mc.Client, error) {
	if err := spaceLeft(); err != nil {
		return nil, err
	}
	if client == nil && configErr != nil {
		return nil, configErr
	}
	if client == nil {
		return nil, &mc.Error{Code: mc.CodeConfig, Msg: "the memcache client is not configured"}
	}
	return client, nil
}

// mcgo_init takes the addresses of PostgreSQL's interrupt flags and of the
// counters' table (owned by C, written here in place for the session).
//
//export mcgo_init
func mcgo_init(f *C.mcgo_interrupt_flags, counters *C.mcgo_counters, data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	if counters != nil {
		mc.Stats = (*mc.StatsTable)(unsafe.Pointer(counters))
	}
	pg.pending = (*int32)(unsafe.Pointer(f.interrupt_pending))
	pg.cancel = (*int32)(unsafe.Pointer(f.query_cancel_pending))
	pg.die = (*int32)(unsafe.Pointer(f.proc_die_pending))
	pg.holdoff = (*uint32)(unsafe.Pointer(f.interrupt_holdoff_count))
	pg.cancelHoldoff = (*uint32)(unsafe.Pointer(f.query_cancel_holdoff_count))
	pg.critSec = (*uint32)(unsafe.Pointer(f.crit_section_count))
	mc.InterruptPending = interruptPending
	// The runtime's network poller (an epoll and an eventfd, for good)
	// opens at the first timer, whenever that comes (the scavenger's
	// sleep); with no descriptor free then, that is Go's fatal "netpollinit
	// failed". A timer opens it now, while the shim has room kept for it.
	time.AfterFunc(time.Hour, func() {}).Stop()
	reset()
	return finish(nil, data, n)
}

// mcgo_configure sets the client up for the settings in cfg. When they
// cannot be used, the client is dropped (no call may go on with the old
// servers or security) and every call fails with the reason until a
// configuration works.
//
//export mcgo_configure
func mcgo_configure(cfg *C.mcgo_config, data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	reset()
	var c *mc.Client
	var err error
	if msg := C.GoString(cfg.config_error); msg != "" {
		err = &mc.Error{Code: mc.CodeConfig, Msg: msg}
	} else {
		c, err = client.Reconfigure(configFrom(cfg))
	}
	if err != nil {
		if client != nil {
			client.Close()
		}
		client, configErr = nil, err
		return finish(err, data, n)
	}
	client, configErr = c, nil
	atomic.StoreInt32(&mc.MaxSockets, int32(cfg.max_sockets))
	return finish(nil, data, n)
}

func exptime(exp C.int64_t, abs C.int) (int32, error) {
	return mc.Expiration(int64(exp), abs != 0, time.Now)
}

//export mcgo_store
func mcgo_store(verb C.int, key *C.char, kn C.size_t, val *C.char, vn C.size_t,
	exp C.int64_t, abs C.int, data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	reset()
	c, err := configured()
	if err != nil {
		return finish(err, data, n)
	}
	e, err := exptime(exp, abs)
	if err != nil {
		return finish(err, data, n)
	}
	return finish(c.Store(mc.Verb(verb), viewString(key, kn), cBytes(val, vn), e), data, n)
}

//export mcgo_get
func mcgo_get(key *C.char, kn C.size_t, data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	reset()
	c, err := configured()
	if err != nil {
		return finish(err, data, n)
	}
	return finish(c.GetTo(viewString(key, kn), outSink{}), data, n)
}

// mcgo_gets is mcgo_get with the item's CAS token in *cas.
//
//export mcgo_gets
func mcgo_gets(key *C.char, kn C.size_t, cas *C.uint64_t, data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	reset()
	c, err := configured()
	if err != nil {
		return finish(err, data, n)
	}
	v, err := c.GetsTo(viewString(key, kn), outSink{})
	*cas = C.uint64_t(v)
	return finish(err, data, n)
}

// mcgo_gat gets key and sets its expiry (memcached's gat).
//
//export mcgo_gat
func mcgo_gat(key *C.char, kn C.size_t, exp C.int64_t, abs C.int, data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	reset()
	c, err := configured()
	if err != nil {
		return finish(err, data, n)
	}
	e, err := exptime(exp, abs)
	if err != nil {
		return finish(err, data, n)
	}
	return finish(c.GatTo(viewString(key, kn), e, outSink{}), data, n)
}

// mcgo_cas stores the value if the item's CAS token is still cas:
// MCGO_MISS when it changed or the item is gone.
//
//export mcgo_cas
func mcgo_cas(key *C.char, kn C.size_t, val *C.char, vn C.size_t, exp C.int64_t, abs C.int,
	cas C.uint64_t, data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	reset()
	c, err := configured()
	if err != nil {
		return finish(err, data, n)
	}
	e, err := exptime(exp, abs)
	if err != nil {
		return finish(err, data, n)
	}
	return finish(c.CompareAndSwap(viewString(key, kn), cBytes(val, vn), e, uint64(cas)), data, n)
}

// mcgo_get_multi fetches nkeys keys. Its result (gobridge_abi.h) has the
// values found, each key once, with an index in the order asked, and each
// server that failed: a failed server does not hide the values of the
// others. Another code than MCGO_OK is a failure of the whole call.
//
//export mcgo_get_multi
func mcgo_get_multi(keys *C.mcgo_key, nkeys C.int, data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	reset()
	c, err := configured()
	if err != nil {
		return finish(err, data, n)
	}
	list := cKeys(unsafe.Slice(keys, int(nkeys)))
	var sink multiSink
	if !sink.begin(len(list)) {
		return finish(mc.ErrNoMemory, data, n)
	}
	failed, err := c.GetMultiTo(list, &sink)
	if err != nil {
		return finish(err, data, n)
	}
	sink.end(failed)
	publish(data, n)
	return C.MCGO_OK
}

// cKeys is get_multi's key list, views of the shim's memory.
type cKeys []C.mcgo_key

func (k cKeys) Len() int         { return len(k) }
func (k cKeys) Key(i int) string { return viewString(k[i].key, C.size_t(k[i].keylen)) }

// mcgo_release says the shim is done with the last result: a buffer too
// large to keep is given back.
//
//export mcgo_release
func mcgo_release() {
	defer func() { _ = recover() }()
	release()
}

//export mcgo_delete
func mcgo_delete(key *C.char, kn C.size_t, data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	reset()
	c, err := configured()
	if err != nil {
		return finish(err, data, n)
	}
	return finish(c.Delete(viewString(key, kn)), data, n)
}

//export mcgo_incr
func mcgo_incr(decr C.int, key *C.char, kn C.size_t, delta C.uint64_t, result *C.uint64_t,
	data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	reset()
	c, err := configured()
	if err != nil {
		return finish(err, data, n)
	}
	v, err := c.IncrDecr(decr != 0, viewString(key, kn), uint64(delta))
	*result = C.uint64_t(v)
	return finish(err, data, n)
}

//export mcgo_touch
func mcgo_touch(key *C.char, kn C.size_t, exp C.int64_t, abs C.int, data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	reset()
	c, err := configured()
	if err != nil {
		return finish(err, data, n)
	}
	e, err := exptime(exp, abs)
	if err != nil {
		return finish(err, data, n)
	}
	return finish(c.Touch(viewString(key, kn), e), data, n)
}

//export mcgo_flush_all
func mcgo_flush_all(data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	reset()
	c, err := configured()
	if err != nil {
		return finish(err, data, n)
	}
	return finish(c.FlushAll(), data, n)
}

// mcgo_stats returns server, name, value fields for every statistic, or
// the first failure.
//
//export mcgo_stats
func mcgo_stats(data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	reset()
	c, err := configured()
	if err != nil {
		return finish(err, data, n)
	}
	stats, err := c.Stats()
	if err == nil {
		for _, s := range stats {
			putFieldString(s.Server)
			putFieldString(s.Name)
			putFieldString(s.Value)
		}
	}
	return finish(err, data, n)
}

// mcgo_servers probes every configured server now (result layout in
// gobridge_abi.h).
//
//export mcgo_servers
func mcgo_servers(data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	reset()
	c, err := configured()
	if err != nil {
		return finish(err, data, n)
	}
	for _, p := range c.Probe() {
		putFieldString(p.Server)
		if p.Reachable {
			putFieldString("t")
			putFieldString(strconv.FormatFloat(float64(p.Latency.Microseconds())/1000, 'f', 3, 64))
		} else {
			putFieldString("f")
			putFieldString("")
		}
		putFieldString(p.Err)
	}
	return finish(nil, data, n)
}

//export mcgo_server_for_key
func mcgo_server_for_key(key *C.char, kn C.size_t, data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	reset()
	c, err := configured()
	if err != nil {
		return finish(err, data, n)
	}
	s, err := c.ServerForKey(goString(key, kn))
	if err == nil {
		putString(s)
	}
	return finish(err, data, n)
}

// mcgo_check_op checks an operation before it is queued (the key with the
// prefix it will be sent with, the expiry) and gives the exptime to send:
// what is queued cannot fail later but at the server. Nothing is sent and
// the client is not needed.
//
//export mcgo_check_op
func mcgo_check_op(prefix *C.char, pn C.size_t, key *C.char, kn C.size_t, exp C.int64_t, abs C.int,
	exptime *C.int32_t, data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	reset()
	e, err := mc.CheckOp(viewString(prefix, pn), viewString(key, kn), int64(exp), abs != 0, time.Now)
	*exptime = C.int32_t(e)
	return finish(err, data, n)
}

// mcgo_apply runs nops operations (gobridge_abi.h) with the configuration
// they were made under: the session's client when it sends keys to the same
// places, else a parked one (made and parked here if there is none, see
// Client.Park). *done gets how many took effect,
// *failed_at the index of the first that failed (-1: none).
//
//export mcgo_apply
func mcgo_apply(cfg *C.mcgo_config, ops *C.mcgo_op, nops C.int, limitMs C.int32_t, flags C.int,
	done *C.int, failedAt *C.int, data **C.char, n *C.size_t) (code C.int) {
	defer guard(&code, data, n)
	reset()
	*done, *failedAt = 0, -1
	if !inBatch {
		for addr := range batchTimedOut {
			delete(batchTimedOut, addr)
		}
	}
	inBatch = flags&C.MCGO_APPLY_MORE != 0
	if msg := C.GoString(cfg.config_error); msg != "" {
		// Queued under settings that cannot be used: nothing is sent.
		return finish(&mc.Error{Code: mc.CodeConfig, Msg: msg}, data, n)
	}
	conf := configFrom(cfg)
	c, err := batchClient(conf)
	if flags&C.MCGO_APPLY_MORE == 0 {
		defer closeBatchClient()
	}
	if err != nil {
		return finish(err, data, n)
	}
	if flags&C.MCGO_APPLY_AT_COMMIT != 0 {
		// Interrupts are held during COMMIT callbacks; a terminate must
		// still end the send (the commit is durable already), and C
		// processes it once the callback is done.
		defer func(saved func() bool) { mc.InterruptPending = saved }(mc.InterruptPending)
		mc.InterruptPending = dieOrInterruptPending
	}
	b := mc.Batch{Prefix: conf.Prefix, Timeout: conf.Timeout, TimedOut: batchTimedOut}
	if limitMs > 0 {
		b.Deadline = time.Now().Add(time.Duration(limitMs) * time.Millisecond)
	}
	if c != client && c.SameSecurity(client) {
		// Routes left behind (a parked client): the servers they share
		// with the session's client use its one connection, lent for the
		// send and given back, and those they share with other parked
		// clients take theirs.
		c.Gather(client)
		defer client.Adopt(c)
	}
	res := c.Apply(opsFrom(ops, nops), b)
	*done, *failedAt = C.int(res.Done), C.int(res.FirstAt)
	if flags&C.MCGO_APPLY_AT_COMMIT != 0 {
		// C counts the operations of all the COMMIT's chunks.
		return finish(res.FirstErr(), data, n)
	}
	return finish(res.Err(), data, n)
}

// batchTimedOut holds the servers that timed out in the batch in progress
// (see mc.Batch), which may span calls: inBatch says the last call said
// more chunks follow (a COMMIT's).
var (
	batchTimedOut = map[string]error{}
	inBatch       bool
)

// batchOwn is the client of batches queued under other TLS settings or
// credentials than the session's client has now (they cannot be parked
// with it): kept for the chunks of one batch.
var batchOwn *mc.Client

func batchClient(conf mc.Config) (*mc.Client, error) {
	if err := spaceLeft(); err != nil {
		return nil, err
	}
	if client != nil && client.Routes(conf) {
		return client, nil
	}
	if p := client.ParkedFor(conf); p != nil {
		return p, nil
	}
	if client == nil {
		// The first client of the session: it stays the session's, and the
		// next mcgo_configure keeps it if the settings route the same.
		c, err := mc.NewClient(conf)
		if err == nil {
			client = c
		}
		return c, err
	}
	if batchOwn != nil && batchOwn.Routes(conf) {
		return batchOwn, nil
	}
	c, err := mc.NewClient(conf)
	if err != nil {
		return nil, err
	}
	if c.SameSecurity(client) {
		// Kept as a list left behind: the runs of a COMMIT that alternate
		// between lists, and later batches, reuse its connections.
		client.Park(c)
		return c, nil
	}
	closeBatchClient()
	batchOwn = c
	return c, nil
}

func closeBatchClient() {
	if batchOwn != nil {
		batchOwn.Close()
		batchOwn = nil
	}
}
