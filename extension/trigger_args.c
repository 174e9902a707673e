/*
 * trigger_args.c - the arguments of memcache_sync and memcache_invalidate,
 * checked against their table: at CREATE TRIGGER and at every DDL that
 * touches the table (trigger_ddl.c), and when the trigger fires.
 *
 *   memcache_sync('key_column' [, 'value_column' [, 'key_prefix' [, 'expire_seconds']]])
 *   memcache_invalidate('key_column' [, 'key_prefix'])
 *
 * Key columns are limited to types whose text is the same in every session
 * once stable_output.c has fixed the output settings, and can be a
 * memcached key: the string types (text, varchar, char(n), name, citext,
 * ...), integers, numeric, float, bool, uuid, date, time, timetz, inet,
 * cidr, macaddr, bytea, enums, and domains over them.  money (its text
 * follows lc_monetary), the reg* types (search_path), timestamp,
 * timestamptz and interval (their text has a space, which a key cannot),
 * arrays, composites, json and the rest are refused.
 */
#include "postgres.h"

#include <time.h>

#include "access/tupdesc.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "sync_triggers.h"

/* memcached reads a relative expiry above 30 days as a Unix time. */
#define MAX_RELATIVE_EXPIRY (30 * 24 * 60 * 60)
#define MAX_KEY 250

static bool
key_type_ok(Oid typid)
{
	Oid			base = getBaseType(typid);
	char		category;
	bool		preferred;

	switch (base)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case NUMERICOID:
		case FLOAT4OID:
		case FLOAT8OID:
		case BOOLOID:
		case UUIDOID:
		case DATEOID:
		case TIMEOID:
		case TIMETZOID:
		case INETOID:
		case CIDROID:
		case MACADDROID:
		case MACADDR8OID:
		case BYTEAOID:
			return true;
	}
	if (get_typtype(base) == TYPTYPE_ENUM)
		return true;
	get_type_category_preferred(base, &category, &preferred);
	return category == TYPCATEGORY_STRING;
}

/* A user column's number, or 0 when the table has none by that name. */
static AttrNumber
find_column(TupleDesc desc, const char *name)
{
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return att->attnum;
	}
	return 0;
}

/*
 * PostgreSQL 18's virtual generated columns are computed in queries only: a
 * trigger's row holds NULL for them, which would be cached as the value or
 * used as the key.  Such a column cannot be a trigger's key or value, nor be
 * in a table whose whole row is cached as JSON.
 */
static bool
is_virtual(TupleDesc desc, AttrNumber attno)
{
#ifdef ATTRIBUTE_GENERATED_VIRTUAL
	return TupleDescAttr(desc, attno - 1)->attgenerated == ATTRIBUTE_GENERATED_VIRTUAL;
#else
	return false;
#endif
}

/* The table's first virtual generated column, or NULL. */
static const char *
virtual_column(TupleDesc desc)
{
	for (int i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped && is_virtual(desc, i + 1))
			return NameStr(TupleDescAttr(desc, i)->attname);
	return NULL;
}

#define VIRTUAL_WHY "a virtual generated column, which triggers read as NULL (make it STORED)"

/* expire_seconds: digits only; beyond 30 days, a Unix time before 2038. */
static char *
expiry_problem(const char *s, int64 *out)
{
	int64		v = 0;

	if (*s == '\0' || strspn(s, "0123456789") != strlen(s))
		return psprintf("expire_seconds \"%s\" is not a whole number of seconds >= 0 (digits only)", s);
	for (const char *p = s; *p; p++)
	{
		v = v * 10 + (*p - '0');
		if (v > PG_INT32_MAX)
			break;
	}
	if (v > MAX_RELATIVE_EXPIRY && (v > PG_INT32_MAX || (int64) time(NULL) + v > PG_INT32_MAX))
		return psprintf("expire_seconds %s is too far in the future (memcached stores 32-bit Unix times, up to 2038-01-19)", s);
	*out = v;
	return NULL;
}

