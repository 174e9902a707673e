/*
 * server_list.h - parsing memcache.servers in C.
 *
 * Plain C, no PostgreSQL headers: the Go tests compile server_list.c too,
 * to check it against the Go parser (gosrc/mc/servers.go), which the Go
 * client keeps using.
 */
#ifndef MEMCACHE_SERVER_LIST_H
#define MEMCACHE_SERVER_LIST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Called once per entry, in order: is_unix for a socket path, addr the
 * address as the Go client dials it ("host:port", "[v6]:port" or the path),
 * not NUL-terminated.
 */
typedef void (*mc_server_fn) (void *arg, bool is_unix, const char *addr, size_t len);

/*
 * Parses a server list: comma-separated host[:port], [v6addr][:port] or
 * /path/to.sock entries, blanks around entries allowed; an all-blank list
 * is valid and empty.  Returns the number of entries, or -1 with the reason
 * in err (NUL-terminated, truncated to errlen), worded as the Go parser
 * words it ('entry 2 "b:x": port "x" is not a number from 1 to 65535';
 * bytes outside printable ASCII are escaped as \xNN).  fn may be NULL.
 */
extern int	mc_parse_server_list(const char *list, mc_server_fn fn, void *arg,
								 char *err, size_t errlen);

#endif
