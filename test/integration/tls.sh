#!/bin/bash
# tls.sh: encrypted, authenticated connections. A throwaway CA and
# certificates (openssl) and memcached servers with TLS (-Z), with a
# required client certificate (ssl_verify_mode=2) and with ASCII
# authentication (-Y) on loopback.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

d=$MC_WORK/tls
mkdir -p "$d"
tls_port=$((MC_PORT_BASE + 10))
mtls_port=$((MC_PORT_BASE + 11))
auth_port=$((MC_PORT_BASE + 12))
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
}
on_exit 'cleanup'

# A CA, a server certificate for memcached.test and 127.0.0.1, a client
# certificate, and a second CA that signed nothing of ours.
mc_tls_certs "$d" && (
	cd "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca -keyout other.key -out other.pem
	openssl req -newkey rsa:2048 -nodes -subj /CN=postgres -keyout client.key -out client.csr
	openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out client.pem
	printf 'webapp:s3cret-Passw0rd\n' >auth
	chmod 644 ./*.pem ./*.key auth
) >>"$d/openssl.log" 2>&1 || { say "not ok" "openssl: $(tail -3 "$d/openssl.log")"; exit 1; }

start() { # start PORT ARGS...
	local port=$1
	shift
	memcached -u root -l 127.0.0.1 -p "$port" -U 0 -m 16 "$@" >"$d/memcached-$port.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.05; done
}
start $tls_port -Z -o "ssl_chain_cert=$d/server.pem,ssl_key=$d/server.key"
tls_pid=${pids[-1]}
start $mtls_port -Z -o "ssl_chain_cert=$d/server.pem,ssl_key=$d/server.key,ssl_ca_cert=$d/ca.pem,ssl_verify_mode=2"
start $auth_port -Y "$d/auth"

q0 -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS memcache" >/dev/null
base="SET memcache.server_retry_delay = 0; SET memcache.timeout = '2s'; SET memcache.on_error = error;"
tls="SET memcache.tls = on; SET memcache.tls_ca_file = '$d/ca.pem';"

# run NAME SETTINGS: set and get one key, print "t|value" or the error
run() { q0 -c "$base" -c "$2" -c "SELECT memcache_set('tls:k', '$1'), memcache_get('tls:k')" 2>&1 | grep -v '^SET$'; }
expect_ok() { # DESCRIPTION SETTINGS
	local out
	out=$(run v "$2")
	[ "$out" = "t|v" ] && say ok "$1" || say "not ok" "$1: $out"
}
expect_err() { # DESCRIPTION SETTINGS PATTERN
	local out
	out=$(run v "$2")
	echo "$out" | grep -q -- "$3" && say ok "$1: $(echo "$out" | head -1 | cut -c1-160)" ||
		say "not ok" "$1: got: $out"
}

expect_ok "set/get over TLS, certificate verified against the CA and 127.0.0.1" \
	"$tls SET memcache.servers = '127.0.0.1:$tls_port';"
expect_ok "tls_server_name matching the certificate" \
	"$tls SET memcache.servers = '127.0.0.1:$tls_port'; SET memcache.tls_server_name = 'memcached.test';"
expect_err "plain client against a TLS server" \
	"SET memcache.servers = '127.0.0.1:$tls_port';" "closed the connection without answering (does it require TLS"
expect_err "TLS client against a plain server" \
	"$tls SET memcache.servers = '127.0.0.1:$MC_PORT_BASE';" "is memcached started with -Z"
expect_err "unknown CA" \
	"SET memcache.tls = on; SET memcache.tls_ca_file = '$d/other.pem'; SET memcache.servers = '127.0.0.1:$tls_port';" \
	"is not signed by a CA in memcache.tls_ca_file"
expect_err "wrong host name" \
	"$tls SET memcache.servers = '127.0.0.1:$tls_port'; SET memcache.tls_server_name = 'other.test';" \
	'is not valid for "other.test"'
expect_ok "memcache.tls_insecure_skip_verify accepts an unknown CA (and says so in its name)" \
	"SET memcache.tls = on; SET memcache.tls_ca_file = '$d/other.pem'; SET memcache.tls_insecure_skip_verify = on; SET memcache.servers = '127.0.0.1:$tls_port';"
expect_err "a server that requires a client certificate, none given" \
	"$tls SET memcache.servers = '127.0.0.1:$mtls_port';" "requires a client certificate\|a client certificate or authentication"
expect_ok "the client certificate accepted (ssl_verify_mode=2)" \
	"$tls SET memcache.servers = '127.0.0.1:$mtls_port'; SET memcache.tls_cert_file = '$d/client.pem'; SET memcache.tls_key_file = '$d/client.key';"
expect_ok "authentication with the right password" \
	"SET memcache.servers = '127.0.0.1:$auth_port'; SET memcache.username = 'webapp'; SET memcache.password = 's3cret-Passw0rd';"
expect_err "authentication with a wrong password" \
	"SET memcache.servers = '127.0.0.1:$auth_port'; SET memcache.username = 'webapp'; SET memcache.password = 'wrong-pw-123';" \
	'refused the credentials of user "webapp"'
expect_err "no credentials for a server that requires them" \
	"SET memcache.servers = '127.0.0.1:$auth_port';" "requires authentication"
out=$(run v "SET memcache.on_error = warning; SET memcache.servers = '127.0.0.1:$auth_port'; SET memcache.username = 'webapp'; SET memcache.password = 'wrong-pw-123';")
echo "$out" | grep -q '^WARNING' && ! echo "$out" | grep -q 'wrong-pw-123' &&
	say ok "with on_error = warning an auth failure is a WARNING, and it does not show the password" ||
	say "not ok" "on_error=warning auth failure: $out"

# memcache.password_file: the password from a file only the server reads.
printf 's3cret-Passw0rd\n' >"$d/pwfile" && chown postgres: "$d/pwfile" && chmod 600 "$d/pwfile"
cp -p "$d/pwfile" "$d/pwfile.open" && chmod 644 "$d/pwfile.open"
auth="SET memcache.servers = '127.0.0.1:$auth_port'; SET memcache.username = 'webapp';"
expect_ok "the password from memcache.password_file (mode 0600, owned by the server's user)" \
	"$auth SET memcache.password_file = '$d/pwfile';"
expect_err "a password file that others can read is not used" \
	"$auth SET memcache.password_file = '$d/pwfile.open';" "must be a regular file owned by the database user"
expect_err "memcache.password and memcache.password_file together" \
	"$auth SET memcache.password = 's3cret-Passw0rd'; SET memcache.password_file = '$d/pwfile';" "are both set"

# The password is invisible to a non-superuser. As the README says, a
# cluster that sets memcache.password preloads the module, so that every
# session knows the setting is secret (an unloaded module's setting would be
# a plain placeholder). A throwaway cluster with shared_preload_libraries:
pg2=$d/pg
pg2port=$((MC_PGPORT + 5))
mkdir -p "$pg2" && chown postgres: "$pg2"
runuser -u postgres -- initdb -D "$pg2" -A trust -U postgres >/dev/null
cat >>"$pg2/postgresql.conf" <<CONF
listen_addresses = ''
port = $pg2port
unix_socket_directories = '$pg2'
shared_preload_libraries = 'memcache'
memcache.servers = '127.0.0.1:$auth_port'
memcache.username = 'webapp'
memcache.password = 's3cret-Passw0rd'
CONF
runuser -u postgres -- pg_ctl -D "$pg2" -l "$pg2/log" -w start >/dev/null
q2() { timeout 60 psql -X -At -h "$pg2" -p "$pg2port" "$@"; }
q2 -c "CREATE EXTENSION memcache" -c "CREATE ROLE mc_nosuper" -c "GRANT EXECUTE ON FUNCTION memcache_set(text, text) TO mc_nosuper" >/dev/null
works=$(q2 -c "SET ROLE mc_nosuper" -c "SELECT memcache_set('auth:k', 'v')" 2>&1 | tail -1)
# The refusal's wording differs between majors; its SQLSTATE does not.
show=$(q2 -c "SET ROLE mc_nosuper" -c '\set VERBOSITY verbose' -c "SHOW memcache.password" 2>&1 | grep -m1 'ERROR')
views=$(q2 -c "SET ROLE mc_nosuper" -c "SELECT count(*) FROM pg_settings WHERE name = 'memcache.password' OR setting LIKE '%s3cret%'" 2>&1 | tail -1)
files=$(q2 -c "SET ROLE mc_nosuper" -c "SELECT count(*) FROM pg_file_settings" 2>&1 | tail -1)
super=$(q2 -c "SHOW memcache.password")
runuser -u postgres -- pg_ctl -D "$pg2" -m fast -w stop >/dev/null
if [ "$works" = t ] && echo "$show" | grep -q "ERROR:  42501: .*memcache.password" && [ "$views" = 0 ] &&
	echo "$files" | grep -q "permission denied" && [ "$super" = s3cret-Passw0rd ]; then
	say ok "the password works for a granted role but is hidden from it (SHOW: '$show'; pg_settings: $views rows; pg_file_settings: '$files')"
else
	say "not ok" "password visibility: call '$works', SHOW '$show', pg_settings '$views', pg_file_settings '$files', superuser '$super'"
fi
grep -q 's3cret-Passw0rd\|wrong-pw-123' "$MC_WORK/postgresql.log" "$pg2/log" &&
	say "not ok" "a password appears in a server log" || say ok "no password in the server logs"

# get_multi over TLS, values of every size: small ones come through the
# reader's buffer, large ones are read straight from the connection.
r=$(q0 -c "$base" -c "$tls" -c "SET memcache.servers = '127.0.0.1:$tls_port'" \
	-c "SELECT count(*) FROM generate_series(1, 40) i WHERE memcache_set('tlsm' || i, repeat(md5(i::text), i * i * 4))" \
	-c "SELECT count(*), sum(length(g.value)) FILTER (WHERE g.value = repeat(md5(n.i::text), n.i * n.i * 4))
	    FROM memcache_get_multi(array(SELECT 'tlsm' || i FROM generate_series(1, 40) i)) g,
	         LATERAL (SELECT substr(g.key, 5)::int AS i) n" 2>&1 | grep -v '^SET$')
want=$(awk 'BEGIN { for (i = 1; i <= 40; i++) s += i * i * 4 * 32; print s }')
[ "$r" = "$(printf '40\n40|%s' "$want")" ] &&
	say ok "get_multi over TLS: 40 values of 128 B to 200 kB, every one intact" ||
	say "not ok" "get_multi over TLS: $(echo "$r" | tr '\n' ' ') (expected 40 values, $want bytes)"

# Connections stay pooled: one TLS handshake, not one per call.
before=$("$MC_ROOT/test/mcwire" "$MC_PORT_BASE" version >/dev/null; (exec 3<>/dev/tcp/127.0.0.1/$tls_port) 2>/dev/null; q0 -c "$tls" -c "SET memcache.servers = '127.0.0.1:$tls_port'" -c "SELECT (SELECT value FROM memcache_server_stats() WHERE name = 'total_connections')")
after=$(q0 -c "$tls" -c "SET memcache.servers = '127.0.0.1:$tls_port'" -c "SELECT count(*) FROM generate_series(1, 200) i WHERE memcache_set('pool' || i, 'v')" -c "SELECT (SELECT value FROM memcache_server_stats() WHERE name = 'total_connections')" | tail -1)
before=$(echo "$before" | grep -E '^[0-9]+$' | tail -1)
if [ -n "$before" ] && [ -n "$after" ] && [ $((after - before)) -le 3 ]; then
	say ok "200 calls over TLS opened $((after - before - 1)) pooled connection(s) besides the stats ones (total_connections $before -> $after)"
else
	say "not ok" "TLS connections: total_connections $before -> $after over 200 calls"
fi

# A black-hole TLS server still cancels at once.
kill -STOP "$tls_pid"
out=$(q0 2>&1 <<SQL
$tls
SET memcache.servers = '127.0.0.1:$tls_port';
SET memcache.timeout = '20s';
SET statement_timeout = '300ms';
DO \$\$
DECLARE t timestamptz := clock_timestamp();
BEGIN
  PERFORM memcache_get('x');
EXCEPTION WHEN query_canceled THEN
  RAISE NOTICE 'ELAPSED %', round(extract(epoch FROM clock_timestamp() - t) * 1000);
END \$\$;
SQL
)
kill -CONT "$tls_pid"
ms=$(echo "$out" | sed -n 's/.*ELAPSED \([0-9]*\).*/\1/p')
[ -n "$ms" ] && [ "$ms" -lt 550 ] && say ok "TLS on a black-hole server: statement_timeout 300 ms ended the call after $ms ms" ||
	say "not ok" "TLS black hole: $out"

# Throughput of one backend with and without TLS, same run (reported, not asserted).
rate() {
	q0 -c "$1" -c "SET memcache.servers = '127.0.0.1:$2'" -c "SELECT memcache_set('r', '0123456789')" \
		-c "SELECT round(20000 / extract(epoch FROM (SELECT clock_timestamp() - t FROM (SELECT clock_timestamp() AS t) s0,
		   LATERAL (SELECT count(*) FROM generate_series(1, 10000) i WHERE memcache_set('r' || i % 100, '0123456789') AND memcache_get('r') IS NOT NULL) s1)))" | tail -1
}
plain=$(rate "SELECT 1" "$MC_PORT_BASE")
secure=$(rate "$tls" "$tls_port")
echo "#   one backend, set+get of 10 B values: plain ${plain} ops/s, TLS ${secure} ops/s"
finish
