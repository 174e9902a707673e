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

/*
 * Takes the message and its length off the end of a get_multi result:
 * *msg (not NUL-terminated, length *msglen) and f over the pairs before it.
 */
extern void mc_fields_init_trailer(McFields *f, const char *data, size_t len,
								   const char **msg, uint32 *msglen);

/* Appends one field. */
extern void mc_put_field(StringInfo buf, const char *data, uint32 len);

#endif
