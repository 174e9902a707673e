/*
 * retrieval.c - get, get_bytea, gets, gets_bytea, gat, gat_bytea,
 * get_multi, get_multi_bytea.
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "access/htup_details.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "abi.h"
#include "gobridge.h"
#include "memcache.h"

/* Stored bytes as text, or an ERROR if they are not in the database encoding. */
static text *
value_as_text(const char *data, size_t len, const char *key, int keylen)
{
	if (!pg_verifymbstr(data, len, true))
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("memcache: value of \"%.*s\" is not valid %s text",
						keylen, key, GetDatabaseEncodingName()),
				 errhint("Use memcache_get_bytea() to read binary values.")));
	return cstring_to_text_with_len(data, len);
}

static bytea *
value_as_bytea(const char *data, size_t len)
{
	bytea	   *b = (bytea *) palloc(len + VARHDRSZ);

	SET_VARSIZE(b, len + VARHDRSZ);
	memcpy(VARDATA(b), data, len);
	return b;
}

static bool
get(FunctionCallInfo fcinfo)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	int			rc;

	mc_prepare();
	rc = mcgo.get(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key), &mc_data, &mc_len);
	return mc_outcome(rc, "get", VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key));
}

PG_FUNCTION_INFO_V1(memcache_get);
Datum
memcache_get(PG_FUNCTION_ARGS)
{
	text	   *key = PG_GETARG_TEXT_PP(0);

	if (!get(fcinfo))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(value_as_text(mc_data, mc_len, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)));
}

PG_FUNCTION_INFO_V1(memcache_get_bytea);
Datum
memcache_get_bytea(PG_FUNCTION_ARGS)
{
	if (!get(fcinfo))
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(value_as_bytea(mc_data, mc_len));
}

/*
 * memcache_gets(key) -> (value, cas).  memcached's CAS token is an
 * unsigned 64-bit number; as a bigint it is the same 64 bits, so a token
 * above 2^63-1 shows as a negative number and memcache_cas() sends it back
 * unchanged: a token to pass on, not a quantity.
 */
static Datum
gets(FunctionCallInfo fcinfo, bool as_bytea)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	uint64_t	cas = 0;
	TupleDesc	desc;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	int			rc;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "memcache: return type must be a row type");
	mc_prepare();
	rc = mcgo.gets(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key), &cas, &mc_data, &mc_len);
	if (!mc_outcome(rc, "gets", VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)))
		PG_RETURN_NULL();
	values[0] = as_bytea ? PointerGetDatum(value_as_bytea(mc_data, mc_len))
		: PointerGetDatum(value_as_text(mc_data, mc_len, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)));
	values[1] = Int64GetDatum((int64) cas);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

PG_FUNCTION_INFO_V1(memcache_gets);
Datum
memcache_gets(PG_FUNCTION_ARGS)
{
	return gets(fcinfo, false);
}

PG_FUNCTION_INFO_V1(memcache_gets_bytea);
Datum
memcache_gets_bytea(PG_FUNCTION_ARGS)
{
	return gets(fcinfo, true);
}

/* memcache_gat(key, expire): get, and give the item a new expiry. */
static bool
gat(FunctionCallInfo fcinfo, bool absolute)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	int64		exp = absolute ? mc_timestamptz_unix(PG_GETARG_DATUM(1))
		: mc_interval_seconds(PG_GETARG_DATUM(1));
	int			rc;

	mc_prepare();
	rc = mcgo.gat(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key), exp, absolute, &mc_data, &mc_len);
	return mc_outcome(rc, "gat", VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key));
}

#define GAT_FUNCTIONS(name, absolute) \
	PG_FUNCTION_INFO_V1(name); \
	Datum name(PG_FUNCTION_ARGS) \
	{ \
		text	   *key = PG_GETARG_TEXT_PP(0); \
		if (!gat(fcinfo, absolute)) \
			PG_RETURN_NULL(); \
		PG_RETURN_TEXT_P(value_as_text(mc_data, mc_len, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key))); \
	} \
	PG_FUNCTION_INFO_V1(name##_bytea); \
	Datum name##_bytea(PG_FUNCTION_ARGS) \
	{ \
		if (!gat(fcinfo, absolute)) \
			PG_RETURN_NULL(); \
		PG_RETURN_BYTEA_P(value_as_bytea(mc_data, mc_len)); \
	}

GAT_FUNCTIONS(memcache_gat, false)
GAT_FUNCTIONS(memcache_gat_at, true)

static Datum
get_multi(FunctionCallInfo fcinfo, bool as_bytea)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	StringInfoData keys;
	McFields	f;
	const char *msg;
	uint32		msglen;
	int			rc;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("memcache: keys must be a one-dimensional array")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);

	initStringInfo(&keys);
	for (int i = 0; i < n; i++)
	{
		text	   *k;
		uint32		len;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("memcache: keys must not contain NULL (element %d)", i + 1)));
		k = DatumGetTextPP(elems[i]);
		len = VARSIZE_ANY_EXHDR(k);
		mc_put_field(&keys, VARDATA_ANY(k), len);
	}

#if PG_VERSION_NUM >= 150000
	InitMaterializedSRF(fcinfo, 0);
#else
	SetSingleFuncCall(fcinfo, 0);
#endif

	if (n == 0)
		return (Datum) 0;

	mc_prepare();
	rc = mcgo.get_multi(keys.data, keys.len, n, &mc_data, &mc_len);
	if (rc != MCGO_OK && rc != MCGO_NETWORK && rc != MCGO_SERVER &&
		rc != MCGO_INTERRUPTED && rc != MCGO_NOSERVERS)
		mc_outcome(rc, "get_multi", NULL, 0);	/* raises */

	mc_fields_init_trailer(&f, mc_data, mc_len, &msg, &msglen);
	/* Some server failed: say so, and still return what the others had. */
	if (rc != MCGO_OK)
		mc_partial_failure(rc, "get_multi", msg, (int) msglen);
	while (mc_fields_more(&f))
	{
		Datum		values[2];
		bool		isnull[2] = {false, false};
		uint32		klen,
					vlen;
		const char *k = mc_field(&f, &klen);
		const char *v = mc_field(&f, &vlen);

		values[0] = PointerGetDatum(cstring_to_text_with_len(k, klen));
		values[1] = as_bytea ? PointerGetDatum(value_as_bytea(v, vlen))
			: PointerGetDatum(value_as_text(v, vlen, k, klen));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(memcache_get_multi);
Datum
memcache_get_multi(PG_FUNCTION_ARGS)
{
	return get_multi(fcinfo, false);
}

PG_FUNCTION_INFO_V1(memcache_get_multi_bytea);
Datum
memcache_get_multi_bytea(PG_FUNCTION_ARGS)
{
	return get_multi(fcinfo, true);
}
