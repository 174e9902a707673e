/*
 * batch.c - memcache_set_multi.
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "gobridge.h"
#include "memcache.h"

/*
 * memcache_set_multi(keys text[], values text[]|bytea[] [, expire interval])
 * -> int: how many were stored.  One connection per server, servers in
 * parallel: a cache warmed from a table with one statement.
 */
PG_FUNCTION_INFO_V1(memcache_set_multi);
Datum
memcache_set_multi(PG_FUNCTION_ARGS)
{
	ArrayType  *keys = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *vals = PG_GETARG_ARRAYTYPE_P(1);
	int64		exp = PG_NARGS() > 2 ? mc_interval_seconds(PG_GETARG_DATUM(2)) : 0;
	Oid			valtype = ARR_ELEMTYPE(vals);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *kd,
			   *vd;
	bool	   *kn,
			   *vn;
	int			nk,
				nv,
				done = 0,
				failed_at = -1,
				rc;
	int32		exptime = 0;
	const char *prefix = mc_key_prefix ? mc_key_prefix : "";
	mcgo_op    *ops;
	mcgo_config cfg;

	if (ARR_NDIM(keys) > 1 || ARR_NDIM(vals) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("memcache: keys and values must be one-dimensional arrays")));
	deconstruct_array(keys, TEXTOID, -1, false, TYPALIGN_INT, &kd, &kn, &nk);
	get_typlenbyvalalign(valtype, &typlen, &typbyval, &typalign);
	deconstruct_array(vals, valtype, typlen, typbyval, typalign, &vd, &vn, &nv);
	if (nk != nv)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("memcache: %d keys but %d values", nk, nv)));
	if (nk == 0)
		PG_RETURN_INT32(0);

	/* Every key is checked before anything is sent. */
	mc_prepare();
	ops = palloc_extended(sizeof(mcgo_op) * nk, MCXT_ALLOC_HUGE);
	for (int i = 0; i < nk; i++)
	{
		text	   *k;
		struct varlena *v;

		if (kn[i] || vn[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("memcache: keys and values must not contain NULL (element %d)", i + 1)));
		k = DatumGetTextPP(kd[i]);
		v = PG_DETOAST_DATUM_PACKED(vd[i]);
		rc = mcgo.check_op((char *) prefix, strlen(prefix), VARDATA_ANY(k), VARSIZE_ANY_EXHDR(k),
						   exp, 0, &exptime, &mc_data, &mc_len);
		if (rc != MCGO_OK)
			mc_outcome(rc, "set_multi", VARDATA_ANY(k), VARSIZE_ANY_EXHDR(k));
		ops[i].key = VARDATA_ANY(k);
		ops[i].keylen = VARSIZE_ANY_EXHDR(k);
		ops[i].val = VARDATA_ANY(v);
		ops[i].vallen = VARSIZE_ANY_EXHDR(v);
		ops[i].op = MCGO_OP_SET;
		ops[i].exptime = exptime;
	}

	mc_current_config(&cfg);
	rc = mcgo.apply(&cfg, ops, nk, 0, 0, &done, &failed_at, &mc_data, &mc_len);
	/* A value too large is an ERROR that names its key. */
	if (rc == MCGO_TOOLARGE && failed_at >= 0 && failed_at < nk)
		mc_outcome(rc, "set_multi", ops[failed_at].key, ops[failed_at].keylen);
	else
		mc_outcome(rc, "set_multi", NULL, 0);
	PG_RETURN_INT32(done);
}
