/*
 * goconfig.c - handing the memcache.* settings to the Go client.
 *
 * The assign hooks of the settings that shape the client mark it dirty;
 * the next call passes the settings in effect to Go (one struct, see
 * mcgo_config) before it runs.
 */
#include "postgres.h"

#include "gobridge.h"
#include "memcache.h"

bool		mc_config_dirty = true;

/* The server list in effect: the setting plus this session's additions. */
static char *
effective_servers(void)
{
	const char *base = mc_servers ? mc_servers : "";

	if (mc_added_servers == NULL)
		return pstrdup(base);
	if (base[strspn(base, " \t\r\n")] == '\0')
		return pstrdup(mc_added_servers);
	return psprintf("%s,%s", base, mc_added_servers);
}

static const char *
or_empty(const char *s)
{
	return s ? s : "";
}

void
mc_current_config(mcgo_config *cfg)
{
	cfg->servers = effective_servers();
	cfg->key_prefix = or_empty(mc_key_prefix);
	cfg->key_distribution = mc_key_distribution;
	cfg->timeout_ms = mc_timeout_ms;
	cfg->retry_delay_ms = mc_server_retry_delay_s * 1000;
	cfg->tls = mc_tls;
	cfg->tls_insecure_skip_verify = mc_tls_insecure_skip_verify;
	cfg->tls_ca_file = or_empty(mc_tls_ca_file);
	cfg->tls_cert_file = or_empty(mc_tls_cert_file);
	cfg->tls_key_file = or_empty(mc_tls_key_file);
	cfg->tls_server_name = or_empty(mc_tls_server_name);
	cfg->username = or_empty(mc_username);
	cfg->password = or_empty(mc_password);
}

void
mc_prepare_slow(void)
{
	mcgo_config cfg;
	int			rc;

	mc_load_go();
	mc_current_config(&cfg);
	rc = mcgo.configure(&cfg, &mc_data, &mc_len);
	pfree((char *) cfg.servers);
	if (rc != MCGO_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("memcache: %.*s", (int) mc_len, mc_data),
				 errhint("A superuser can correct the setting.")));
	mc_config_dirty = false;
}
