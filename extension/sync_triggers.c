/*
 * sync_triggers.c - memcache_sync and memcache_invalidate, row triggers
 * that keep a table's rows in memcached through the commit queue.
 *
 *   CREATE TRIGGER t AFTER INSERT OR UPDATE OR DELETE ON tbl FOR EACH ROW
 *     EXECUTE FUNCTION memcache_sync('key_column' [, 'value_column'
 *                                    [, 'key_prefix' [, 'expire_seconds']]]);
 *   ... EXECUTE FUNCTION memcache_invalidate('key_column' [, 'key_prefix']);
 *
 * A key is the key column's text as ::text gives it (char(n) without its
 * padding), the same in every session (stable_output.c).  The cache never
 * costs the row: a trigger whose arguments no longer fit its table (see
 * trigger_args.c; the DDL check normally prevents that), a key memcached
 * cannot take, or a configuration that cannot be used is reported as
 * memcache.on_error says, once per trigger and transaction, and the row is
 * written.  Where a key can still be made, it is deleted instead of set.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "commit_queue.h"
#include "gobridge.h"
#include "memcache.h"
#include "sync_triggers.h"

#define MAX_KEY 250

/* Triggers whose problems this transaction has reported already. */
#define MAX_REPORTED 32
static Oid	reported[MAX_REPORTED];
static int	nreported = 0;
static bool xact_callback_registered = false;

static void
forget_reported(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PREPARE || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT)
		nreported = 0;
}

/* Whether to report a problem of trigger tgoid now (once per transaction). */
static bool
first_report(Oid tgoid)
{
	if (!xact_callback_registered)
	{
		RegisterXactCallback(forget_reported, NULL);
		xact_callback_registered = true;
	}
	for (int i = 0; i < nreported; i++)
		if (reported[i] == tgoid)
			return false;
	if (nreported < MAX_REPORTED)
		reported[nreported++] = tgoid;
	return true;
}

/* A problem of the trigger's, as memcache.on_error says. */
static void
report(TriggerData *td, const char *what, const char *done)
{
	if (mc_on_error == MC_ON_ERROR_SILENT)
		return;
	if (mc_on_error != MC_ON_ERROR_ERROR && !first_report(td->tg_trigger->tgoid))
		return;
	ereport(mc_on_error == MC_ON_ERROR_ERROR ? ERROR : WARNING,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("memcache: trigger \"%s\" on table \"%s\": %s",
					mc_client_text(td->tg_trigger->tgname),
					mc_client_text(RelationGetRelationName(td->tg_relation)),
					mc_client_text(what)),
			 mc_on_error == MC_ON_ERROR_ERROR ? 0 : errdetail("%s", done),
			 mc_on_error == MC_ON_ERROR_ERROR ? 0 :
			 errhint("Further problems of this trigger in this transaction are not reported.")));
}

/* Checks how the trigger is used; returns its TriggerData. */
static TriggerData *
check_trigger(FunctionCallInfo fcinfo, const char *fn)
{
	TriggerData *td;
	char	   *why;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("memcache: %s() must be called as a trigger", fn)));
	td = (TriggerData *) fcinfo->context;
	why = mc_trigger_timing_problem(td->tg_trigger->tgtype);
	if (why != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("memcache: trigger \"%s\" on table \"%s\" cannot use %s(): %s",
						td->tg_trigger->tgname, RelationGetRelationName(td->tg_relation), fn, why)));
	return td;
}

/* A column's text as ::text gives it (char(n) loses its padding). */
static char *
column_text(TupleDesc desc, AttrNumber attno, Datum d)
{
	Oid			typid = TupleDescAttr(desc, attno - 1)->atttypid;
	Oid			out;
	bool		varlena;
	char	   *s;

	getTypeOutputInfo(typid, &out, &varlena);
	s = OidOutputFunctionCall(out, d);
	if (getBaseType(typid) == BPCHAROID)
	{
		size_t		len = strlen(s);

		while (len > 0 && s[len - 1] == ' ')
			len--;
		s[len] = '\0';
	}
	return s;
}

/* What makes key unusable for memcached (memcache.key_prefix included), or NULL. */
static char *
key_problem(const char *key)
{
	size_t		len = strlen(key) + (mc_key_prefix ? strlen(mc_key_prefix) : 0);

	if (len == 0)
		return pstrdup("the key is empty");
	if (len > MAX_KEY)
		return psprintf("the key is %zu bytes (memcache.key_prefix included), memcached takes at most %d", len, MAX_KEY);
	for (const unsigned char *p = (const unsigned char *) key; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return psprintf("the key contains a space or a control character (byte 0x%02x)", *p);
	return NULL;
}

/*
 * prefix || the key column's text; NULL when the column is NULL or the key
 * is not one memcached can take (reported).
 */
static char *
row_key(TriggerData *td, HeapTuple tuple, const McTriggerArgs *a)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	bool		isnull;
	Datum		d = heap_getattr(tuple, a->keycol, desc, &isnull);
	char	   *key;
	char	   *why;

	if (isnull)
		return NULL;
	key = psprintf("%s%s", a->prefix, column_text(desc, a->keycol, d));
	why = key_problem(key);
	if (why == NULL)
		return key;
	report(td, psprintf("a row's key \"%s\" cannot be a memcached key: %s", key, why),
		   "The row is written; nothing is cached for that key.");
	return NULL;
}

