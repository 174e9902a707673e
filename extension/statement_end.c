/*
 * statement_end.c - the end of a top-level statement, where the failures
 * that onerror.c counted rather than reported are summed up.
 *
 * PostgreSQL has no hook for the end of a statement.  As
 * pg_stat_statements does, the executor and utility hooks keep the nesting
 * level (queries run by functions, triggers, DO blocks and procedures are
 * nested); the top-level statement ends when ExecutorEnd or ProcessUtility
 * returns at level 0 for a client's statement: a SELECT, an INSERT whose
 * triggers called memcache_* functions (they fire before ExecutorEnd), a DO
 * or a CALL.  Code that runs SPI outside any statement is not one: deferred
 * triggers firing at COMMIT, after the statement that queued them, or the
 * triggers of a logical replication apply worker; their failures are summed
 * up in PRE_COMMIT.
 * Hooks are installed by _PG_init, in any process that loads the module;
 * they start no Go.
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/executor.h"
#include "tcop/utility.h"

#include "gobridge.h"
#include "memcache.h"

static int	nesting = 0;

static ExecutorRun_hook_type prev_run = NULL;
static ExecutorFinish_hook_type prev_finish = NULL;
static ExecutorEnd_hook_type prev_end = NULL;
static ProcessUtility_hook_type prev_utility = NULL;

static void
run(MC_EXECUTOR_RUN_ARGS)
{
	nesting++;
	PG_TRY();
	{
		if (prev_run)
			prev_run(MC_EXECUTOR_RUN_PASS);
		else
			standard_ExecutorRun(MC_EXECUTOR_RUN_PASS);
	}
	PG_FINALLY();
	{
		nesting--;
	}
	PG_END_TRY();
}

static void
finish(QueryDesc *queryDesc)
{
	nesting++;
	PG_TRY();
	{
		if (prev_finish)
			prev_finish(queryDesc);
		else
			standard_ExecutorFinish(queryDesc);
	}
	PG_FINALLY();
	{
		nesting--;
	}
	PG_END_TRY();
}

/*
 * Whether a query at level 0 is a client's statement, not one that SPI runs
 * (its destination is SPI's or none).  A portal's tuplestore is a client's
 * (INSERT ... RETURNING).
 */
static bool
client_statement(CommandDest dest)
{
	return dest == DestRemote || dest == DestRemoteExecute ||
		dest == DestRemoteSimple || dest == DestDebug || dest == DestTuplestore;
}

static void
end(QueryDesc *queryDesc)
{
	CommandDest dest = queryDesc->dest ? queryDesc->dest->mydest : DestNone;

	if (prev_end)
		prev_end(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
	if (nesting == 0 && client_statement(dest))
		mc_failures_summarize();
}

static void
utility(MC_PROCESS_UTILITY_ARGS)
{
	nesting++;
	PG_TRY();
	{
		if (prev_utility)
			prev_utility(MC_PROCESS_UTILITY_PASS);
		else
			standard_ProcessUtility(MC_PROCESS_UTILITY_PASS);
	}
	PG_FINALLY();
	{
		nesting--;
	}
	PG_END_TRY();
	if (nesting == 0 && context == PROCESS_UTILITY_TOPLEVEL)
		mc_failures_summarize();
}

static void
at_commit(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_PRE_COMMIT && nesting == 0)
		mc_failures_summarize();
}

void
mc_statement_end_init(void)
{
	prev_run = ExecutorRun_hook;
	ExecutorRun_hook = run;
	prev_finish = ExecutorFinish_hook;
	ExecutorFinish_hook = finish;
	prev_end = ExecutorEnd_hook;
	ExecutorEnd_hook = end;
	prev_utility = ProcessUtility_hook;
	ProcessUtility_hook = utility;
	RegisterXactCallback(at_commit, NULL);
}
