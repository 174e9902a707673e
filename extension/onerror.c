/*
 * onerror.c - what a call's result code does in SQL: memcache.on_error
 * decides between a WARNING, an ERROR and silence for failures of
 * memcached; bad input and internal errors are always an ERROR.
 *
 * A statement that calls memcached for each of many rows while a server is
 * down would give one WARNING per row (200k rows with one of two servers
 * refusing: 100k lines, 22 MB of server log in 8 s).  So the failures of one
 * server (for failures of no server in particular, those with the same
 * message) are reported once per top-level statement: the first WARNING
 * says that further ones are counted, and a WARNING with the count comes
 * when the statement ends (statement_end.c calls mc_failures_summarize),
 * or when its transaction commits for failures in deferred triggers.  A
 * statement that ends with an ERROR reports no count.  Commit-time sends
 * report once per transaction already (commit_send.c).
 */
#include "postgres.h"

#include "access/xact.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/timestamp.h"

#include "abi.h"
#include "gobridge.h"
#include "memcache.h"

/* Failures already reported in this statement, by server or message. */
#define MAX_REPEATS 32
#define REPEAT_TEXT 200

typedef struct Repeat
{
	bool		other;			/* the last entry: failures past MAX_REPEATS kinds */
	bool		server;			/* key is a server's address, else a message */
	int			keylen;
	char		key[REPEAT_TEXT];	/* as it came, up to REPEAT_TEXT bytes */
	char		shown[REPEAT_TEXT]; /* key, ASCII only */
	int64		count;			/* failures after the first, not reported */
	int			sqlstate;		/* of the last of them */
	char		last[REPEAT_TEXT];	/* its message, ASCII only */
} Repeat;

static Repeat repeats[MAX_REPEATS + 1];
static int	nrepeats = 0;
static TimestampTz repeats_of = 0;	/* the statement they are of */

/*
 * The entry of failure f, made when new (*first then true).  Past
 * MAX_REPEATS servers or messages, the failures of all the others share
 * one entry.
 */
static Repeat *
repeat_of(const McFailure *f, bool *first)
{
	bool		server = f->serverlen > 0;
	const char *key = server ? f->server : f->msg;
	int			keylen = (int) Min(server ? f->serverlen : f->msglen, REPEAT_TEXT);
	Repeat	   *r;

	/* Left by a statement that ended with an ERROR: not this one's. */
	if (repeats_of != GetCurrentStatementStartTimestamp())
	{
		nrepeats = 0;
		repeats_of = GetCurrentStatementStartTimestamp();
	}
	*first = false;
	for (int i = 0; i < Min(nrepeats, MAX_REPEATS); i++)
	{
		r = &repeats[i];
		if (r->server == server && r->keylen == keylen && memcmp(r->key, key, keylen) == 0)
			return r;
	}
	if (nrepeats >= MAX_REPEATS)
	{
		r = &repeats[MAX_REPEATS];
		if (nrepeats == MAX_REPEATS)
		{
			nrepeats++;
			r->other = true;
			r->server = true;
			r->keylen = 0;
			strlcpy(r->shown, "other servers", sizeof(r->shown));
			r->count = 0;
			*first = true;
		}
		return r;
	}
	r = &repeats[nrepeats++];
	r->other = false;
	r->server = server;
	r->keylen = keylen;
	memcpy(r->key, key, keylen);
	mc_ascii_copy(r->shown, sizeof(r->shown), key, keylen);
	r->count = 0;
	*first = true;
	return r;
}

/* What memcache.on_error says to do with failure f. */
static bool
fail_msg(int sqlstate, const char *op, const char *key, int keylen, const McFailure *f)
{
	int			level;
	Repeat	   *r = NULL;
	bool		first = true;
	const char *msg;

	switch (mc_on_error)
	{
		case MC_ON_ERROR_SILENT:
			return false;
		case MC_ON_ERROR_ERROR:
			level = ERROR;
			break;
		default:
			level = WARNING;
			r = repeat_of(f, &first);
			break;
	}
	if (!first)
	{
		r->count++;
		r->sqlstate = sqlstate;
		mc_ascii_copy(r->last, sizeof(r->last), f->msg, f->msglen);
		return false;
	}
	/*
	 * The key and message as the client can read them: a WARNING that
	 * cannot be converted would become an ERROR.
	 */
	msg = mc_client_textn(f->msg, f->msglen);
	if (key != NULL)
		ereport(level,
				(errcode(sqlstate),
				 errmsg("memcache: %s \"%s\" failed: %s", op,
						mc_client_textn(key, keylen), msg),
				 r == NULL ? 0 : r->server ?
				 errdetail("Further failures of %s in this statement are counted and reported when it ends.",
						   r->shown) :
				 errdetail("Further failures like this one in this statement are counted and reported when it ends.")));
	else
		ereport(level,
				(errcode(sqlstate),
				 errmsg("memcache: %s failed: %s", op, msg),
				 r == NULL ? 0 : r->server ?
				 errdetail("Further failures of %s in this statement are counted and reported when it ends.",
						   r->shown) :
				 errdetail("Further failures like this one in this statement are counted and reported when it ends.")));
	return false;
}

