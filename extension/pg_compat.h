/*
 * pg_compat.h - every difference between PostgreSQL 13..18 that the shim
 * meets, in one place.  The shim's code is written against the newest API;
 * this header supplies it on the majors that lack it.  memcache.h includes
 * it, so every file of the shim sees it.
 */
#ifndef MEMCACHE_PG_COMPAT_H
#define MEMCACHE_PG_COMPAT_H

#include "postgres.h"
#include "fmgr.h"
#include "miscadmin.h"

#if PG_VERSION_NUM < 130000
#error "memcache needs PostgreSQL 13 or newer"
#endif

/* 16 moved the varlena macros (VARDATA_ANY, VARSIZE_ANY_EXHDR) out of postgres.h. */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/* The wait events of WaitLatch() (PG_WAIT_EXTENSION): in pgstat.h before 14. */
#if PG_VERSION_NUM >= 140000
#include "utils/wait_event.h"
#else
#include "pgstat.h"
#endif

/* Before 14, hash_create() hashes keys as C strings unless told otherwise. */
#if PG_VERSION_NUM < 140000
#define HASH_STRINGS 0
#endif

/*
 * Reserving the memcache.* prefix: 15 removes placeholders such as a
 * mistyped memcache.sever and rejects later ones; before 15 the existing
 * placeholders only draw a WARNING and later ones are still accepted.
 */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

/*
 * A set-returning function's tuplestore in materialize mode: 15.0 named it
 * SetSingleFuncCall; before 15 every function set it up by hand, as here.
 */
#if PG_VERSION_NUM >= 150000 && PG_VERSION_NUM < 150001
#define InitMaterializedSRF(fcinfo, flags) SetSingleFuncCall(fcinfo, flags)
#elif PG_VERSION_NUM < 150000
#include "funcapi.h"
#include "nodes/execnodes.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#define InitMaterializedSRF(fcinfo, flags) mc_init_materialized_srf(fcinfo)

static inline void
mc_init_materialized_srf(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old;
	TupleDesc	desc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("materialize mode required, but it is not allowed in this context")));
	/* The tuplestore and its descriptor live as long as the query. */
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap((rsinfo->allowedModes & SFRM_Materialize_Random) != 0,
											  false, work_mem);
	rsinfo->setDesc = desc;
	MemoryContextSwitchTo(old);
}
#endif

/*
 * Shared memory of a preloaded module: 15 added shmem_request_hook, the
 * only place to request it from then on; before 15, _PG_init requests it.
 */
#if PG_VERSION_NUM >= 150000
#define MC_HAVE_SHMEM_REQUEST_HOOK 1
#endif

/*
 * A transaction lock taken only if it is free at once (no wait, no ERROR
 * when the lock table is full): 18 added LockAcquireExtended()'s
 * logLockFailure argument.
 */
#if PG_VERSION_NUM >= 180000
#define LockAcquireNoWait(tag, mode) \
	LockAcquireExtended((tag), (mode), false, true, false, NULL, false)
#else
#define LockAcquireNoWait(tag, mode) \
	LockAcquireExtended((tag), (mode), false, true, false, NULL)
#endif

/* 18 records the module's name and version (pg_get_loaded_modules()). */
#if PG_VERSION_NUM >= 180000
#define MC_MODULE_MAGIC PG_MODULE_MAGIC_EXT(.name = "memcache", .version = MC_VERSION)
#else
#define MC_MODULE_MAGIC PG_MODULE_MAGIC
#endif

/* ExecutorRun_hook's and ProcessUtility_hook's parameters (statement_end.c). */
#if PG_VERSION_NUM >= 180000
#define MC_EXECUTOR_RUN_ARGS QueryDesc *queryDesc, ScanDirection direction, uint64 count
#define MC_EXECUTOR_RUN_PASS queryDesc, direction, count
#else
#define MC_EXECUTOR_RUN_ARGS QueryDesc *queryDesc, ScanDirection direction, uint64 count, bool execute_once
#define MC_EXECUTOR_RUN_PASS queryDesc, direction, count, execute_once
#endif
#if PG_VERSION_NUM >= 140000
#define MC_PROCESS_UTILITY_ARGS PlannedStmt *pstmt, const char *queryString, bool readOnlyTree, \
	ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *queryEnv, \
	DestReceiver *dest, QueryCompletion *qc
#define MC_PROCESS_UTILITY_PASS pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc
#else
#define MC_PROCESS_UTILITY_ARGS PlannedStmt *pstmt, const char *queryString, \
	ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *queryEnv, \
	DestReceiver *dest, QueryCompletion *qc
#define MC_PROCESS_UTILITY_PASS pstmt, queryString, context, params, queryEnv, dest, qc
#endif

/*
 * The Go side reads PostgreSQL's interrupt flags through the int and uint32
 * pointers of gobridge_abi.h: their types must not change under it.
 */
StaticAssertDecl(sizeof(InterruptPending) == sizeof(int) &&
				 sizeof(QueryCancelPending) == sizeof(int) &&
				 sizeof(ProcDiePending) == sizeof(int),
				 "PostgreSQL's interrupt flags are not ints");
StaticAssertDecl(sizeof(InterruptHoldoffCount) == sizeof(uint32) &&
				 sizeof(QueryCancelHoldoffCount) == sizeof(uint32) &&
				 sizeof(CritSectionCount) == sizeof(uint32),
				 "PostgreSQL's interrupt holdoff counters are not uint32");

#endif
