/*
 * retrieval.c - get, get_bytea, get_multi, get_multi_bytea.
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

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

/* Reads a 4-byte little-endian length-prefixed field of the result buffer. */
static const char *
next_field(const char **p, const char *end, uint32 *len)
{
	const unsigned char *u = (const unsigned char *) *p;
	const char *field;

	if (end - *p < 4)
		elog(ERROR, "memcache: truncated result from the Go side");
	*len = (uint32) u[0] | (uint32) u[1] << 8 | (uint32) u[2] << 16 | (uint32) u[3] << 24;
	field = *p + 4;
	if ((size_t) (end - field) < *len)
		elog(ERROR, "memcache: truncated result from the Go side");
	*p = field + *len;
	return field;
}

static Datum
get_multi(FunctionCallInfo fcinfo, bool as_bytea)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	StringInfoData keys;
	const char *p,
			   *end;
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
		appendStringInfoChar(&keys, (char) (len & 0xff));
		appendStringInfoChar(&keys, (char) ((len >> 8) & 0xff));
		appendStringInfoChar(&keys, (char) ((len >> 16) & 0xff));
		appendStringInfoChar(&keys, (char) ((len >> 24) & 0xff));
		appendBinaryStringInfo(&keys, VARDATA_ANY(k), len);
	}

	InitMaterializedSRF(fcinfo, 0);

	if (n == 0)
		return (Datum) 0;

	mc_prepare();
	rc = mcgo.get_multi(keys.data, keys.len, n, &mc_data, &mc_len);
	if (rc != MCGO_OK && rc != MCGO_NETWORK && rc != MCGO_SERVER &&
		rc != MCGO_INTERRUPTED && rc != MCGO_NOSERVERS)
		mc_outcome(rc, "get_multi", NULL, 0);	/* raises */

	/* Pairs, then the error message, then its length (4 bytes). */
	{
		const unsigned char *u;
		uint32		mlen;

		if (mc_len < 4)
			elog(ERROR, "memcache: truncated result from the Go side");
		u = (const unsigned char *) mc_data + mc_len - 4;
		mlen = (uint32) u[0] | (uint32) u[1] << 8 | (uint32) u[2] << 16 | (uint32) u[3] << 24;
		if (mlen > mc_len - 4)
			elog(ERROR, "memcache: truncated result from the Go side");
		p = mc_data;
		end = mc_data + mc_len - 4 - mlen;

		/* Some server failed: say so, and still return what the others had. */
		if (rc != MCGO_OK)
			mc_partial_failure(rc, "get_multi", end, (int) mlen);
	}
	while (p < end)
	{
		Datum		values[2];
		bool		isnull[2] = {false, false};
		uint32		klen,
					vlen;
		const char *k = next_field(&p, end, &klen);
		const char *v = next_field(&p, end, &vlen);

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