/* The row's value: bytea (or a domain over it) raw, another type as its text, no column: JSON. */
static struct varlena *
row_value(TriggerData *td, HeapTuple tuple, AttrNumber attno)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	bool		isnull;
	Datum		d;

	if (attno == 0)
	{
		Datum		rec = heap_copy_tuple_as_datum(tuple, desc);

		return (struct varlena *) DatumGetPointer(DirectFunctionCall1(row_to_json, rec));
	}
	d = heap_getattr(tuple, attno, desc, &isnull);
	if (isnull)
		return NULL;
	if (getBaseType(TupleDescAttr(desc, attno - 1)->atttypid) == BYTEAOID)
		return PG_DETOAST_DATUM_PACKED(d);
	return (struct varlena *) cstring_to_text(column_text(desc, attno, d));
}

static void
queue_delete(const char *key)
{
	mc_queue_op(true, key, strlen(key), NULL, 0, 0);
}

static void
queue_set(const char *key, struct varlena *val, int64 expiry)
{
	if (val == NULL)
		queue_delete(key);
	else
		mc_queue_op(false, key, strlen(key), VARDATA_ANY(val), VARSIZE_ANY_EXHDR(val), expiry);
}

/* Queues the deletes of the row's old and new key (either may be NULL). */
static void
queue_invalidation(const char *oldkey, const char *newkey)
{
	if (oldkey)
		queue_delete(oldkey);
	if (newkey && (oldkey == NULL || strcmp(oldkey, newkey) != 0))
		queue_delete(newkey);
}

/*
 * The arguments, checked; false when the trigger can do nothing for this
 * row (reported).  *state says whether it can set or only delete.
 */
static bool
usable(TriggerData *td, bool sync, McTriggerArgs *a, McArgsState *state)
{
	char	   *why;

	*state = mc_trigger_args(td->tg_trigger, td->tg_relation, sync, a, &why);
	if (*state == MC_ARGS_UNUSABLE)
		report(td, why, "The row is written; the cache is not updated for it.");
	else if (*state == MC_ARGS_INVALIDATE_ONLY)
		report(td, why, "The row is written; its key is deleted from the cache instead of set.");
	if (*state == MC_ARGS_UNUSABLE)
		return false;
	/* Nothing can be sent with a configuration that cannot be used. */
	return mc_prepare_soft();
}

PG_FUNCTION_INFO_V1(memcache_sync);
Datum
memcache_sync(PG_FUNCTION_ARGS)
{
	TriggerData *td = check_trigger(fcinfo, "memcache_sync");
	McTriggerArgs a;
	McArgsState state;
	char	   *newkey = NULL,
			   *oldkey = NULL;
	struct varlena *value = NULL;
	bool		deleted = TRIGGER_FIRED_BY_DELETE(td->tg_event);
	HeapTuple	newtuple = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	int			level;

	if (!usable(td, true, &a, &state))
		return PointerGetDatum(NULL);

	level = mc_stable_output_begin();
	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		oldkey = row_key(td, td->tg_trigtuple, &a);
	if (!deleted)
		newkey = row_key(td, newtuple, &a);
	if (newkey && state == MC_ARGS_OK)
		value = row_value(td, newtuple, a.valcol);
	mc_stable_output_end(level);

	if (deleted || state != MC_ARGS_OK)
		queue_invalidation(oldkey, newkey);
	else
	{
		/* The key changed: the old one must not keep the old row. */
		if (oldkey && (newkey == NULL || strcmp(oldkey, newkey) != 0))
			queue_delete(oldkey);
		if (newkey)
			queue_set(newkey, value, a.expiry);
	}
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(memcache_invalidate);
Datum
memcache_invalidate(PG_FUNCTION_ARGS)
{
	TriggerData *td = check_trigger(fcinfo, "memcache_invalidate");
	McTriggerArgs a;
	McArgsState state;
	char	   *oldkey = NULL,
			   *newkey = NULL;
	int			level;

	if (!usable(td, false, &a, &state))
		return PointerGetDatum(NULL);
	level = mc_stable_output_begin();
	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		oldkey = row_key(td, td->tg_trigtuple, &a);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		newkey = row_key(td, td->tg_trigtuple, &a);
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		newkey = row_key(td, td->tg_newtuple, &a);
	mc_stable_output_end(level);
	queue_invalidation(oldkey, newkey);
	return PointerGetDatum(NULL);
}
