/* othergo.c - the PostgreSQL side of the othergo stand-in module. */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;

extern int	othergo_add(int a, int b);

PG_FUNCTION_INFO_V1(othergo_sum);
Datum
othergo_sum(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(othergo_add(PG_GETARG_INT32(0), PG_GETARG_INT32(1)));
}
