/*
 * abi.h - the field layouts of buffers that cross to and from the Go
 * object (described in gobridge_abi.h), encoded and decoded here only.
 */
#ifndef MEMCACHE_ABI_H
#define MEMCACHE_ABI_H

#include "postgres.h"
#include "lib/stringinfo.h"

/* A reader over a result buffer's fields. */
typedef struct McFields
{
	const char *p;
	const char *end;
} McFields;

extern void mc_fields_init(McFields *f, const char *data, size_t len);
extern bool mc_fields_more(const McFields *f);
/* The next field (its length in *len); a truncated buffer is an ERROR. */
extern const char *mc_field(McFields *f, uint32 *len);
extern text *mc_field_text(McFields *f);
extern char *mc_field_cstring(McFields *f);

/* A failure (gobridge_abi.h): its message, and the server that failed. */
typedef struct McFailure
{
	const char *msg;
	uint32		msglen;
	const char *server;			/* "" (serverlen 0): none in particular */
	uint32		serverlen;
} McFailure;

/*
 * Reads a failure result.  Never an ERROR (COMMIT callbacks read them): a
 * buffer not in the layout is taken as all message.
 */
extern void mc_failure_read(McFailure *f, const char *data, size_t len);
/* The message of a failure result, palloc'd. */
extern char *mc_failure_message(const char *data, size_t len);

/* A reader over get_multi's result. */
typedef struct McMulti
{
	char	   *data;
	size_t		len;
	int			nkeys;
	uint32		found;			/* keys found */
	uint32		nfailed;		/* servers failed, not read yet */
	const char *failures;		/* the next failed server */
	const char *end;			/* the footer */
} McMulti;

/* Starts reading the result of nkeys keys; a truncated one is an ERROR. */
extern void mc_multi_init(McMulti *r, char *data, size_t len, int nkeys);
/*
 * The i-th value found (in the order asked): the position of its key in
 * the keys given, its slot (4 bytes free for a varlena header, then the
 * value) and its length.
 */
extern void mc_multi_value(const McMulti *r, uint32 i, int *key, char **slot, uint32 *vlen);
/* The next failed server: its code (-1: no more), and f. */
extern int	mc_multi_failure(McMulti *r, McFailure *f);

/* Appends one field. */
extern void mc_put_field(StringInfo buf, const char *data, uint32 len);

#endif
