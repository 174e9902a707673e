/*
 * gobridge.h - calling the Go object: its entry points (goload.c), its
 * configuration (goconfig.c) and what results mean in SQL (onerror.c).
 */
#ifndef MEMCACHE_GOBRIDGE_H
#define MEMCACHE_GOBRIDGE_H

#include "postgres.h"
#include "gobridge_abi.h"

/* The Go object's exports, resolved with dlsym. */
typedef struct GoBridge
{
	int			(*init) (mcgo_interrupt_flags *f, mcgo_counters *counters,
						 char **data, size_t *n);
	int			(*configure) (mcgo_config *cfg, char **data, size_t *n);
	int			(*store) (int verb, char *key, size_t kn, char *val, size_t vn,
						  int64_t exp, int abs, char **data, size_t *n);
	int			(*get) (char *key, size_t kn, char **data, size_t *n);
	int			(*gets) (char *key, size_t kn, uint64_t *cas, char **data, size_t *n);
	int			(*gat) (char *key, size_t kn, int64_t exp, int abs, char **data, size_t *n);
	int			(*cas) (char *key, size_t kn, char *val, size_t vn, int64_t exp, int abs,
						uint64_t cas, char **data, size_t *n);
	int			(*get_multi) (mcgo_key *keys, int nkeys, char **data, size_t *n);
	void		(*release) (void);
	int			(*delete) (char *key, size_t kn, char **data, size_t *n);
	int			(*incr) (int decr, char *key, size_t kn, uint64_t delta,
						 uint64_t *result, char **data, size_t *n);
	int			(*touch) (char *key, size_t kn, int64_t exp, int abs, char **data, size_t *n);
	int			(*flush_all) (char **data, size_t *n);
	int			(*stats) (char **data, size_t *n);
	int			(*servers) (char **data, size_t *n);
	int			(*server_for_key) (char *key, size_t kn, char **data, size_t *n);
	int			(*check_op) (char *prefix, size_t pn, char *key, size_t kn, int64_t exp,
							 int abs, int32_t *exptime, char **data, size_t *n);
	int			(*apply) (mcgo_config *cfg, mcgo_op *ops, int nops, int32_t limit_ms,
						  int flags, int *done, int *failed_at, char **data, size_t *n);
} GoBridge;

extern GoBridge mcgo;

/* The result buffer of the last call (owned by Go, valid until the next). */
extern char *mc_data;
extern size_t mc_len;

/* Set by the assign hooks of the settings that shape the client. */
extern bool mc_config_dirty;
extern bool mc_go_loaded;

extern void mc_prepare_slow(void);

/*
 * The settings in effect, as the Go client takes them.  The server list is
 * palloc'd; the other strings are the settings' own.
 */
extern void mc_current_config(mcgo_config *cfg);
extern void mc_free_config(mcgo_config *cfg);

/* The client's sockets, as fd.c is told of them (external_fds.c). */
extern mcgo_counters mc_counters;
extern int	mc_sockets_seen;
extern void mc_external_fds_sync(void);
extern void mc_external_fds_servers(const char *list);
extern void mc_external_fds_runtime(void);
extern int	mc_external_fds_limit(void);
extern int	mc_count_servers(const char *list);
extern void mc_external_fds_commit(int servers);
extern void mc_external_fds_commit_done(void);

static inline void
mc_external_fds_check(void)
{
	if (unlikely(mc_counters.sockets != mc_sockets_seen))
		mc_external_fds_sync();
}

/*
 * mc_prepare: make sure the Go object is loaded and configured with the
 * current settings, and fd.c told of the sockets the last call left open.
 * Call before every mcgo call; two branches when nothing changed.
 */
static inline void
mc_prepare(void)
{
	if (unlikely(!mc_go_loaded || mc_config_dirty))
		mc_prepare_slow();
	mc_external_fds_check();
}

/*
 * mc_prepare_soft: mc_prepare for work that can be skipped, such as
 * queueing a cache write: false when the configuration cannot be used,
 * after reporting that as memcache.on_error says (an ERROR for "error"; a
 * WARNING once per transaction for "warning").  Never an ERROR for a bad
 * configuration otherwise.
 */
extern bool mc_prepare_soft(void);

extern void mc_load_go(void);

/*
 * mc_outcome: act on a call's result code.  Returns true for MCGO_OK, false
 * for a miss or for a failure that memcache.on_error turned into a WARNING
 * or nothing; raises an ERROR otherwise.  op names the command, key (may be
 * NULL, length keylen) the key, for the message.
 */
extern bool mc_outcome(int rc, const char *op, const char *key, int keylen);

/*
 * mc_report_failure: a failure of one server in a call that has results
 * from others (get_multi): report it as memcache.on_error says.
 */
struct McFailure;
extern void mc_report_failure(int rc, const char *op, const struct McFailure *f);

/*
 * mc_failures_summarize: the end of a top-level statement: a WARNING for
 * each server whose failures were counted rather than reported.  Never an
 * ERROR.
 */
extern void mc_failures_summarize(void);

/*
 * mc_failures_forget: the statement ended with an ERROR: its counts are
 * dropped unreported (they must not be reported as the next statement's).
 * Raises nothing: it runs in ABORT callbacks.
 */
extern void mc_failures_forget(void);

/*
 * mc_release_result: the shim is done with the result buffer; Go gives a
 * large one back.
 */
extern void mc_release_result(void);

/*
 * mc_client_text: s (data from a row, a setting, a file name) as it can go
 * into a WARNING: as it is when the client reads the database encoding,
 * else with bytes outside ASCII escaped as \xNN, so that converting the
 * message cannot fail (which would turn the WARNING into an ERROR).
 */
extern const char *mc_client_text(const char *s);
/* The same for len bytes of s (a key, a message from Go); palloc'd. */
extern const char *mc_client_textn(const char *s, size_t len);

/*
 * Copies len bytes of src into dst (size dstsize, always NUL-terminated),
 * every byte outside printable ASCII as \xNN, cut short with "..." when
 * too long: text that no client encoding can reject.
 */
extern void mc_ascii_copy(char *dst, size_t dstsize, const char *src, size_t len);

#endif
