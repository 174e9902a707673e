/*
 * commit_send.c - the send after commit.
 *
 * The COMMIT callback runs after the commit is durable and visible, with
 * interrupts held; an ERROR there is escalated to a PANIC that restarts
 * the cluster.  So everything it needs is prepared in PRE_COMMIT: the
 * chunk of operation descriptors it fills (pointing into the queue, no
 * copy of the values), the time limits, whether to report.  After commit
 * it only calls Go, reads the clock and formats into static buffers; its
 * one message is ASCII (every other byte escaped as \xNN), so that no
 * client encoding can reject it, and short (see below).
 *
 * Operations go in runs of one configuration (commit_routes.c), in queue
 * order, chunk by chunk.  The whole send is bounded by
 * memcache.commit_timeout (superuser-only: any role can set memcache.timeout
 * to hours while holding commit-order locks); memcache.timeout bounds each
 * chunk's replies.  A terminate ends it within one socket wait slice, and
 * PostgreSQL then processes the terminate when the callback is done.
 */
#include "postgres.h"

#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "abi.h"
#include "commit_internal.h"
#include "gobridge.h"
#include "memcache.h"
#include "stat.h"

#define CHUNK_OPS	4096
#define CHUNK_BYTES (4 * 1024 * 1024)

/* Prepared in PRE_COMMIT. */
static mcgo_op *chunk = NULL;
static int	chunk_cap = 0;
static int64 prepared = 0;		/* operations the send may look at */
static int64 nsend = 0;			/* of which kept */
static bool report = false;
static int	limit_ms = 0;
/* Counted at commit (stat.h): kept operations queued past the limit, unordered. */
static int64 over_limit = 0;
static int64 unordered = 0;

/*
 * Static, so that reporting needs no memory of its own; short, so that
 * what PostgreSQL allocates to report it (the text, and its conversion to
 * the client encoding, up to 4 times as long) fits in the memory it keeps
 * reserved for error reporting.
 */
static char first_msg[192];
static char warn_msg[320];
static char warn_detail[120];

void
mc_send_prepare(void)
{
	int64		kept = 0;

	over_limit = unordered = 0;
	for (int64 i = 0; i < mcq_count; i++)
	{
		uint8		flags = mcq_op(i)->flags;

		if (!(flags & QOP_KEPT))
			continue;
		kept++;
		over_limit += (flags & QOP_OVER_LIMIT) != 0;
		unordered += (flags & QOP_UNORDERED) != 0;
	}
	chunk_cap = (int) Min(kept, CHUNK_OPS);
	chunk = MemoryContextAlloc(TopTransactionContext, sizeof(mcgo_op) * Max(chunk_cap, 1));
	prepared = mcq_count;
	nsend = kept;
	report = mc_on_error != MC_ON_ERROR_SILENT;
	limit_ms = mc_commit_timeout_ms;
	/*
	 * memcache.timeout as it is: the send's own end (limit_ms) is a
	 * deadline of its own, which marks no server down; capping the timeout
	 * with it made a commit_timeout shorter than memcache.timeout mark the
	 * server down, in a message naming memcache.timeout.
	 */
	mc_routes_set_limits(mc_timeout_ms, mc_server_retry_delay_s * 1000);
}

void
mc_send_forget(void)
{
	chunk = NULL;
	chunk_cap = 0;
	prepared = nsend = 0;
}

/* The next chunk from *pos on: kept operations of one route. */
static int
fill_chunk(int64 *pos, McRoute **route)
{
	int			n = 0;
	int64		bytes = 0;

	*route = NULL;
	for (; *pos < prepared; (*pos)++)
	{
		QueuedOp   *op = mcq_op(*pos);
		bool		del = (op->flags & (QOP_DELETE | QOP_UNORDERED)) != 0;
		mcgo_op    *d;

		if (!(op->flags & QOP_KEPT))
			continue;
		if (*route != NULL && op->route != *route)
			break;
		if (n == chunk_cap || (n > 0 && !del && bytes + op->vallen > CHUNK_BYTES))
			break;
		*route = op->route;
		d = &chunk[n++];
		d->key = op->key;
		d->keylen = op->keylen;
		d->op = del ? MCGO_OP_DELETE : MCGO_OP_SET;
		d->exptime = del ? 0 : op->exptime;
		d->val = del ? NULL : op->val;
		d->vallen = del ? 0 : op->vallen;
		if (!del)
			bytes += op->vallen;
	}
	return n;
}

