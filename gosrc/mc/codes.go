package mc

import (
	"errors"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/bradfitz/gomemcache/memcache"
)

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
)

// ErrInterrupted is returned from a socket operation when PostgreSQL has an
// interrupt (cancel, statement_timeout, terminate) pending.
var ErrInterrupted = errors.New("interrupted")

// Error is an error with the Code the caller should act on.
type Error struct {
	Code Code
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

func errorf(code Code, msg string) *Error { return &Error{Code: code, Msg: msg} }

// Classify maps an error from gomemcache or the network to a Code.
func Classify(err error) Code {
	var e *Error
	switch {
	case err == nil:
		return CodeOK
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, ErrInterrupted):
		return CodeInterrupted
	case errors.Is(err, memcache.ErrCacheMiss), errors.Is(err, memcache.ErrNotStored):
		return CodeMiss
	case errors.Is(err, memcache.ErrNoServers):
		return CodeNoServers
	case errors.Is(err, memcache.ErrMalformedKey):
		return CodeBadKey
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "object too large"):
		return CodeTooLarge
	case strings.Contains(msg, "non-numeric value"):
		return CodeNonNumeric
	case strings.Contains(msg, "SERVER_ERROR"), strings.Contains(msg, "CLIENT_ERROR"),
		strings.Contains(msg, "unexpected response"):
		return CodeServer
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, os.ErrDeadlineExceeded) {
		return CodeNetwork
	}
	var cte *memcache.ConnectTimeoutError
	if errors.As(err, &cte) {
		return CodeNetwork
	}
	return CodeNetwork
}

// Describe turns an error into the text shown to the user, without the
// "memcache: " prefix that gomemcache puts on its errors (our messages
// already start with it).
func Describe(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "memcache: ")
	// gomemcache: unexpected response line from "set": "SERVER_ERROR ...\r\n"
	if i := strings.Index(msg, `: "`); i >= 0 && strings.HasPrefix(msg, "unexpected response line") {
		if line, err := strconv.Unquote(msg[i+2:]); err == nil {
			line = strings.TrimSpace(line)
			if strings.Contains(line, "unauthenticated") || strings.Contains(line, "authentication token") {
				return "memcached replied " + line + ": it requires authentication (memcache.username, memcache.password)"
			}
			return "memcached replied " + line
		}
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return "timed out (memcache.timeout)"
	}
	if strings.Contains(msg, "tls: certificate required") {
		return "TLS: the server requires a client certificate (memcache.tls_cert_file, memcache.tls_key_file)"
	}
	var cte *memcache.ConnectTimeoutError
	if errors.As(err, &cte) {
		return "timed out connecting to " + cte.Addr.String() + " (memcache.timeout)"
	}
	return strings.TrimSpace(msg)
}
