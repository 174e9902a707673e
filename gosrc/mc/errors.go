package mc

import "errors"

// Code is the outcome of an operation. The values are the MCGO_* constants
// of extension/gobridge_abi.h; package main checks that they agree.
type Code int

const (
	CodeOK Code = iota
	CodeMiss
	CodeInterrupted
	CodeNetwork
	CodeServer
	CodeTooLarge
	CodeBadArg
	CodeNonNumeric
	CodeNoServers
	CodeConfig
	CodeInternal
	CodeBadKey
	CodeNoMemory
)

// Error is an error with the Code the caller should act on.
type Error struct {
	Code Code
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

func errorf(code Code, msg string) *Error { return &Error{Code: code, Msg: msg} }

// The outcomes callers compare against.
var (
	// ErrCacheMiss: get, delete, incr, decr or touch of a key memcached
	// does not hold (END or NOT_FOUND).
	ErrCacheMiss = errorf(CodeMiss, "cache miss")
	// ErrNotStored: add of a key that exists, replace, append or prepend
	// of one that does not (NOT_STORED).
	ErrNotStored = errorf(CodeMiss, "not stored")
	// ErrNoServers: memcache.servers is empty.
	ErrNoServers = errorf(CodeNoServers, "no memcached server is configured (memcache.servers is empty)")
	// ErrInterrupted: a socket wait ended because PostgreSQL has an
	// interrupt (cancel, statement_timeout, terminate) pending.
	ErrInterrupted = errorf(CodeInterrupted, "interrupted")
	// ErrNoMemory: no room for a value in the result (an address-space
	// limit, strict overcommit): the call fails, the backend goes on.
	ErrNoMemory = errorf(CodeNoMemory, "out of memory for a value from memcached")
)

// Classify returns the Code of err. Errors that carry none are the
// network's: refused, reset, closed, timed out, not resolved.
func Classify(err error) Code {
	var e *Error
	switch {
	case err == nil:
		return CodeOK
	case errors.As(err, &e):
		return e.Code
	}
	return CodeNetwork
}
