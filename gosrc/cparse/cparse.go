// Package cparse runs parsers of the C shim (extension/) from Go, so that
// tests can hold them to the Go ones they must agree with.
package cparse

/*
#include <stdlib.h>
#include "../../extension/server_list.c"

typedef struct collected
{
	char	   *buf;
	size_t		len;
	size_t		cap;
} collected;

static void
collect(void *arg, bool is_unix, const char *addr, size_t len)
{
	collected  *c = arg;

	if (c->len + len + 2 > c->cap)
	{
		c->cap = (c->len + len + 2) * 2;
		c->buf = realloc(c->buf, c->cap);
	}
	c->buf[c->len++] = is_unix ? 'u' : 't';
	memcpy(c->buf + c->len, addr, len);
	c->len += len;
	c->buf[c->len++] = '\n';
}

static int
parse_servers(const char *list, collected *c, char *err, size_t errlen)
{
	return mc_parse_server_list(list, collect, c, err, errlen);
}
*/
import "C"

import (
	"errors"
	"strings"
	"unsafe"
)

// Server is one entry as the C parser reports it.
type Server struct {
	Network string // "tcp" or "unix"
	Addr    string
}

// ParseServers runs the C parser (extension/server_list.c) on list, which
// must not contain a NUL byte (a setting cannot).
func ParseServers(list string) ([]Server, error) {
	cs := C.CString(list)
	defer C.free(unsafe.Pointer(cs))
	var out C.collected
	defer C.free(unsafe.Pointer(out.buf))
	// A message quotes the entry twice, a byte in up to 4 characters.
	msg := make([]C.char, 8*len(list)+256)
	n := C.parse_servers(cs, &out, &msg[0], C.size_t(len(msg)))
	if n < 0 {
		return nil, errors.New(C.GoString(&msg[0]))
	}
	if out.len == 0 {
		return nil, nil
	}
	lines := strings.Split(strings.TrimSuffix(C.GoStringN(out.buf, C.int(out.len)), "\n"), "\n")
	servers := make([]Server, 0, len(lines))
	for _, l := range lines {
		network := "tcp"
		if l[0] == 'u' {
			network = "unix"
		}
		servers = append(servers, Server{network, l[1:]})
	}
	if int(n) != len(servers) {
		return nil, errors.New("the count disagrees with the entries reported")
	}
	return servers, nil
}
