/*
 * gobridge_abi.h - the C ABI between the C shim and the Go object.
 *
 * Included by both sides (the C shim and cgo).  Only scalars, plain
 * pointers and the structs below cross: no PostgreSQL types, no Go types.
 * Results longer than a scalar (values, messages, rows) are written by Go
 * into a malloc'd buffer that Go owns and reuses; it stays valid until the
 * next call, and the shim copies out of it at once.
 *
 * Buffers of several items are sequences of fields, encoded and decoded in
 * one place per side (extension/abi.c, gosrc/abi.go):
 *   field       4-byte little-endian length, then that many bytes
 *   key list    one field per key (mcgo_get_multi)
 * A batch (mcgo_apply) is an array of mcgo_op pointing at the caller's
 * memory, read by Go during the call only.
 * Results:
 *   get_multi   key field, value field for every key found, in the order
 *               asked; then the message of a failure (empty: none) and its
 *               length as the last 4 bytes
 *   stats       server, name, value fields for every statistic
 *   servers     server, reachable ("t"/"f"), latency in ms (text, empty
 *               when unreachable), error fields for every server
 */
#ifndef MEMCACHE_GOBRIDGE_ABI_H
#define MEMCACHE_GOBRIDGE_ABI_H

#include <stddef.h>
#include <stdint.h>

/* Result codes of every mcgo_* call. */
#define MCGO_OK			0	/* done; for get, a value is in the buffer */
#define MCGO_MISS		1	/* not found / not stored: a normal outcome */
#define MCGO_INTERRUPTED 2	/* a PostgreSQL interrupt is pending */
#define MCGO_NETWORK	3	/* connect/read/write failure or timeout */
#define MCGO_SERVER		4	/* the server answered with an error */
#define MCGO_TOOLARGE	5	/* the server refused the value as too large */
#define MCGO_BADARG		6	/* invalid argument: nothing was sent */
#define MCGO_NONNUMERIC 7	/* incr/decr on a value that is not a number */
#define MCGO_NOSERVERS	8	/* memcache.servers is empty */
#define MCGO_CONFIG		9	/* the configuration cannot be used */
#define MCGO_INTERNAL	10	/* a Go panic, recovered */
#define MCGO_BADKEY		11	/* invalid key: nothing was sent */

/* Storage verbs of mcgo_store. */
#define MCGO_VERB_SET		0
#define MCGO_VERB_ADD		1
#define MCGO_VERB_REPLACE	2
#define MCGO_VERB_APPEND	3
#define MCGO_VERB_PREPEND	4

/* Operations of a batch (mcgo_apply). */
#define MCGO_OP_SET			0
#define MCGO_OP_DELETE		1

/* Flags of mcgo_apply. */
#define MCGO_APPLY_AT_COMMIT 1	/* in a COMMIT callback: interrupts are held,
								 * yet a pending terminate ends the call */
#define MCGO_APPLY_MORE		2	/* more chunks of this batch follow */

/* One operation of a batch. */
typedef struct mcgo_op
{
	const char *key;			/* without the batch's key_prefix */
	const char *val;			/* a set's value */
	uint32_t	keylen;
	uint32_t	vallen;
	int32_t		op;				/* MCGO_OP_* */
	int32_t		exptime;		/* as sent: mcgo_check_op computes it */
} mcgo_op;

/* Key distributions (memcache.key_distribution). */
#define MCGO_DIST_CACHE_MEMCACHED 0
#define MCGO_DIST_GOMEMCACHE	1
#define MCGO_DIST_PHP_MEMCACHE	2
#define MCGO_DIST_LIBMEMCACHED	3
#define MCGO_DIST_KETAMA		4

/*
 * Addresses of PostgreSQL's interrupt flags.  Go only reads them, between
 * short socket deadline slices, to return MCGO_INTERRUPTED so that the shim
 * can run CHECK_FOR_INTERRUPTS() with no Go frame on the stack.
 */
typedef struct mcgo_interrupt_flags
{
	volatile int *interrupt_pending;
	volatile int *query_cancel_pending;
	volatile int *proc_die_pending;
	volatile uint32_t *interrupt_holdoff_count;
	volatile uint32_t *query_cancel_holdoff_count;
	volatile uint32_t *crit_section_count;
} mcgo_interrupt_flags;

/*
 * The client's configuration: the memcache.* settings.  Strings are
 * NUL-terminated and never NULL (an unset setting is "").
 */
typedef struct mcgo_config
{
	const char *servers;
	const char *key_prefix;
	int32_t		key_distribution;	/* MCGO_DIST_* */
	int32_t		timeout_ms;
	int32_t		retry_delay_ms;
	int32_t		tls;			/* bool */
	int32_t		tls_insecure_skip_verify;	/* bool */
	const char *tls_ca_file;
	const char *tls_cert_file;
	const char *tls_key_file;
	const char *tls_server_name;
	const char *username;
	const char *password;
	/*
	 * Not empty: the settings cannot be used, for this reason.  The client
	 * is dropped and every call fails with MCGO_CONFIG and this message.
	 */
	const char *config_error;
} mcgo_config;

#endif
