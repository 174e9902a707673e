/*
 * gobridge_abi.h - the C ABI between the C shim and the Go object.
 *
 * Included by both sides (the C shim and cgo).  Only scalars, plain
 * pointers and the structs below cross: no PostgreSQL types, no Go types.
 * Results longer than a scalar (values, messages, rows) are written by Go
 * into a buffer that Go owns and reuses (an anonymous mapping); it stays
 * valid until the next call, and the shim copies out of it at once, then
 * calls mcgo_release after a call whose result can be large.
 *
 * Buffers of several items are encoded and decoded in one place per side
 * (extension/abi.c, gosrc/abi.go); integers are little-endian:
 *   field       4-byte length, then that many bytes
 * A batch (mcgo_apply) is an array of mcgo_op, and get_multi's keys an
 * array of mcgo_key, pointing at the caller's memory, read by Go during the
 * call only.
 * Results:
 *   failure     (any code but MCGO_OK and MCGO_MISS) message field, then
 *               server field: the server that failed (empty: none in
 *               particular), for the shim to report repeated failures of
 *               one server once
 *   get_multi   (MCGO_OK) for nkeys keys asked:
 *               the index, 16 bytes for each key asked, of which the first
 *               "found" are used: for each key found, in the order asked,
 *               the key's position in the keys given (4 bytes), its value's
 *               length (4) and the offset of its value's slot (8);
 *               the slots, in the order the values arrived: each starts at
 *               an offset that is a multiple of 8, with 4 bytes the shim may
 *               use (for a varlena header), then the value;
 *               for each server that failed (the values of the others are
 *               there): its code (4 bytes), then a failure;
 *               the footer, the last 16 bytes: found (4), servers failed
 *               (4), offset of the first failed server (8)
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
#define MCGO_NOMEM		12	/* no memory for the result (an address-space
								 * limit, strict overcommit) */

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

/* One key of get_multi. */
typedef struct mcgo_key
{
	const char *key;			/* without the prefix */
	uint32_t	keylen;
} mcgo_key;

/*
 * Counters of every server a backend has talked to (memcache_stat_local,
 * the memcache_stat view).  The C side owns the table and hands it to Go
 * once (mcgo_init); Go increments it during calls, C reads it between
 * them: one thread, no locks.  Indices into mcgo_server_counters.c:
 */
#define MCGO_STAT_GET			0	/* commands sent, by command */
#define MCGO_STAT_GET_MULTI		1	/* one per server per get_multi */
#define MCGO_STAT_GETS			2
#define MCGO_STAT_GAT			3
#define MCGO_STAT_SET			4	/* set_multi and commit-time sets too */
#define MCGO_STAT_ADD			5
#define MCGO_STAT_REPLACE		6
#define MCGO_STAT_APPEND		7
#define MCGO_STAT_PREPEND		8
#define MCGO_STAT_CAS			9
#define MCGO_STAT_DELETE		10	/* commit-time deletes too */
#define MCGO_STAT_INCR			11
#define MCGO_STAT_DECR			12
#define MCGO_STAT_TOUCH			13
#define MCGO_STAT_OTHER			14	/* flush_all, stats, version */
#define MCGO_STAT_HITS			15	/* keys found by get, get_multi, gets, gat */
#define MCGO_STAT_MISSES		16	/* keys they did not find */
#define MCGO_STAT_NOT_FOUND		17	/* delete, incr, decr, touch, cas: no key */
#define MCGO_STAT_NOT_STORED	18	/* add, replace, append, prepend, cas: not met */
#define MCGO_STAT_ERR_REFUSED	19	/* connection refused */
#define MCGO_STAT_ERR_TIMEOUT	20	/* memcache.timeout passed */
#define MCGO_STAT_ERR_RESET		21	/* connection reset or closed mid-call */
#define MCGO_STAT_ERR_SERVER	22	/* memcached answered with an error */
#define MCGO_STAT_ERR_TOO_LARGE 23	/* value over memcached's item size */
#define MCGO_STAT_ERR_DOWN		24	/* failed at once: server marked down */
#define MCGO_STAT_ERR_OTHER		25	/* TLS, authentication, name lookup, ... */
#define MCGO_STAT_CANCELLED		26	/* ended by a PostgreSQL interrupt */
#define MCGO_STAT_BYTES_SENT	27
#define MCGO_STAT_BYTES_RECV	28
#define MCGO_STAT_CONNECTS		29	/* connections opened */
#define MCGO_STAT_MARKED_DOWN	30	/* times marked down */
#define MCGO_STAT_TIME_NS		31	/* time of the round trips */
#define MCGO_STAT_LAT_1MS		32	/* round trips under 1 ms */
#define MCGO_STAT_LAT_10MS		33	/* 1 to 10 ms */
#define MCGO_STAT_LAT_100MS		34	/* 10 to 100 ms */
#define MCGO_STAT_LAT_SLOW		35	/* 100 ms and more */
#define MCGO_STAT_COUNT			36

#define MCGO_STAT_ADDR_LEN		320	/* a server's address, NUL-terminated */
#define MCGO_STAT_ROWS			64	/* the last row takes the servers after */

typedef struct mcgo_server_counters
{
	char		addr[MCGO_STAT_ADDR_LEN];
	uint64_t	c[MCGO_STAT_COUNT];
} mcgo_server_counters;

typedef struct mcgo_counters
{
	uint64_t	seq;			/* moves with every count */
	int32_t		nrows;			/* rows in use */
	int32_t		sockets;		/* sockets the client holds open (external_fds.c) */
	mcgo_server_counters rows[MCGO_STAT_ROWS];
} mcgo_counters;

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
	/* Sockets the client may hold at once (external_fds.c). */
	int32_t		max_sockets;
} mcgo_config;

#endif
