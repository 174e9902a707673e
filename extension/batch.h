/*
 * batch.h - encoding operations for mcgo_apply.
 */
#ifndef MEMCACHE_BATCH_H
#define MEMCACHE_BATCH_H

#include "postgres.h"
#include "lib/stringinfo.h"

/* Appends one operation (see mcgo_apply in gosrc/exports.go). */
extern void mc_batch_append(StringInfo buf, bool is_delete, int64 expiry,
							const char *key, int keylen,
							const char *val, int vallen);

#endif
