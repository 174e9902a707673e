/*
 * retrieval.c - get, get_bytea, gets, gets_bytea, gat, gat_bytea,
 * get_multi, get_multi_bytea.
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "access/htup_details.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "abi.h"
#include "gobridge.h"
#include "memcache.h"

/* The hint names the _bytea twin of the function called (memcache_gets_bytea, ...). */
static void
not_text(FunctionCallInfo fcinfo, const char *key, int keylen)
{
	char	   *fn = get_func_name(fcinfo->flinfo->fn_oid);

	ereport(ERROR,
			(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
			 errmsg("memcache: value of \"%s\" is not valid %s text",
					mc_client_textn(key, keylen), GetDatabaseEncodingName()),
			 errhint("Use %s_bytea() to read binary values.", fn ? fn : "memcache_get")));
}

/* Stored bytes as text: an ERROR if they are not in the database encoding. */
static void
check_text(FunctionCallInfo fcinfo, const char *data, size_t len, const char *key, int keylen)
{
	if (!pg_verifymbstr(data, len, true))
		not_text(fcinfo, key, keylen);
}

/* Results this large are given back to Go's buffer when copied. */
#define LARGE_RESULT (64 * 1024)

static bool
get(FunctionCallInfo fcinfo)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	int			rc;

	mc_prepare();
	rc = mcgo.get(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key), &mc_data, &mc_len);
	return mc_outcome(rc, "get", VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key));
}

/* The value of a get, copied into a datum (text: checked). */
static Datum
get_value(FunctionCallInfo fcinfo, bool as_bytea)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	bytea	   *b = NULL;
	bool		valid = as_bytea || pg_verifymbstr(mc_data, mc_len, true);

	if (valid)
	{
		b = (bytea *) palloc(mc_len + VARHDRSZ);
		SET_VARSIZE(b, mc_len + VARHDRSZ);
		if (mc_len > 0)			/* an empty result has no buffer */
			memcpy(VARDATA(b), mc_data, mc_len);
	}
	if (mc_len > LARGE_RESULT)
		mc_release_result();
	if (!valid)
		not_text(fcinfo, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key));
	return PointerGetDatum(b);
}

PG_FUNCTION_INFO_V1(memcache_get);
Datum
memcache_get(PG_FUNCTION_ARGS)
{
	if (!get(fcinfo))
		PG_RETURN_NULL();
	return get_value(fcinfo, false);
}

PG_FUNCTION_INFO_V1(memcache_get_bytea);
Datum
memcache_get_bytea(PG_FUNCTION_ARGS)
{
	if (!get(fcinfo))
		PG_RETURN_NULL();
	return get_value(fcinfo, true);
}

/*
 * The rows of get_multi's result.  Values are used where Go put them: the
 * 4 bytes before each are for its varlena header, so each row is copied
 * once, into the tuplestore (which spills to disk beyond work_mem); keys are
 * the array's own elements.
 */
static void
put_rows(FunctionCallInfo fcinfo, ReturnSetInfo *rsinfo, Datum *elems, int n, bool as_bytea)
{
	McMulti		r;
	McFailure	f;
	int			code;

	mc_multi_init(&r, mc_data, mc_len, n);
	/* Servers that failed: said first; the others' values still come. */
	while ((code = mc_multi_failure(&r, &f)) >= 0)
		mc_report_failure(code, "get_multi", &f);
	for (uint32 i = 0; i < r.found; i++)
	{
		Datum		values[2];
		bool		isnull[2] = {false, false};
		int			k;
		char	   *slot;
		uint32		vlen;

		/* Copying a result of a GB takes a while: stay cancellable. */
		CHECK_FOR_INTERRUPTS();
		mc_multi_value(&r, i, &k, &slot, &vlen);
		if (!as_bytea)
		{
			text	   *key = DatumGetTextPP(elems[k]);

			check_text(fcinfo, slot + VARHDRSZ, vlen, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key));
		}
		SET_VARSIZE(slot, vlen + VARHDRSZ);
		values[0] = elems[k];
		values[1] = PointerGetDatum(slot);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
	}
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
	values[0] = get_value(fcinfo, as_bytea);
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
		if (!gat(fcinfo, absolute)) \
			PG_RETURN_NULL(); \
		return get_value(fcinfo, false); \
	} \
	PG_FUNCTION_INFO_V1(name##_bytea); \
	Datum name##_bytea(PG_FUNCTION_ARGS) \
	{ \
		if (!gat(fcinfo, absolute)) \
			PG_RETURN_NULL(); \
		return get_value(fcinfo, true); \
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
	mcgo_key   *keys;
	int			rc;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("memcache: keys must be a one-dimensional array")));
	/* text[] or, as in pgmemcache, bytea[]: both varlena */
	deconstruct_array(arr, ARR_ELEMTYPE(arr), -1, false, TYPALIGN_INT, &elems, &nulls, &n);

	/* The keys where they are, in the array (never toasted there). */
	keys = palloc_extended(sizeof(mcgo_key) * Max(n, 1), MCXT_ALLOC_HUGE);
	for (int i = 0; i < n; i++)
	{
		text	   *k;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("memcache: keys must not contain NULL (element %d)", i + 1)));
		k = DatumGetTextPP(elems[i]);
		keys[i].key = VARDATA_ANY(k);
		keys[i].keylen = VARSIZE_ANY_EXHDR(k);
		/* A bytea key comes back as the text column key: it must be text. */
		if (ARR_ELEMTYPE(arr) == BYTEAOID &&
			!pg_verifymbstr(keys[i].key, keys[i].keylen, true))
			ereport(ERROR,
					(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
					 errmsg("memcache: keys must be valid %s text (element %d)", GetDatabaseEncodingName(), i + 1),
					 errhint("The keys come back as text.")));
	}

	InitMaterializedSRF(fcinfo, 0);

	if (n == 0)
		return (Datum) 0;

	mc_prepare();
	rc = mcgo.get_multi(keys, n, &mc_data, &mc_len);
	PG_TRY();
	{
		if (rc == MCGO_OK)
			put_rows(fcinfo, rsinfo, elems, n, as_bytea);
		else
			mc_outcome(rc, "get_multi", NULL, 0);
	}
	PG_FINALLY();
	{
		mc_release_result();
	}
	PG_END_TRY();
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
