/*
 * goconfig.c - handing the memcache.* settings to the Go client.
 *
 * The assign hooks of the settings that shape the client mark it dirty;
 * the next call passes the settings in effect to Go (one struct, see
 * mcgo_config) before it runs.
 *
 * A configuration that cannot be used (a setting kept although bad, see
 * bad_values.c; a password file or a TLS file that cannot be read) is
 * never an ERROR here: Go drops its client and every call then fails with
 * the reason, as memcache.on_error says (mc_outcome), so a cache
 * misconfiguration costs a WARNING, not the database's write.  It is tried
 * again at every call until it works (a file may appear).
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/memutils.h"

#include "abi.h"
#include "gobridge.h"
#include "memcache.h"

bool		mc_config_dirty = true;

/* Why the configuration in effect cannot be used (TopMemoryContext), or NULL. */
static char *config_error = NULL;
/* mc_prepare_soft reports a broken configuration once per transaction. */
static bool reported_in_xact = false;
static bool xact_callback_registered = false;

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

static void
forget_report(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PREPARE || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT)
		reported_in_xact = false;
}

/*
 * The settings in effect, as Go takes them.  servers, password and
 * config_error are palloc'd: mc_free_config releases them (the password
 * wiped first).
 */
void
mc_current_config(mcgo_config *cfg)
{
	char	   *problem = NULL;
	const char *bad = mc_bad_values();
	char	   *password = mc_password_in_effect(&problem);

	if (bad != NULL)
		problem = pstrdup(bad);
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
	cfg->password = password ? password : pstrdup("");
	cfg->config_error = problem ? problem : pstrdup("");
	cfg->max_sockets = mc_external_fds_limit();
}

void
mc_free_config(mcgo_config *cfg)
{
	char	   *password = (char *) cfg->password;

	explicit_bzero(password, strlen(password));
	pfree(password);
	pfree((char *) cfg->servers);
	pfree((char *) cfg->config_error);
}

void
mc_prepare_slow(void)
{
	mcgo_config cfg;
	int			rc;

	mc_load_go();
	mc_current_config(&cfg);
	rc = mcgo.configure(&cfg, &mc_data, &mc_len);
	mc_external_fds_servers(rc == MCGO_OK ? cfg.servers : "");
	mc_free_config(&cfg);
	if (config_error)
		pfree(config_error);
	config_error = NULL;
	if (rc != MCGO_OK)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		config_error = mc_failure_message(mc_data, mc_len);
		MemoryContextSwitchTo(old);
		/* Try again at the next call: a file may have been fixed. */
		mc_config_dirty = true;
		return;
	}
	mc_config_dirty = false;
}

bool
mc_prepare_soft(void)
{
	mc_prepare();
	if (config_error == NULL)
		return true;
	if (!xact_callback_registered)
	{
		RegisterXactCallback(forget_report, NULL);
		xact_callback_registered = true;
	}
	if (mc_on_error == MC_ON_ERROR_ERROR ||
		(mc_on_error == MC_ON_ERROR_WARNING && !reported_in_xact))
	{
		reported_in_xact = true;
		ereport(mc_on_error == MC_ON_ERROR_ERROR ? ERROR : WARNING,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("memcache: the configuration cannot be used: %s",
						mc_client_text(config_error)),
				 errdetail("Nothing is sent to memcached until a superuser corrects the setting named above.")));
	}
	return false;
}
