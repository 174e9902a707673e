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

static uint64
get_u64(const char *p)
{
	return (uint64) get_u32(p) | (uint64) get_u32(p + 4) << 32;
}

/*
 * Reads a field without raising: false when the buffer is not in the
 * layout.
 */
static bool
field_soft(const char **p, const char *end, const char **field, uint32 *len)
{
	if (end - *p < 4)
		return false;
	*len = get_u32(*p);
	if ((size_t) (end - *p - 4) < *len)
		return false;
	*field = *p + 4;
	*p = *field + *len;
	return true;
}

void
mc_failure_read(McFailure *f, const char *data, size_t len)
{
	const char *p = data;
	const char *end = data + len;

	f->server = "";
	f->serverlen = 0;
	if (len == 0 || data == NULL)
	{
		f->msg = "";
		f->msglen = 0;
		return;
	}
	if (!field_soft(&p, end, &f->msg, &f->msglen) ||
		!field_soft(&p, end, &f->server, &f->serverlen) || p != end)
	{
		/* Not in the layout: all of it is the message. */
		f->msg = data;
		f->msglen = (uint32) Min(len, PG_UINT32_MAX);
		f->server = "";
		f->serverlen = 0;
	}
}

char *
mc_failure_message(const char *data, size_t len)
{
	McFailure	f;

	mc_failure_read(&f, data, len);
	return pnstrdup(f.msg, f.msglen);
}

void
mc_multi_init(McMulti *r, char *data, size_t len, int nkeys)
{
	const char *foot;
	uint64		fail_at;

	if (len < 16 || (uint64) nkeys * 16 > len - 16)
		truncated();
	foot = data + len - 16;
	r->data = data;
	r->nkeys = nkeys;
	r->found = get_u32(foot);
	r->nfailed = get_u32(foot + 4);
	fail_at = get_u64(foot + 8);
	if (r->found > (uint32) nkeys || fail_at > len - 16 || fail_at < (uint64) nkeys * 16)
		truncated();
	r->failures = data + fail_at;
	r->end = foot;
	r->len = len;
}

void
mc_multi_value(const McMulti *r, uint32 i, int *key, char **slot, uint32 *vlen)
{
	const char *e = r->data + (size_t) i * 16;
	uint64		off = get_u64(e + 8);
	uint32		k = get_u32(e);

	*vlen = get_u32(e + 4);
	if (i >= r->found || k >= (uint32) r->nkeys || off % 8 != 0 ||
		off < (uint64) r->nkeys * 16 || off > r->len || r->len - off < (uint64) *vlen + 4)
		truncated();
	*key = (int) k;
	*slot = r->data + off;
}

int
mc_multi_failure(McMulti *r, McFailure *f)
{
	const char *p = r->failures;

	if (r->nfailed == 0)
		return -1;
	if (r->end - p < 4)
		truncated();
	r->nfailed--;
	f->server = "";
	f->serverlen = 0;
	p += 4;
	if (!field_soft(&p, r->end, &f->msg, &f->msglen) ||
		!field_soft(&p, r->end, &f->server, &f->serverlen))
		truncated();
	{
		int			code = (int) get_u32(r->failures);

		r->failures = p;
		return code;
	}
}

void
mc_put_field(StringInfo buf, const char *data, uint32 len)
{
	put_le(buf, len, 4);
	if (len > 0)
		appendBinaryStringInfo(buf, data, len);
}