/* After commit: nothing here may raise an ERROR (see above). */
void
mc_send_after_commit(void)
{
	TimestampTz deadline;
	int64		pos = 0,
				done = 0;
	int			first_rc = MCGO_OK;
	McRoute    *last = NULL;
	ErrorContextCallback *saved_context;

	if (nsend == 0)
		return;
	deadline = GetCurrentTimestamp() + (TimestampTz) limit_ms * 1000;
	while (pos < prepared)
	{
		McRoute    *route;
		int			n = fill_chunk(&pos, &route);
		long		left_ms;
		int			ok = 0,
					failed_at = -1,
					rc;

		if (n == 0)
			break;
		left_ms = (long) ((deadline - GetCurrentTimestamp()) / 1000);
		if (left_ms <= 0)
		{
			if (first_rc == MCGO_OK)
			{
				first_rc = MCGO_NETWORK;
				snprintf(first_msg, sizeof(first_msg),
						 "memcache.commit_timeout (%d ms) passed before all were sent", limit_ms);
			}
			break;
		}
		last = route;
		rc = mcgo.apply(&route->cfg, chunk, n, (int32) left_ms,
						MCGO_APPLY_AT_COMMIT | MCGO_APPLY_MORE, &ok, &failed_at,
						&mc_data, &mc_len);
		done += ok;
		if (rc != MCGO_OK && first_rc == MCGO_OK)
		{
			first_rc = rc;
			if (rc == MCGO_INTERRUPTED)
				snprintf(first_msg, sizeof(first_msg), "the session is being terminated");
			else
			{
				McFailure	f;

				mc_failure_read(&f, mc_data, mc_len);
				mc_ascii_copy(first_msg, sizeof(first_msg), f.msg, f.msglen);
			}
		}
		/* A terminate is processed once the COMMIT callbacks are done. */
		if (rc == MCGO_INTERRUPTED)
			break;
	}
	mc_queue_counters[MC_Q_XACTS]++;
	mc_queue_counters[MC_Q_SUPERSEDED] += prepared - nsend;
	mc_queue_counters[MC_Q_SENT] += done;
	mc_queue_counters[MC_Q_FAILED] += nsend - done;
	mc_queue_counters[MC_Q_OVER_LIMIT] += over_limit;
	mc_queue_counters[MC_Q_UNORDERED] += unordered;
	/* Closes the client of a configuration the session has no more. */
	if (last != NULL)
	{
		int			ok,
					failed_at;

		(void) mcgo.apply(&last->cfg, chunk, 0, 0, MCGO_APPLY_AT_COMMIT, &ok, &failed_at,
						  &mc_data, &mc_len);
	}
	if (first_rc == MCGO_OK || !report)
		return;
	snprintf(warn_msg, sizeof(warn_msg),
			 "memcache: cache writes after commit failed: " INT64_FORMAT " of " INT64_FORMAT " operations failed; the first: %s",
			 nsend - done, nsend, first_msg);
	snprintf(warn_detail, sizeof(warn_detail),
			 "The transaction is committed; " INT64_FORMAT " of " INT64_FORMAT " cache operations were done.",
			 done, nsend);
	/* No context callbacks either (a procedure's COMMIT has some). */
	saved_context = error_context_stack;
	error_context_stack = NULL;
	ereport(WARNING,
			(errcode(first_rc == MCGO_NETWORK ? ERRCODE_IO_ERROR :
					 first_rc == MCGO_INTERRUPTED ? ERRCODE_ADMIN_SHUTDOWN : ERRCODE_SYSTEM_ERROR),
			 errmsg_internal("%s", warn_msg),
			 errdetail_internal("%s", warn_detail),
			 errhidestmt(true),
			 errhidecontext(true)));
	error_context_stack = saved_context;
}
