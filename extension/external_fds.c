/*
 * external_fds.c - telling fd.c about the sockets the Go client holds.
 *
 * fd.c keeps a backend's open files under max_safe_fds and leaves only
 * NUM_RESERVED_FDS (10) for code that opens files behind its back; the
 * client holds a socket per memcached server, more under several server
 * lists.  Untold, fd.c fills the process's descriptor table with cached
 * data files to the brim, and the next open() that is not its own (a
 * library loaded, the client's next connection) fails with EMFILE.  As
 * postgres_fdw does for its connections, the sockets are reserved with
 * ReserveExternalFD, which makes fd.c close cached files to keep room:
 * as many as the client holds or as the server list in effect has,
 * whichever is more, so that the list's connections have room before
 * they are made, and the two the Go runtime keeps (its network poller);
 * at most a third of max_safe_fds, fd.c's own limit for external
 * descriptors, so its cache keeps two thirds; the client opens no more
 * (mc_external_fds_limit).
 *
 * The count is brought up to date before each call, at the end of each
 * top-level statement (after a COMMIT's sends) and in PRE_COMMIT for the
 * lists the commit's writes were queued under; never in the COMMIT or
 * ABORT callbacks, where nothing may fail: closing cached files may log.
 */
#include "postgres.h"

#include <ctype.h>
#include <unistd.h>

#include "storage/fd.h"

#include "gobridge.h"
#include "stat.h"

/* The client's socket count when last seen (mc_external_fds_sync). */
int			mc_sockets_seen = 0;

/* Servers in the list in effect (mc_external_fds_servers). */
static int	list_servers = 0;

/* Servers of the lists a commit's writes were queued under (mc_external_fds_commit). */
static int	commit_servers = 0;

/* The runtime's own: its network poller's epoll and eventfd. */
#define RUNTIME_FDS 2
static int	runtime_fds = 0;

/* Descriptors reserved with fd.c. */
static int	reserved = 0;

void
mc_external_fds_sync(void)
{
	int			want;

	mc_sockets_seen = mc_counters.sockets;
	want = Max(Max(mc_sockets_seen, list_servers), commit_servers);
	want = Min(want + runtime_fds, max_safe_fds / 3);
	while (reserved < want)
	{
		ReserveExternalFD();
		reserved++;
	}
	while (reserved > want)
	{
		ReleaseExternalFD();
		reserved--;
	}
}

/*
 * The runtime's network poller opens when mcgo_init starts it: room is
 * reserved for it with fd.c, and there must be room in the process's table
 * too (a lower ulimit -n than at the postmaster's start, descriptors no one
 * told fd.c of), else it is an ERROR here, not Go's abort there.
 */
void
mc_external_fds_runtime(void)
{
	int			p[2];

	runtime_fds = RUNTIME_FDS;
	mc_external_fds_sync();
	if (pipe(p) != 0)
	{
		int			save = errno;

		runtime_fds = 0;
		mc_external_fds_sync();
		errno = save;
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("memcache: no file descriptors free for the Go runtime: %m"),
				 errhint("The runtime keeps two open. Raise the server's \"ulimit -n\", or lower max_files_per_process.")));
	}
	close(p[0]);
	close(p[1]);
}

/*
 * The sockets the client may hold at once: the rest of the third.  Past
 * it a connection fails as memcache.on_error says; unbounded, a long server
 * list took every descriptor, and PostgreSQL's next open of a WAL file
 * failed, which is a PANIC.
 */
int
mc_external_fds_limit(void)
{
	return Max(max_safe_fds / 3 - RUNTIME_FDS, 1);
}

/* Items of a comma-separated list: an estimate (the client parses it). */
int
mc_count_servers(const char *list)
{
	int			n = 0;
	bool		item = false;

	for (const char *p = list; *p; p++)
	{
		if (*p == ',')
		{
			n += item;
			item = false;
		}
		else if (!isspace((unsigned char) *p))
			item = true;
	}
	return n + item;
}

void
mc_external_fds_servers(const char *list)
{
	list_servers = mc_count_servers(list);
	mc_external_fds_sync();
}

/*
 * In PRE_COMMIT, where nothing is escalated: room for the servers of every
 * list the commit's writes were queued under, which a session that only
 * queues writes (triggers, *_on_commit) has never configured.
 */
void
mc_external_fds_commit(int servers)
{
	commit_servers = servers;
	mc_external_fds_sync();
}

/*
 * After the commit or abort (a transaction callback: variables only): the
 * count goes back to the session's at the next call or statement end.
 */
void
mc_external_fds_commit_done(void)
{
	commit_servers = 0;
	mc_sockets_seen = -1;
}
