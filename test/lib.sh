# lib.sh: shared by demo.sh and run-all.sh. Installs what is missing, builds
# and installs the extension, and runs a throwaway PostgreSQL cluster and
# memcached servers on loopback under $MC_WORK. Source it; call mc_teardown
# (or let the EXIT trap do it).

MC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MC_PGPORT=${MC_PGPORT:-54329}
# The PostgreSQL to build against and test on: Debian's 15 unless PG_CONFIG
# names another installation's pg_config.
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
# memcached servers of the tests: three healthy ones, one that will be
# stopped (SIGSTOP: accepts, never answers), and a port nobody listens on.
MC_PORT_BASE=${MC_PORT_BASE:-22122}
MC_PORTS=($MC_PORT_BASE $((MC_PORT_BASE + 1)) $((MC_PORT_BASE + 2)))
MC_STOPPED_PORT=$((MC_PORT_BASE + 3))
MC_CLOSED_PORT=$((MC_PORT_BASE + 7))

log() { printf '== %s\n' "$*" >&2; }
source "$(dirname "${BASH_SOURCE[0]}")/apt.bash"

mc_need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "run as root (it installs packages and runs PostgreSQL as user postgres)" >&2
		exit 2
	fi
}

# Debian packages the build and the tests need.
mc_install_deps() {
	local pkgs=(memcached make gcc libc6-dev binutils procps openssl gdb)
	# Debian's PostgreSQL 15 is the default; another PG_CONFIG brings its own.
	[ "$PG_CONFIG" != /usr/lib/postgresql/15/bin/pg_config ] ||
		pkgs+=(postgresql-15 postgresql-server-dev-15 postgresql-contrib)
	mc_apt_install "${pkgs[@]}"
	# Debian's packaging starts a cluster and memcached of its own; ours are
	# separate (other ports), so theirs are left as they are.
	if ! command -v go >/dev/null 2>&1; then
		if [ -x /usr/local/go/bin/go ]; then
			export PATH=/usr/local/go/bin:$PATH
		else
			log "installing Go"
			apt-get install -y -qq golang-go >/dev/null
			export GOTOOLCHAIN=auto
		fi
	fi
	MC_PGBIN=$("$PG_CONFIG" --bindir) || { echo "no pg_config at $PG_CONFIG" >&2; exit 2; }
	export PATH=$MC_PGBIN:$PATH PG_CONFIG MC_PGBIN
}

# Builds and installs the extension; the compiler's messages are kept in
# $MC_WORK/build.log (the C files are always recompiled, so that every
# warning of this PostgreSQL's headers and flags is seen there).
mc_build_install() {
	log "building and installing the extension for $("$PG_CONFIG" --version)"
	rm -f "$MC_ROOT/extension/.built-for"
	# a failed build must stop the run: the tests would otherwise run
	# against whatever an earlier build installed
	if ! make -C "$MC_ROOT" -s PG_CONFIG="$PG_CONFIG" 2>"$MC_WORK/build.log" >/dev/null ||
		! make -C "$MC_ROOT" -s PG_CONFIG="$PG_CONFIG" install 2>>"$MC_WORK/build.log" >/dev/null; then
		cat "$MC_WORK/build.log" >&2
		echo "error: the build failed" >&2
		exit 1
	fi
	cat "$MC_WORK/build.log" >&2
}

mc_start_memcached() {
	local port
	for port in "${MC_PORTS[@]}" "$MC_STOPPED_PORT"; do
		memcached -u root -l 127.0.0.1 -p "$port" -U 0 -m 64 -c 1024 \
			-P "$MC_WORK/memcached-$port.pid" >"$MC_WORK/memcached-$port.log" 2>&1 &
	done
	for port in "${MC_PORTS[@]}" "$MC_STOPPED_PORT"; do
		for _ in $(seq 100); do
			"$MC_ROOT/test/mcwire" "$port" version >/dev/null 2>&1 && break
			sleep 0.05
		done
	done
}

mc_memcached_pid() { cat "$MC_WORK/memcached-$1.pid"; }

# mc_start_pg [extra postgresql.conf lines...]
mc_start_pg() {
	local data=$MC_WORK/pgdata
	mkdir -p "$data"
	chown postgres: "$data"
	runuser -u postgres -- "$MC_PGBIN/initdb" -D "$data" -A trust -U postgres >/dev/null
	{
		echo "listen_addresses = ''"
		echo "port = $MC_PGPORT"
		echo "unix_socket_directories = '$MC_WORK'"
		echo "memcache.servers = '127.0.0.1:${MC_PORTS[0]}'"
		echo "max_connections = 200"
		echo "log_min_messages = warning"
		for line in "$@"; do echo "$line"; done
	} >>"$data/postgresql.conf"
	runuser -u postgres -- "$MC_PGBIN/pg_ctl" -D "$data" -l "$MC_WORK/postgresql.log" -w start >/dev/null
	export PGHOST=$MC_WORK PGPORT=$MC_PGPORT PGUSER=postgres PGDATABASE=postgres
}

mc_stop_pg() {
	[ -d "$MC_WORK/pgdata" ] && runuser -u postgres -- "$MC_PGBIN/pg_ctl" -D "$MC_WORK/pgdata" -m fast -w -t 30 stop >/dev/null 2>&1
	true
}

# mc_tls_certs DIR: a throwaway CA (ca.pem, ca.key) and a server
# certificate it signed for memcached.test and 127.0.0.1 (server.pem,
# server.key), readable by memcached and the backends; openssl's output
# goes to DIR/openssl.log.
mc_tls_certs() {
	(
		cd "$1" &&
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=memcache-test-ca -keyout ca.key -out ca.pem &&
		openssl req -newkey rsa:2048 -nodes -subj /CN=memcached.test -keyout server.key -out server.csr &&
		printf 'subjectAltName=DNS:memcached.test,IP:127.0.0.1\n' >server.ext &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.pem &&
		chmod 644 ca.pem ca.key server.pem server.key
	) >>"$1/openssl.log" 2>&1
}

mc_teardown() {
	mc_stop_pg
	local f
	for f in "$MC_WORK"/memcached-*.pid; do
		[ -f "$f" ] || continue
		kill -CONT "$(cat "$f")" 2>/dev/null
		kill "$(cat "$f")" 2>/dev/null
	done
	[ -n "${MC_KEEP:-}" ] || rm -rf "$MC_WORK"
}

mc_setup() {
	mc_need_root
	mc_install_deps
	MC_WORK=$(mktemp -d /tmp/memcache-test.XXXXXX)
	chmod 755 "$MC_WORK"
	chown postgres: "$MC_WORK"
	trap mc_teardown EXIT
	mc_build_install
	mc_start_memcached
	mc_start_pg "$@"
}
