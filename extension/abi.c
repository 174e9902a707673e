/*
 * abi.c - encoders and decoders of the buffers exchanged with the Go object.
 * The layouts are described in gobridge_abi.h; gosrc/abi.go is the Go side.
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "abi.h"
#include "gobridge_abi.h"

static uint32
get_u32(const char *p)
{
	const unsigned char *u = (const unsigned char *) p;

	return (uint32) u[0] | (uint32) u[1] << 8 | (uint32) u[2] << 16 | (uint32) u[3] << 24;
}

static void
put_le(StringInfo buf, uint64 v, int bytes)
{
	char		b[8];

	for (int i = 0; i < bytes; i++)
		b[i] = (char) ((v >> (8 * i)) & 0xff);
	appendBinaryStringInfo(buf, b, bytes);
}

static void
truncated(void)
{
	elog(ERROR, "memcache: truncated result from the Go side");
}

void
mc_fields_init(McFields *f, const char *data, size_t len)
{
	f->p = data;
	f->end = data + len;
}

bool
mc_fields_more(const McFields *f)
{
	return f->p < f->end;
}

const char *
mc_field(McFields *f, uint32 *len)
{
	const char *field;

	if (f->end - f->p < 4)
		truncated();
	*len = get_u32(f->p);
	field = f->p + 4;
	if ((size_t) (f->end - field) < *len)
		truncated();
	f->p = field + *len;
	return field;
}

text *
mc_field_text(McFields *f)
{
	uint32		len;
	const char *p = mc_field(f, &len);

	return cstring_to_text_with_len(p, len);
}

char *
mc_field_cstring(McFields *f)
{
	uint32		len;
	const char *p = mc_field(f, &len);

	return pnstrdup(p, len);
}

void
mc_fields_init_trailer(McFields *f, const char *data, size_t len,
					   const char **msg, uint32 *msglen)
{
	if (len < 4)
		truncated();
	*msglen = get_u32(data + len - 4);
	if (*msglen > len - 4)
		truncated();
	*msg = data + len - 4 - *msglen;
	mc_fields_init(f, data, len - 4 - *msglen);
}

void
mc_put_field(StringInfo buf, const char *data, uint32 len)
{
	put_le(buf, len, 4);
	if (len > 0)
		appendBinaryStringInfo(buf, data, len);
}
