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
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_type_d.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "sync_triggers.h"

/*
 * The memcache triggers that the commands of this event touch: created
 * ones, and those on an altered table or on its partitions and children.
 * $1 is this function, to find its sibling trigger functions.
 */
static const char *const touched_triggers =
"WITH RECURSIVE cmd AS ("
"  SELECT classid, objid FROM pg_catalog.pg_event_trigger_ddl_commands()),"
" rels(relid) AS ("
"  SELECT objid FROM cmd WHERE classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
"  UNION SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN rels ON i.inhparent = rels.relid)"
" SELECT t.oid, t.tgrelid, p.prosrc = 'memcache_sync'"
" FROM pg_catalog.pg_trigger t"
" JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid"
" JOIN pg_catalog.pg_proc self ON self.oid = $1"
" WHERE p.prolang = self.prolang AND p.probin = self.probin"
"  AND p.prosrc IN ('memcache_sync', 'memcache_invalidate')"
"  AND (t.tgrelid IN (SELECT relid FROM rels)"
"       OR t.oid IN (SELECT objid FROM cmd"
"                    WHERE classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass))";

static void
check_one(Oid tgoid, Oid relid, bool sync)
{
	Relation	rel = table_open(relid, AccessShareLock);
	TriggerDesc *td = rel->trigdesc;

	for (int i = 0; td != NULL && i < td->numtriggers; i++)
	{
		Trigger    *trig = &td->triggers[i];
		McTriggerArgs args;
		char	   *why;

		if (trig->tgoid != tgoid)
			continue;
		why = mc_trigger_timing_problem(trig->tgtype);
		if (why == NULL && mc_trigger_args(trig, rel, sync, &args, &why) == MC_ARGS_OK)
			why = NULL;
		if (why != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("memcache: trigger \"%s\" on table \"%s\" would not work: %s",
							trig->tgname, RelationGetRelationName(rel), why),
					 errhint("Drop the trigger first, or create it with arguments that fit the table.")));
	}
	table_close(rel, AccessShareLock);
}

PG_FUNCTION_INFO_V1(memcache_check_triggers);
Datum
memcache_check_triggers(PG_FUNCTION_ARGS)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1];
	int			rc;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("memcache: memcache_check_triggers() must be called as an event trigger")));
	values[0] = ObjectIdGetDatum(fcinfo->flinfo->fn_oid);
	SPI_connect();
	/* Not read-only: a fresh snapshot sees the command's own catalog rows. */
	rc = SPI_execute_with_args(touched_triggers, 1, argtypes, values, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "memcache: could not list the triggers a command touched: %s",
			 SPI_result_code_string(rc));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Oid			tgoid = DatumGetObjectId(SPI_getbinval(row, desc, 1, &isnull));
		Oid			relid = DatumGetObjectId(SPI_getbinval(row, desc, 2, &isnull));
		bool		sync = DatumGetBool(SPI_getbinval(row, desc, 3, &isnull));

		check_one(tgoid, relid, sync);
	}
	SPI_finish();
	PG_RETURN_VOID();
}
