/*
 * trigger_ddl.c - memcache_check_triggers, the extension's event trigger
 * (ddl_command_end of CREATE TRIGGER, ALTER TABLE, ALTER FOREIGN TABLE).
 *
 * A memcache_sync or memcache_invalidate trigger names its columns in
 * strings that PostgreSQL does not track: renaming or dropping such a
 * column, or changing its type to one that cannot be a key, would leave a
 * trigger that can no longer cache the table's rows.  This refuses that DDL
 * (and a CREATE TRIGGER whose arguments do not fit the table) while the
 * trigger uses the column, so the problem shows in the DDL, not in the
 * table's writes.  Where it did not run (the event trigger disabled,
 * session_replication_role = replica, a trigger older than the check) the
 * trigger reports the problem when it fires and the row is still written.
 *
 * Only what the command breaks is refused: a trigger that did not work
 * before an ALTER TABLE (made so while the check was off, or before version
 * 1.1, which had no check) gets a WARNING, noted by memcache_note_triggers
 * at ddl_command_start; else every ALTER of its table, and a restore of a
 * dump, would fail on it.  A CREATE TRIGGER while check_function_bodies is
 * off, as in a restore, gets a WARNING too.
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_type_d.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "catalog/namespace.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "sync_triggers.h"

/*
 * The memcache triggers (their oid, table and whether they are sync ones)
 * on the tables in rels, and more: $1 is this function, to find its
 * sibling trigger functions.
 */
#define MEMCACHE_TRIGGERS \
" SELECT t.oid, t.tgrelid, p.prosrc = 'memcache_sync'" \
" FROM pg_catalog.pg_trigger t" \
" JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid" \
" JOIN pg_catalog.pg_proc self ON self.oid = $1" \
" WHERE p.prolang = self.prolang AND p.probin = self.probin" \
"  AND p.prosrc IN ('memcache_sync', 'memcache_invalidate')" \
"  AND (t.tgrelid IN (SELECT relid FROM rels)"

/*
 * Those that the commands of this event touch: created ones, and those on
 * an altered table or on its partitions and children.
 */
static const char *const touched_triggers =
"WITH RECURSIVE cmd AS ("
"  SELECT classid, objid FROM pg_catalog.pg_event_trigger_ddl_commands()),"
" rels(relid) AS ("
"  SELECT objid FROM cmd WHERE classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
"  UNION SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN rels ON i.inhparent = rels.relid)"
MEMCACHE_TRIGGERS
"       OR t.oid IN (SELECT objid FROM cmd"
"                    WHERE classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass))";

/* Those on table $2 and on its partitions and children. */
static const char *const table_triggers =
"WITH RECURSIVE rels(relid) AS ("
"  SELECT $2 UNION SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN rels ON i.inhparent = rels.relid)"
MEMCACHE_TRIGGERS ")";

/* Triggers that did not work before the ALTER TABLE under way. */
static List *broken_before = NIL;

/*
 * What keeps trigger tgoid on relid from working, or NULL; *tgname and
 * *relname name them (palloc'd).
 */
static char *
trigger_problem(Oid tgoid, Oid relid, bool sync, char **tgname, char **relname)
{
	Relation	rel = table_open(relid, AccessShareLock);
	TriggerDesc *td = rel->trigdesc;
	char	   *why = NULL;

	for (int i = 0; td != NULL && i < td->numtriggers; i++)
	{
		Trigger    *trig = &td->triggers[i];
		McTriggerArgs args;

		if (trig->tgoid != tgoid)
			continue;
		why = mc_trigger_timing_problem(trig->tgtype);
		if (why == NULL && mc_trigger_args(trig, rel, sync, &args, &why) == MC_ARGS_OK)
			why = NULL;
		*tgname = pstrdup(trig->tgname);
		*relname = pstrdup(RelationGetRelationName(rel));
	}
	table_close(rel, AccessShareLock);
	return why;
}

