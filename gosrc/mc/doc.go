// Package mc is the Go half of the memcache PostgreSQL extension: one
// persistent, pooled gomemcache client per backend, configured from the
// memcache.* settings, with keys, expiry times and server lists checked
// before anything is sent.
//
// Nothing here knows about PostgreSQL. The cgo layer (package main) turns
// results into C values; the C shim turns them into datums and messages.
package mc
