/*
 * statement_end.c - the end of a top-level statement, where the failures
 * that onerror.c counted rather than reported are summed up, and fd.c is
 * told of the sockets the statement's calls left open (external_fds.c).
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

/*
 * The client's statement that ExecutorRun ran at level 0, told by its
 * destination while that is valid: by ExecutorEnd it may be freed (the
 * simple protocol destroys the receiver before it drops the portal).
 */
static QueryDesc *client_query = NULL;

static ExecutorRun_hook_type prev_run = NULL;
static ExecutorFinish_hook_type prev_finish = NULL;
static ExecutorEnd_hook_type prev_end = NULL;
static ProcessUtility_hook_type prev_utility = NULL;

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
run(MC_EXECUTOR_RUN_ARGS)
{
	if (nesting == 0)
		client_query = queryDesc->dest && client_statement(queryDesc->dest->mydest) ?
			queryDesc : NULL;
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

static void
end(QueryDesc *queryDesc)
{
	bool		client = queryDesc == client_query;

	if (client)
		client_query = NULL;
	if (prev_end)
		prev_end(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
	/* Not while aborting: an open cursor's executor ends there. */
	if (nesting == 0 && client && IsTransactionState())
		mc_failures_summarize();
	if (nesting == 0)
		mc_external_fds_check();
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
	/* After a COMMIT: the sockets its sends opened. */
	if (nesting == 0)
		mc_external_fds_check();
}

static void
at_commit(XactEvent event, void *arg)
{
	/* PREPARE TRANSACTION ends the statement too (deferred triggers fire there). */
	if ((event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PRE_PREPARE) && nesting == 0)
		mc_failures_summarize();
	/*
	 * A statement that ended with an ERROR reports no count, now or later
	 * (a procedure's own ROLLBACK, at a deeper level, is not its end).
	 */
	if (event == XACT_EVENT_ABORT && nesting == 0)
	{
		client_query = NULL;
		mc_failures_forget();
	}
}

/* The same for a client's ROLLBACK TO SAVEPOINT after an ERROR. */
static void
at_subabort(SubXactEvent event, SubTransactionId mySubid,
			SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB && nesting == 0)
	{
		client_query = NULL;
		mc_failures_forget();
	}
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
	RegisterSubXactCallback(at_subabort, NULL);
}