/* Runs query (with this function as $1 and relid as $2) and checks each row. */
static void
each_trigger(FunctionCallInfo fcinfo, const char *query, Oid relid,
			 void (*check) (Oid tgoid, Oid relid, bool sync))
{
	Oid			argtypes[2] = {OIDOID, OIDOID};
	Datum		values[2];
	int			rc;

	values[0] = ObjectIdGetDatum(fcinfo->flinfo->fn_oid);
	values[1] = ObjectIdGetDatum(relid);
	SPI_connect();
	/* Not read-only: a fresh snapshot sees the command's own catalog rows. */
	rc = SPI_execute_with_args(query, OidIsValid(relid) ? 2 : 1, argtypes, values, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "memcache: could not list the triggers a command touched: %s",
			 SPI_result_code_string(rc));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;

		check(DatumGetObjectId(SPI_getbinval(row, desc, 1, &isnull)),
			  DatumGetObjectId(SPI_getbinval(row, desc, 2, &isnull)),
			  DatumGetBool(SPI_getbinval(row, desc, 3, &isnull)));
	}
	SPI_finish();
}

/* At ddl_command_end: ERROR for what the command broke, else WARNING. */
static bool creating;

static void
check_one(Oid tgoid, Oid relid, bool sync)
{
	char	   *tgname = NULL;
	char	   *relname = NULL;
	char	   *why = trigger_problem(tgoid, relid, sync, &tgname, &relname);

	if (why == NULL)
		return;
	if (creating ? !check_function_bodies : list_member_oid(broken_before, tgoid))
		ereport(WARNING,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("memcache: trigger \"%s\" on table \"%s\" does not work: %s",
						tgname, relname, why),
				 creating ?
				 errdetail("It is not refused while check_function_bodies is off, as in a restore; it reports this when it fires, and the rows are still written.") :
				 errdetail("It did not before this command either; it reports this when it fires, and the rows are still written."),
				 errhint("Drop the trigger, or create it again with arguments that fit the table.")));
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("memcache: trigger \"%s\" on table \"%s\" would not work: %s",
						tgname, relname, why),
				 errhint("Drop the trigger first, or create it with arguments that fit the table.")));
}

/* At ddl_command_start: note the triggers that do not work now. */
static void
note_one(Oid tgoid, Oid relid, bool sync)
{
	char	   *tgname;
	char	   *relname;

	if (trigger_problem(tgoid, relid, sync, &tgname, &relname) != NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		broken_before = lappend_oid(broken_before, tgoid);
		MemoryContextSwitchTo(old);
	}
}

/* The table an ALTER TABLE or ALTER FOREIGN TABLE statement names. */
static Oid
altered_table(Node *parsetree)
{
	RangeVar   *rv = NULL;

	if (IsA(parsetree, AlterTableStmt))
		rv = ((AlterTableStmt *) parsetree)->relation;
	else if (IsA(parsetree, RenameStmt))
		rv = ((RenameStmt *) parsetree)->relation;
	else if (IsA(parsetree, AlterObjectSchemaStmt))
		rv = ((AlterObjectSchemaStmt *) parsetree)->relation;
	return rv == NULL ? InvalidOid : RangeVarGetRelid(rv, NoLock, true);
}

PG_FUNCTION_INFO_V1(memcache_note_triggers);
Datum
memcache_note_triggers(PG_FUNCTION_ARGS)
{
	Oid			relid;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("memcache: memcache_note_triggers() must be called as an event trigger")));
	list_free(broken_before);
	broken_before = NIL;
	relid = altered_table(((EventTriggerData *) fcinfo->context)->parsetree);
	if (OidIsValid(relid))
		each_trigger(fcinfo, table_triggers, relid, note_one);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(memcache_check_triggers);
Datum
memcache_check_triggers(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("memcache: memcache_check_triggers() must be called as an event trigger")));
	creating = IsA(((EventTriggerData *) fcinfo->context)->parsetree, CreateTrigStmt);
	if (creating)
	{
		list_free(broken_before);
		broken_before = NIL;
	}
	each_trigger(fcinfo, touched_triggers, InvalidOid, check_one);
	/* Used once: an ALTER that failed before its end leaves none for the next. */
	list_free(broken_before);
	broken_before = NIL;
	PG_RETURN_VOID();
}
