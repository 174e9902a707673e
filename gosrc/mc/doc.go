// Package mc is the Go half of the memcache PostgreSQL extension: the
// backend's one memcached client, configured from the memcache.* settings,
// with keys, expiry times and server lists checked before anything is sent.
//
// It speaks memcached's text protocol itself (protocol.go) over one pooled
// connection per server (pool.go), on the backend's own thread, with raw
// system calls whose waits are cut into interrupt slices (socket.go):
// single-key commands (commands.go), get_multi (multiget.go), batches
// (pipeline.go, batch.go) and the commands for every server (admin.go).
// gomemcache places keys for memcache.key_distribution = gomemcache
// (placement.go).
//
// Nothing here knows about PostgreSQL. The cgo layer (package main) turns
// results into C values; the C shim turns them into datums and messages.
package mc