static char *
prefix_problem(const char *prefix)
{
	size_t		len = strlen(prefix);

	if (len >= MAX_KEY)
		return psprintf("key_prefix is %zu bytes: it must leave room for the key within memcached's %d bytes", len, MAX_KEY);
	for (const unsigned char *p = (const unsigned char *) prefix; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return psprintf("key_prefix \"%s\" contains a space or a control character (byte 0x%02x), which memcached keys cannot", prefix, *p);
	return NULL;
}

McArgsState
mc_trigger_args(Trigger *trig, Relation rel, bool sync, McTriggerArgs *args, char **why)
{
	TupleDesc	desc = RelationGetDescr(rel);
	char	  **argv = trig->tgargs;
	int			nargs = trig->tgnargs;
	int			maxargs = sync ? 4 : 2;
	const char *valname;

	*why = NULL;
	memset(args, 0, sizeof(*args));
	args->prefix = "";
	if (nargs < 1 || nargs > maxargs)
	{
		*why = psprintf("%s takes 1 to %d arguments, not %d",
						sync ? "memcache_sync" : "memcache_invalidate", maxargs, nargs);
		return MC_ARGS_UNUSABLE;
	}
	args->keycol = find_column(desc, argv[0]);
	if (args->keycol == 0)
	{
		*why = psprintf("key column \"%s\" does not exist", argv[0]);
		return MC_ARGS_UNUSABLE;
	}
	if (is_virtual(desc, args->keycol))
	{
		*why = psprintf("key column \"%s\" is " VIRTUAL_WHY, argv[0]);
		return MC_ARGS_UNUSABLE;
	}
	if (!key_type_ok(TupleDescAttr(desc, args->keycol - 1)->atttypid))
	{
		*why = psprintf("key column \"%s\" is of type %s, which cannot make keys (see the README for the types that can)",
						argv[0], format_type_be(TupleDescAttr(desc, args->keycol - 1)->atttypid));
		return MC_ARGS_UNUSABLE;
	}
	if (sync ? nargs > 2 : nargs > 1)
	{
		args->prefix = argv[sync ? 2 : 1];
		if ((*why = prefix_problem(args->prefix)) != NULL)
			return MC_ARGS_UNUSABLE;
	}
	if (!sync)
		return MC_ARGS_OK;
	valname = nargs > 1 ? argv[1] : "";
	if (valname[0] != '\0')
	{
		args->valcol = find_column(desc, valname);
		if (args->valcol == 0)
		{
			*why = psprintf("value column \"%s\" does not exist", valname);
			return MC_ARGS_INVALIDATE_ONLY;
		}
		if (is_virtual(desc, args->valcol))
		{
			*why = psprintf("value column \"%s\" is " VIRTUAL_WHY, valname);
			return MC_ARGS_INVALIDATE_ONLY;
		}
	}
	else if ((valname = virtual_column(desc)) != NULL)
	{
		*why = psprintf("the whole row is cached, and column \"%s\" is " VIRTUAL_WHY, valname);
		return MC_ARGS_INVALIDATE_ONLY;
	}
	if (nargs > 3 && (*why = expiry_problem(argv[3], &args->expiry)) != NULL)
		return MC_ARGS_INVALIDATE_ONLY;
	return MC_ARGS_OK;
}

char *
mc_trigger_timing_problem(int16 tgtype)
{
	if (!TRIGGER_FOR_ROW(tgtype) || !TRIGGER_FOR_AFTER(tgtype))
		return psprintf("it must be an AFTER ... FOR EACH ROW trigger, not %s ... FOR EACH %s",
						TRIGGER_FOR_BEFORE(tgtype) ? "BEFORE" :
						TRIGGER_FOR_INSTEAD(tgtype) ? "INSTEAD OF" : "AFTER",
						TRIGGER_FOR_ROW(tgtype) ? "ROW" : "STATEMENT");
	return NULL;
}
