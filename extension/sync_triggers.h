/*
 * sync_triggers.h - the memcache_sync and memcache_invalidate triggers:
 * their arguments (trigger_args.c), the check of DDL that touches them
 * (trigger_ddl.c) and session-independent row text (stable_output.c).
 */
#ifndef MEMCACHE_SYNC_TRIGGERS_H
#define MEMCACHE_SYNC_TRIGGERS_H

#include "postgres.h"

#include "utils/rel.h"

/* What a trigger's arguments allow. */
typedef enum McArgsState
{
	MC_ARGS_OK,					/* keep the rows in the cache as asked */
	MC_ARGS_INVALIDATE_ONLY,	/* keys can be made, values cannot: delete */
	MC_ARGS_UNUSABLE			/* no key can be made: nothing to do */
} McArgsState;

typedef struct McTriggerArgs
{
	AttrNumber	keycol;
	AttrNumber	valcol;			/* 0: the whole row as JSON */
	const char *prefix;
	int64		expiry;			/* seconds, relative; 0: never */
} McTriggerArgs;

/*
 * Reads the arguments of trigger trig of relation rel, a memcache_sync
 * trigger when sync, else memcache_invalidate, and checks them against the
 * table: the state, and in *why (palloc'd) what is wrong when not OK.
 */
extern McArgsState mc_trigger_args(Trigger *trig, Relation rel, bool sync,
								   McTriggerArgs *args, char **why);

/* What is wrong with how the trigger fires (AFTER ... FOR EACH ROW), or NULL. */
extern char *mc_trigger_timing_problem(int16 tgtype);

/*
 * Fixed output settings for a row's text (stable_output.c): begin returns
 * a GUC nest level (-1: nothing had to change) for end.
 */
extern int	mc_stable_output_begin(void);
extern void mc_stable_output_end(int level);

#endif
