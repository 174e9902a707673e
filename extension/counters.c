/*
 * counters.c - delete, incr and decr.
 */
#include "postgres.h"

#include "fmgr.h"
#include "datatype/timestamp.h"
#include "utils/timestamp.h"

#include "gobridge.h"
#include "memcache.h"

static bool
interval_is_zero(const Interval *iv)
{
	return iv->time == 0 && iv->day == 0 && iv->month == 0;
}

PG_FUNCTION_INFO_V1(memcache_delete);
Datum
memcache_delete(PG_FUNCTION_ARGS)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	int			rc;

	/*
	 * memcached dropped delete hold times in 1.4; only "no hold" can be
	 * honoured.  Any other interval (negative or infinite too) is a hold,
	 * not an expiry.
	 */
	if (PG_NARGS() > 1 && !interval_is_zero(PG_GETARG_INTERVAL_P(1)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("memcache: delete hold times are not supported by memcached"),
				 errhint("Call memcache_delete(key), or pass interval '0'.")));
	mc_prepare();
	rc = mcgo.delete(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key), &mc_data, &mc_len);
	PG_RETURN_BOOL(mc_outcome(rc, "delete", VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)));
}

static Datum
incr_decr(FunctionCallInfo fcinfo, bool decr)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	int64		delta = PG_NARGS() > 1 ? PG_GETARG_INT64(1) : 1;
	uint64_t	result = 0;
	int			rc;
	const char *op = decr ? "decr" : "incr";

	if (delta < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("memcache: %s delta must not be negative", op),
				 errhint("Use memcache_%s() to go the other way.", decr ? "incr" : "decr")));
	mc_prepare();
	rc = mcgo.incr(decr, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key), (uint64_t) delta,
				   &result, &mc_data, &mc_len);
	if (!mc_outcome(rc, op, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)))
		PG_RETURN_NULL();
	if (result > (uint64_t) PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("memcache: %s \"%s\": the counter is %llu, out of range for bigint",
						op, mc_client_textn(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)),
						(unsigned long long) result)));
	PG_RETURN_INT64((int64) result);
}

PG_FUNCTION_INFO_V1(memcache_incr);
Datum
memcache_incr(PG_FUNCTION_ARGS)
{
	return incr_decr(fcinfo, false);
}

PG_FUNCTION_INFO_V1(memcache_decr);
Datum
memcache_decr(PG_FUNCTION_ARGS)
{
	return incr_decr(fcinfo, true);
}
