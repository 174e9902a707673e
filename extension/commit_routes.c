/*
 * commit_routes.c - the configuration each queued operation was queued
 * under.
 *
 * Where a key goes is decided when its operation is queued, not at COMMIT:
 * a function with SET memcache.key_prefix, a SET LOCAL between queueing and
 * COMMIT, or a reload of postgresql.conf in the middle of the transaction
 * (ALTER SYSTEM SET memcache.servers + pg_reload_conf()) does not move
 * operations already queued.  The key prefix is part of each queued key;
 * the rest (server list, placement, TLS, credentials) is recorded here,
 * once per distinct configuration, in the queue's memory.  At COMMIT each
 * run of operations is sent with its own configuration (commit_send.c).
 */
#include "postgres.h"

#include "commit_internal.h"
#include "gobridge.h"

static McRoute *routes = NULL;
static McRoute *last = NULL;

static bool
same_route(const mcgo_config *a, const mcgo_config *b)
{
	return strcmp(a->servers, b->servers) == 0 &&
		a->key_distribution == b->key_distribution &&
		a->tls == b->tls &&
		a->tls_insecure_skip_verify == b->tls_insecure_skip_verify &&
		strcmp(a->tls_ca_file, b->tls_ca_file) == 0 &&
		strcmp(a->tls_cert_file, b->tls_cert_file) == 0 &&
		strcmp(a->tls_key_file, b->tls_key_file) == 0 &&
		strcmp(a->tls_server_name, b->tls_server_name) == 0 &&
		strcmp(a->username, b->username) == 0 &&
		strcmp(a->password, b->password) == 0 &&
		strcmp(a->config_error, b->config_error) == 0;
}

/* The route of the settings in effect, allocated in cxt if it is new. */
McRoute *
mc_route_current(MemoryContext cxt)
{
	mcgo_config now;
	McRoute    *r;

	mc_current_config(&now);
	if (last == NULL || !same_route(&last->cfg, &now))
	{
		for (r = routes; r != NULL; r = r->next)
			if (same_route(&r->cfg, &now))
				break;
		if (r == NULL)
		{
			r = MemoryContextAllocZero(cxt, sizeof(McRoute));
			r->cfg = now;
			r->cfg.servers = MemoryContextStrdup(cxt, now.servers);
			r->cfg.key_prefix = "";
			r->cfg.tls_ca_file = MemoryContextStrdup(cxt, now.tls_ca_file);
			r->cfg.tls_cert_file = MemoryContextStrdup(cxt, now.tls_cert_file);
			r->cfg.tls_key_file = MemoryContextStrdup(cxt, now.tls_key_file);
			r->cfg.tls_server_name = MemoryContextStrdup(cxt, now.tls_server_name);
			r->cfg.username = MemoryContextStrdup(cxt, now.username);
			r->cfg.password = MemoryContextStrdup(cxt, now.password);
			r->cfg.config_error = MemoryContextStrdup(cxt, now.config_error);
			r->next = routes;
			routes = r;
		}
		last = r;
	}
	mc_free_config(&now);
	return last;
}

/* The time limits of the send, taken at PRE_COMMIT. */
void
mc_routes_set_limits(int timeout_ms, int retry_delay_ms)
{
	for (McRoute *r = routes; r != NULL; r = r->next)
	{
		r->cfg.timeout_ms = timeout_ms;
		r->cfg.retry_delay_ms = retry_delay_ms;
	}
}

/* The servers of all the routes, counted per route (an upper bound). */
int
mc_routes_servers(void)
{
	int			n = 0;

	for (McRoute *r = routes; r != NULL; r = r->next)
		n += mc_count_servers(r->cfg.servers);
	return n;
}

void
mc_routes_forget(void)
{
	routes = last = NULL;
}
