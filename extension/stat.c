/*
 * stat.c - this backend's counters and the SQL functions that show them:
 * memcache_stat_local() (this backend), memcache_stat_cluster() (summed
 * over the cluster, behind the memcache_stat view) and
 * memcache_stat_reset().
 *
 * Both functions return the same row type: one row per server, whose
 * counter columns come in the order of the MCGO_STAT_* indices, then one
 * row for the commit queue (server NULL), whose columns come after, in the
 * order of the MC_Q_* indices.  The other kind's columns are NULL.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "pg_compat.h"
#include "stat.h"

/* Written by Go (mcgo_init hands it over), read here between calls. */
mcgo_counters mc_counters;
uint64		mc_queue_counters[MC_Q_COUNT];

#define NCOLS (1 + MCGO_STAT_COUNT + MC_Q_COUNT)

/* The result's tuplestore, for the row type this build fills. */
static ReturnSetInfo *
init_srf(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo;

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	if (rsinfo->setDesc->natts != NCOLS)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("memcache: the counters' function returns %d columns, expected %d",
						rsinfo->setDesc->natts, NCOLS),
				 errhint("Run ALTER EXTENSION memcache UPDATE.")));
	return rsinfo;
}

/* A counter as bigint; times in ms. */
static Datum
counter(uint64 v, bool ns, bool us)
{
	if (ns)
		return Float8GetDatum((double) v / 1e6);
	if (us)
		return Float8GetDatum((double) v / 1e3);
	return Int64GetDatum((int64) Min(v, (uint64) PG_INT64_MAX));
}

static void
put_server(ReturnSetInfo *rsinfo, const char *addr, const uint64 *c)
{
	Datum		values[NCOLS];
	bool		nulls[NCOLS];

	memset(nulls, true, sizeof(nulls));
	values[0] = CStringGetTextDatum(addr);
	nulls[0] = false;
	for (int k = 0; k < MCGO_STAT_COUNT; k++)
	{
		values[1 + k] = counter(c[k], k == MCGO_STAT_TIME_NS, false);
		nulls[1 + k] = false;
	}
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

static void
put_queue(ReturnSetInfo *rsinfo, const uint64 *q)
{
	Datum		values[NCOLS];
	bool		nulls[NCOLS];

	memset(nulls, true, sizeof(nulls));
	for (int k = 0; k < MC_Q_COUNT; k++)
	{
		values[1 + MCGO_STAT_COUNT + k] = counter(q[k], false, k == MC_Q_WAIT_US);
		nulls[1 + MCGO_STAT_COUNT + k] = false;
	}
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

PG_FUNCTION_INFO_V1(memcache_stat_local);
Datum
memcache_stat_local(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = init_srf(fcinfo);

	for (int r = 0; r < mc_counters.nrows; r++)
		put_server(rsinfo, mc_counters.rows[r].addr, mc_counters.rows[r].c);
	put_queue(rsinfo, mc_queue_counters);
	return (Datum) 0;
}

static void
require_preloaded(const char *what)
{
	if (!mc_stat_shared())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("memcache: %s needs the module in shared_preload_libraries", what),
				 errdetail("Counters summed across the cluster live in shared memory, which a module can only have when it is preloaded."),
				 errhint("Add memcache to shared_preload_libraries in postgresql.conf and restart the server; memcache_stat_local() shows this session's counters meanwhile.")));
}

PG_FUNCTION_INFO_V1(memcache_stat_cluster);
Datum
memcache_stat_cluster(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo;
	int			n;
	char		(*addrs)[MCGO_STAT_ADDR_LEN];
	uint64		(*counts)[MCGO_STAT_COUNT];
	uint64		queue[MC_Q_COUNT];

	require_preloaded("memcache_stat");
	rsinfo = init_srf(fcinfo);
	/* This session's own calls count at once. */
	mc_stat_flush();
	mc_stat_read_shared(&n, &addrs, &counts, queue);
	for (int i = 0; i < n; i++)
		put_server(rsinfo, addrs[i], counts[i]);
	put_queue(rsinfo, queue);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(memcache_stat_reset);
Datum
memcache_stat_reset(PG_FUNCTION_ARGS)
{
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("memcache: only superusers may call memcache_stat_reset()")));
	require_preloaded("memcache_stat_reset()");
	mc_stat_flush();
	mc_stat_reset_shared();
	PG_RETURN_VOID();
}
