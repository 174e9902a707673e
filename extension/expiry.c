/*
 * expiry.c - expiry arguments (interval, timestamptz) as memcached seconds.
 *
 * The wire value (relative up to 30 days, else a Unix time) is chosen on the
 * Go side, where it is unit-tested; here only PostgreSQL's types are read.
 */
#include "postgres.h"

#include <math.h>

#include "datatype/timestamp.h"
#include "utils/timestamp.h"

#include "memcache.h"

/*
 * Seconds in an interval, counted as EXTRACT(EPOCH FROM interval) does
 * (a month is 30 days, a year 365.25 days).  A fraction rounds up, so that
 * a short positive interval never turns into 0, which means "never".
 */
int64
mc_interval_seconds(Datum d)
{
	Interval   *iv = DatumGetIntervalP(d);
	double		secs;

	secs = (double) iv->time / USECS_PER_SEC
		+ (double) iv->day * SECS_PER_DAY
		+ (double) (iv->month / MONTHS_PER_YEAR) * DAYS_PER_YEAR * SECS_PER_DAY
		+ (double) (iv->month % MONTHS_PER_YEAR) * DAYS_PER_MONTH * SECS_PER_DAY;
	if (secs < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("memcache: expiry interval must not be negative"),
				 errhint("Use interval '0' for no expiry, or memcache_delete() to remove a key.")));
	if (secs > (double) PG_INT64_MAX / 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("memcache: expiry interval is too large")));
	return (int64) ceil(secs);
}

/* A timestamptz as Unix seconds (rounded up). */
int64
mc_timestamptz_unix(Datum d)
{
	TimestampTz ts = DatumGetTimestampTz(d);
	int64		unix_us;

	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("memcache: expiry time must be finite")));
	unix_us = ts + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
	if (unix_us <= 0)
		return 0;
	return (unix_us + USECS_PER_SEC - 1) / USECS_PER_SEC;
}
