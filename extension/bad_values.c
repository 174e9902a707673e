/*
 * bad_values.c - what a bad memcache.* value does.
 *
 * A value someone sets in a session (SET, ALTER ROLE/DATABASE ... SET, a
 * function's SET clause, ALTER SYSTEM) is refused with an ERROR.  So is a
 * value read from the configuration file where PostgreSQL itself would keep
 * the old one: in the postmaster at reload (which logs it), and in backends
 * of a cluster that preloads the module (they decide as the postmaster did).
 *
 * Where refusing would silently put the default in place instead (the
 * module being loaded after the value was set, as when it is not preloaded;
 * a backend re-reading the file whose postmaster never checked it; a
 * parallel worker taking its leader's values), the value is kept and marked
 * broken: the client is then not configured, every call fails as
 * memcache.on_error says with this message, and nothing is sent to a
 * server the configuration did not name.
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "tcop/pquery.h"
#include "utils/guc.h"

#include "gobridge.h"
#include "memcache.h"

bool		mc_defining_settings = false;
bool		mc_preloaded = false;

/* The messages of the values kept although bad (GUC owns the memory). */
static const char *broken[MC_BAD_COUNT];

bool
mc_refuse_bad_value(GucSource source)
{
	if (IsParallelWorker())
		return false;			/* the leader's values: the leader decided */
	if (source >= PGC_S_INTERACTIVE || source == PGC_S_CLIENT)
		return true;
	if (mc_defining_settings)
		return false;
	if (!IsUnderPostmaster || mc_preloaded)
		return true;
	/*
	 * ALTER SYSTEM and the pg_file_settings view check a file's values in a
	 * running statement; a backend re-reads the file between statements
	 * (possibly inside a transaction block).
	 */
	return IsTransactionState() && ActivePortal != NULL;
}

bool
mc_bad_value(const char *name, const char *msg, void **extra, GucSource source)
{
	if (mc_refuse_bad_value(source))
	{
		GUC_check_errmsg("invalid %s: %s", name, msg);
		return false;
	}
	return mc_keep_bad_value(name, msg, extra);
}

bool
mc_keep_bad_value(const char *name, const char *msg, void **extra)
{
	char	   *kept;
	size_t		len;

	len = strlen(name) + strlen(msg) + 16;
	kept = malloc(len);
	if (kept == NULL)
	{
		GUC_check_errmsg("out of memory");
		return false;
	}
	snprintf(kept, len, "invalid %s: %s", name, msg);
	*extra = kept;
	return true;
}

void
mc_note_bad_value(McBadSetting which, void *extra)
{
	broken[which] = extra;
	mc_config_dirty = true;
}

const char *
mc_bad_values(void)
{
	for (int i = 0; i < MC_BAD_COUNT; i++)
		if (broken[i] != NULL)
			return broken[i];
	return NULL;
}
