/*
 * storage.c - set, add, replace, append, prepend, cas and touch.
 *
 * One C function serves text and bytea values (both are varlena: the bytes
 * are sent as they are); the _at variants take a timestamptz expiry.
 */
#include "postgres.h"

#include "fmgr.h"

#include "gobridge.h"
#include "memcache.h"

static const char *const verb_names[] = {
	[MCGO_VERB_SET] = "set",
	[MCGO_VERB_ADD] = "add",
	[MCGO_VERB_REPLACE] = "replace",
	[MCGO_VERB_APPEND] = "append",
	[MCGO_VERB_PREPEND] = "prepend",
};

static Datum
store(FunctionCallInfo fcinfo, int verb, bool absolute)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	struct varlena *val = PG_GETARG_VARLENA_PP(1);
	int64		exp = 0;
	int			rc;

	if (PG_NARGS() > 2)
		exp = absolute ? mc_timestamptz_unix(PG_GETARG_DATUM(2))
			: mc_interval_seconds(PG_GETARG_DATUM(2));
	mc_prepare();
	rc = mcgo.store(verb, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key),
					VARDATA_ANY(val), VARSIZE_ANY_EXHDR(val),
					exp, absolute, &mc_data, &mc_len);
	PG_RETURN_BOOL(mc_outcome(rc, verb_names[verb], VARDATA_ANY(key),
							  VARSIZE_ANY_EXHDR(key)));
}

#define STORAGE_FUNCTIONS(name, verb) \
	PG_FUNCTION_INFO_V1(name); \
	Datum name(PG_FUNCTION_ARGS) { return store(fcinfo, verb, false); } \
	PG_FUNCTION_INFO_V1(name##_at); \
	Datum name##_at(PG_FUNCTION_ARGS) { return store(fcinfo, verb, true); }

STORAGE_FUNCTIONS(memcache_set, MCGO_VERB_SET)
STORAGE_FUNCTIONS(memcache_add, MCGO_VERB_ADD)
STORAGE_FUNCTIONS(memcache_replace, MCGO_VERB_REPLACE)
STORAGE_FUNCTIONS(memcache_append, MCGO_VERB_APPEND)
STORAGE_FUNCTIONS(memcache_prepend, MCGO_VERB_PREPEND)

/*
 * memcache_cas(key, value, cas [, expire]): stores only if the item still
 * has the CAS token memcache_gets() gave (the bigint's 64 bits, see
 * retrieval.c); false when it changed since or is gone.
 */
static Datum
cas(FunctionCallInfo fcinfo, bool absolute)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	struct varlena *val = PG_GETARG_VARLENA_PP(1);
	uint64_t	token = (uint64_t) PG_GETARG_INT64(2);
	int64		exp = 0;
	int			rc;

	if (PG_NARGS() > 3)
		exp = absolute ? mc_timestamptz_unix(PG_GETARG_DATUM(3))
			: mc_interval_seconds(PG_GETARG_DATUM(3));
	mc_prepare();
	rc = mcgo.cas(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key),
				  VARDATA_ANY(val), VARSIZE_ANY_EXHDR(val), exp, absolute, token,
				  &mc_data, &mc_len);
	PG_RETURN_BOOL(mc_outcome(rc, "cas", VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)));
}

PG_FUNCTION_INFO_V1(memcache_cas);
Datum
memcache_cas(PG_FUNCTION_ARGS)
{
	return cas(fcinfo, false);
}

PG_FUNCTION_INFO_V1(memcache_cas_at);
Datum
memcache_cas_at(PG_FUNCTION_ARGS)
{
	return cas(fcinfo, true);
}

static Datum
touch(FunctionCallInfo fcinfo, bool absolute)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	int64		exp = absolute ? mc_timestamptz_unix(PG_GETARG_DATUM(1))
		: mc_interval_seconds(PG_GETARG_DATUM(1));
	int			rc;

	mc_prepare();
	rc = mcgo.touch(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key), exp, absolute,
					&mc_data, &mc_len);
	PG_RETURN_BOOL(mc_outcome(rc, "touch", VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)));
}

PG_FUNCTION_INFO_V1(memcache_touch);
Datum
memcache_touch(PG_FUNCTION_ARGS)
{
	return touch(fcinfo, false);
}

PG_FUNCTION_INFO_V1(memcache_touch_at);
Datum
memcache_touch_at(PG_FUNCTION_ARGS)
{
	return touch(fcinfo, true);
}
