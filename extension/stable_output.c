/*
 * stable_output.c - text of a row that does not depend on the session.
 *
 * memcache_sync's keys, text values and JSON rows are the types' output,
 * and some outputs follow session settings: a date follows DateStyle, a
 * timestamptz TimeZone, an interval IntervalStyle, a float
 * extra_float_digits, a bytea bytea_output.  Two sessions that wrote the
 * same row with different settings would then use different keys, and the
 * older key would stay cached.  So the text is made under fixed settings
 * (DateStyle ISO, IntervalStyle postgres, TimeZone UTC or any zone with no
 * offset, extra_float_digits > 0, bytea_output hex), as postgres_fdw
 * does for the values it sends: one GUC nest level, set only where the
 * session differs, undone after the row (or by the abort of an error).
 * With the defaults but TimeZone that costs nothing; see the README for
 * the cost per row otherwise.  What this cannot fix (money's lc_monetary,
 * the reg* types' search_path) is why those types cannot be keys.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "pgtime.h"
#include "utils/bytea.h"
#include "utils/float.h"
#include "utils/guc.h"

#include "sync_triggers.h"

static bool
utc_like(void)
{
	long		gmtoff;

	return session_timezone != NULL &&
		pg_get_timezone_offset(session_timezone, &gmtoff) && gmtoff == 0;
}

static void
set(const char *name, const char *value)
{
	(void) set_config_option(name, value, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

int
mc_stable_output_begin(void)
{
	int			level;

	if (DateStyle == USE_ISO_DATES && IntervalStyle == INTSTYLE_POSTGRES &&
		extra_float_digits > 0 && bytea_output == BYTEA_OUTPUT_HEX && utc_like())
		return -1;
	level = NewGUCNestLevel();
	if (DateStyle != USE_ISO_DATES)
		set("datestyle", "ISO");
	if (IntervalStyle != INTSTYLE_POSTGRES)
		set("intervalstyle", "postgres");
	if (extra_float_digits <= 0)
		set("extra_float_digits", "1");
	if (bytea_output != BYTEA_OUTPUT_HEX)
		set("bytea_output", "hex");
	if (!utc_like())
		set("timezone", "UTC");
	return level;
}

void
mc_stable_output_end(int level)
{
	if (level >= 0)
		AtEOXact_GUC(true, level);
}
