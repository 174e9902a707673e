/*
 * sync_triggers.c - memcache_sync and memcache_invalidate, row triggers
 * that keep a table's rows in memcached through the commit queue.
 *
 *   CREATE TRIGGER t AFTER INSERT OR UPDATE OR DELETE ON tbl FOR EACH ROW
 *     EXECUTE FUNCTION memcache_sync('key_column' [, 'value_column'
 *                                    [, 'key_prefix' [, 'expire_seconds']]]);
 *   ... EXECUTE FUNCTION memcache_invalidate('key_column' [, 'key_prefix']);
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/rel.h"

#include "commit_queue.h"
#include "memcache.h"

/* Checks how the trigger is used; returns its TriggerData. */
static TriggerData *
check_trigger(FunctionCallInfo fcinfo, const char *fn, int minargs, int maxargs)
{
	TriggerData *td;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("memcache: %s() must be called as a trigger", fn)));
	td = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("memcache: %s() must be an AFTER ... FOR EACH ROW trigger", fn),
				 errdetail("Trigger \"%s\" on table \"%s\" is %s %s.", td->tg_trigger->tgname,
						   RelationGetRelationName(td->tg_relation),
						   TRIGGER_FIRED_AFTER(td->tg_event) ? "AFTER" :
						   TRIGGER_FIRED_BEFORE(td->tg_event) ? "BEFORE" : "INSTEAD OF",
						   TRIGGER_FIRED_FOR_ROW(td->tg_event) ? "FOR EACH ROW" : "FOR EACH STATEMENT")));
	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("memcache: %s() cannot handle TRUNCATE", fn)));
	if (td->tg_trigger->tgnargs < minargs || td->tg_trigger->tgnargs > maxargs)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("memcache: %s() takes %d to %d arguments, trigger \"%s\" gives %d",
						fn, minargs, maxargs, td->tg_trigger->tgname, td->tg_trigger->tgnargs)));
	return td;
}

static int
column(TriggerData *td, const char *name)
{
	int			attno = SPI_fnumber(RelationGetDescr(td->tg_relation), name);

	if (attno <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("memcache: column \"%s\" of trigger \"%s\" does not exist in table \"%s\"",
						name, td->tg_trigger->tgname, RelationGetRelationName(td->tg_relation))));
	return attno;
}

/* prefix || the key column's text, or NULL when the column is NULL. */
static char *
row_key(TriggerData *td, HeapTuple tuple, int attno, const char *prefix)
{
	char	   *k = SPI_getvalue(tuple, RelationGetDescr(td->tg_relation), attno);

	if (k == NULL)
		return NULL;
	return prefix[0] ? psprintf("%s%s", prefix, k) : k;
}

/* The row's value: bytea raw, another type as its text, no column: JSON. */
static struct varlena *
row_value(TriggerData *td, HeapTuple tuple, int attno)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	bool		isnull;
	Datum		d;
	char	   *s;

	if (attno == 0)
	{
		Datum		rec = heap_copy_tuple_as_datum(tuple, desc);

		return (struct varlena *) DatumGetPointer(DirectFunctionCall1(row_to_json, rec));
	}
	d = SPI_getbinval(tuple, desc, attno, &isnull);
	if (isnull)
		return NULL;
	if (SPI_gettypeid(desc, attno) == BYTEAOID)
		return PG_DETOAST_DATUM_PACKED(d);
	s = SPI_getvalue(tuple, desc, attno);
	return (struct varlena *) cstring_to_text(s);
}

static void
queue_set(const char *key, struct varlena *val, int64 expiry)
{
	if (val == NULL)
		mc_queue_op(true, key, strlen(key), NULL, 0, 0);
	else
		mc_queue_op(false, key, strlen(key), VARDATA_ANY(val), VARSIZE_ANY_EXHDR(val), expiry);
}

static void
queue_delete(const char *key)
{
	mc_queue_op(true, key, strlen(key), NULL, 0, 0);
}

PG_FUNCTION_INFO_V1(memcache_sync);
Datum
memcache_sync(PG_FUNCTION_ARGS)
{
	TriggerData *td = check_trigger(fcinfo, "memcache_sync", 1, 4);
	char	  **args = td->tg_trigger->tgargs;
	int			nargs = td->tg_trigger->tgnargs;
	int			keycol = column(td, args[0]);
	int			valcol = (nargs > 1 && args[1][0] != '\0') ? column(td, args[1]) : 0;
	const char *prefix = nargs > 2 ? args[2] : "";
	int64		expiry = 0;
	char	   *newkey = NULL,
			   *oldkey = NULL;

	if (nargs > 3)
	{
		char	   *end;

		expiry = strtoll(args[3], &end, 10);
		if (*args[3] == '\0' || *end != '\0' || expiry < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("memcache: expire_seconds of trigger \"%s\" must be a whole number of seconds >= 0, not \"%s\"",
							td->tg_trigger->tgname, args[3])));
	}

	if (TRIGGER_FIRED_BY_DELETE(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		oldkey = row_key(td, td->tg_trigtuple, keycol, prefix);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		newkey = row_key(td, td->tg_trigtuple, keycol, prefix);
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		newkey = row_key(td, td->tg_newtuple, keycol, prefix);

	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		if (oldkey)
			queue_delete(oldkey);
	}
	else
	{
		HeapTuple	tuple = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;

		/* The key changed: the old one must not keep the old row. */
		if (oldkey && (newkey == NULL || strcmp(oldkey, newkey) != 0))
			queue_delete(oldkey);
		if (newkey)
			queue_set(newkey, row_value(td, tuple, valcol), expiry);
	}
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(memcache_invalidate);
Datum
memcache_invalidate(PG_FUNCTION_ARGS)
{
	TriggerData *td = check_trigger(fcinfo, "memcache_invalidate", 1, 2);
	char	  **args = td->tg_trigger->tgargs;
	int			keycol = column(td, args[0]);
	const char *prefix = td->tg_trigger->tgnargs > 1 ? args[1] : "";
	char	   *oldkey = NULL,
			   *newkey = NULL;

	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		oldkey = row_key(td, td->tg_trigtuple, keycol, prefix);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		newkey = row_key(td, td->tg_trigtuple, keycol, prefix);
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		newkey = row_key(td, td->tg_newtuple, keycol, prefix);
	if (oldkey)
		queue_delete(oldkey);
	if (newkey && (oldkey == NULL || strcmp(oldkey, newkey) != 0))
		queue_delete(newkey);
	return PointerGetDatum(NULL);
}