void
mc_failures_summarize(void)
{
	int			n = nrepeats;

	/* Cleared first: whatever happens while reporting, never twice. */
	nrepeats = 0;
	for (int i = 0; i < n; i++)
	{
		Repeat	   *r = &repeats[i];

		if (r->count == 0)
			continue;
		/* ASCII only, no translation: reporting cannot fail on encoding. */
		if (r->server)
			ereport(WARNING,
					(errcode(r->sqlstate),
					 errmsg_internal("memcache: " INT64_FORMAT " more failures of %s in this statement",
									 r->count, r->shown),
					 errdetail_internal("The last: %s", r->last)));
		else
			ereport(WARNING,
					(errcode(r->sqlstate),
					 errmsg_internal("memcache: " INT64_FORMAT " more failures in this statement like: %s",
									 r->count, r->shown)));
	}
}

void
mc_failures_forget(void)
{
	nrepeats = 0;
}

static int
sqlstate_of(int rc)
{
	switch (rc)
	{
		case MCGO_NETWORK:
			return ERRCODE_IO_ERROR;
		case MCGO_INTERRUPTED:
			return ERRCODE_QUERY_CANCELED;
		default:
			return ERRCODE_SYSTEM_ERROR;
	}
}

void
mc_report_failure(int rc, const char *op, const McFailure *f)
{
	if (rc == MCGO_INTERRUPTED)
		CHECK_FOR_INTERRUPTS();
	fail_msg(sqlstate_of(rc), op, NULL, 0, f);
}

bool
mc_outcome(int rc, const char *op, const char *key, int keylen)
{
	McFailure	f;

	if (rc == MCGO_OK)
		return true;
	if (rc == MCGO_MISS)
		return false;
	mc_failure_read(&f, mc_data, mc_len);
	switch (rc)
	{
		case MCGO_INTERRUPTED:
			/* No Go frame is on the stack any more: the ERROR may unwind. */
			CHECK_FOR_INTERRUPTS();
			return fail_msg(ERRCODE_QUERY_CANCELED, op, key, keylen, &f);
		case MCGO_NETWORK:
		case MCGO_SERVER:
		case MCGO_NOSERVERS:
		case MCGO_CONFIG:
			return fail_msg(sqlstate_of(rc), op, key, keylen, &f);
		case MCGO_TOOLARGE:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("memcache: value for \"%s\" is too large for memcached",
							mc_client_textn(key, keylen)),
					 errdetail("%s", mc_client_textn(f.msg, f.msglen)),
					 errhint("memcached's item size limit is set by its -I option (1 MB by default).")));
			break;
		case MCGO_BADARG:
		case MCGO_BADKEY:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("memcache: %s", mc_client_textn(f.msg, f.msglen))));
			break;
		case MCGO_NONNUMERIC:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("memcache: %s \"%s\": the stored value is not a number", op,
							mc_client_textn(key, keylen))));
			break;
		case MCGO_NOMEM:
			/* With no memory even for its message, Go's reply is empty. */
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 f.msglen > 0 ?
					 errdetail("memcache: %s: %s", op, mc_client_textn(f.msg, f.msglen)) :
					 errdetail("memcache: %s", op)));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("memcache: %s: %s", op, mc_client_textn(f.msg, f.msglen))));
	}
	return false;
}

const char *
mc_client_text(const char *s)
{
	return mc_client_textn(s, strlen(s));
}

const char *
mc_client_textn(const char *s, size_t len)
{
	StringInfoData buf;
	int			client = pg_get_client_encoding();
	int			server = GetDatabaseEncoding();

	/* bytea keys may be any bytes: raw only when they are valid text */
	if ((client == server || client == PG_SQL_ASCII || server == PG_SQL_ASCII) &&
		pg_verifymbstr(s, len, true))
		return pnstrdup(s, len);
	initStringInfo(&buf);
	for (const unsigned char *p = (const unsigned char *) s; p < (const unsigned char *) s + len && *p; p++)
	{
		if (*p >= 0x80)
			appendStringInfo(&buf, "\\x%02x", *p);
		else
			appendStringInfoChar(&buf, (char) *p);
	}
	return buf.data;
}

void
mc_ascii_copy(char *dst, size_t dstsize, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t		o = 0;

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) src[i];

		if (o + 8 >= dstsize)
		{
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f)
			dst[o++] = (char) c;
		else
		{
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 0xf];
		}
	}
	dst[o] = '\0';
}
