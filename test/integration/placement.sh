#!/bin/bash
# placement.sh: for every memcache.key_distribution, keys stored through SQL
# land on the same server as when the application's real client stores them
# (Perl Cache::Memcached, PHP memcache standard and consistent, PHP memcached
# default and ketama, pgmemcache, gomemcache), with three memcached servers
# on loopback, in two server orders. Placement is read from the servers
# themselves. Also: removing a server from a consistent mode moves only
# that server's keys; memcache_server_for_key agrees with what is observed.
# pgmemcache is compared where the server can load it: Debian packages it
# for its PostgreSQL 15 only; on other servers those comparisons print a
# "skip" line.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
MC_Q_TIMEOUT=120
here=$MC_ROOT/test/integration/placement
work=$MC_WORK/placement
mkdir -p "$work"

major=$("$PG_CONFIG" --version | sed 's/^PostgreSQL \([0-9]*\).*/\1/')
wanted=(libcache-memcached-perl php-cli php-memcache php-memcached)
[ "$major" = 15 ] && wanted+=(postgresql-15-pgmemcache)
pkgs=()
for p in "${wanted[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || pkgs+=("$p")
done
if [ ${#pkgs[@]} -gt 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null ||
		{ say "not ok" "could not install ${pkgs[*]}"; exit 1; }
fi
(cd "$MC_ROOT" && go build -buildvcs=false -o "$work/goclient" ./test/integration/placement) ||
	{ say "not ok" "could not build the gomemcache client"; exit 1; }

ports=($MC_PORT_BASE $((MC_PORT_BASE + 1)) $((MC_PORT_BASE + 2)))
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS memcache" >/dev/null
have_pgmemcache=
if [ -f "$("$PG_CONFIG" --sharedir)/extension/pgmemcache.control" ]; then
	have_pgmemcache=1
	q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS placement_pgmemcache" -c "CREATE DATABASE placement_pgmemcache" >/dev/null
	q -d placement_pgmemcache -c "CREATE EXTENSION pgmemcache" >/dev/null
fi

# Keys of mixed shapes: ASCII, UTF-8, long (up to 250 bytes).
q >"$work/keys" <<'SQL'
SELECT 'user:' || i FROM generate_series(1, 150) i
UNION ALL SELECT 'session:' || md5(i::text) FROM generate_series(1, 100) i
UNION ALL SELECT 'ключ-' || i || '-日本' FROM generate_series(1, 100) i
UNION ALL SELECT left(repeat('long' || i || '-', 60), 200 + i % 50) FROM generate_series(1, 50) i
SQL
nkeys=$(wc -l <"$work/keys")

flush() { local p; for p in "${ports[@]}"; do "$MC_ROOT/test/mcwire" "$p" flush_all >/dev/null; done; }
# observe: "key port" for every key, asked of each server directly
observe() {
	local p
	for p in "${ports[@]}"; do
		split -l 40 "$work/keys" "$work/chunk."
		local args=()
		for c in "$work"/chunk.*; do args+=("get $(tr '\n' ' ' <"$c")"); done
		rm -f "$work"/chunk.*
		"$MC_ROOT/test/mcwire" "$p" "${args[@]}" | awk -v p="$p" '$1 == "VALUE" { print $2, p }'
	done | sort
}
list() { local IFS=,; echo "$*"; }

# compare DIST CLIENT SERVERS...: SQL placement vs the client's
compare() {
	local dist=$1 client=$2
	shift 2
	local servers=("$@")
	if [ "${client%_crc}" = pgmemcache ] && [ -z "$have_pgmemcache" ]; then
		skip "$dist = $client on $(list "${servers[@]}"): no pgmemcache for PostgreSQL $major (Debian packages it for 15 only)"
		return
	fi
	flush
	q <<SQL >/dev/null
SET memcache.servers = '$(list "${servers[@]}")';
SET memcache.key_distribution = '$dist';
SELECT memcache_set_multi(array_agg(k), array_fill('s'::text, ARRAY[count(*)::int]))
FROM (SELECT * FROM unnest(string_to_array(pg_read_file('$work/keys'), E'\n')) k WHERE k <> '') s;
SQL
	observe >"$work/sql.$dist"
	q -F ' ' <<SQL | sort >"$work/predicted.$dist"
SET memcache.servers = '$(list "${servers[@]}")';
SET memcache.key_distribution = '$dist';
SELECT k, split_part(memcache_server_for_key(k), ':', 2)
FROM unnest(string_to_array(pg_read_file('$work/keys'), E'\n')) k WHERE k <> '';
SQL
	flush
	case $client in
	perl) perl "$here/client.pl" "${servers[@]}" <"$work/keys" ;;
	go) "$work/goclient" "${servers[@]}" <"$work/keys" ;;
	pgmemcache | pgmemcache_crc)
		local behavior=""
		[ "$client" = pgmemcache_crc ] && behavior="SET pgmemcache.default_behavior = 'HASH:CRC'"
		q -d placement_pgmemcache -c "${behavior:-SELECT 1}" -c "SET pgmemcache.default_servers = '$(list "${servers[@]}")'" \
			-c "SELECT count(*) FROM unnest(string_to_array(pg_read_file('$work/keys'), E'\n')) k WHERE k <> '' AND memcache_set(k, 'm')" >/dev/null ;;
	*) php "$here/client.php" "$client" "${servers[@]}" <"$work/keys" ;;
	esac
	observe >"$work/client.$client"
	local stored agree predicted
	stored=$(wc -l <"$work/client.$client")
	agree=$(comm -12 "$work/sql.$dist" "$work/client.$client" | wc -l)
	predicted=$(comm -12 "$work/sql.$dist" "$work/predicted.$dist" | wc -l)
	local pct
	pct=$(awk -v a="$agree" -v n="$nkeys" 'BEGIN { printf "%.1f", 100 * a / n }')
	if [ "$agree" = "$nkeys" ] && [ "$stored" = "$nkeys" ] && [ "$predicted" = "$nkeys" ]; then
		say ok "$dist = $client on $(list "${servers[@]}"): $agree/$nkeys keys on the same server (100%); memcache_server_for_key agrees"
	else
		say "not ok" "$dist vs $client on $(list "${servers[@]}"): $agree/$nkeys agree ($pct%), client stored $stored, server_for_key right for $predicted"
	fi
}

s=(127.0.0.1:${ports[0]} 127.0.0.1:${ports[1]} 127.0.0.1:${ports[2]})
r=(127.0.0.1:${ports[2]} 127.0.0.1:${ports[0]} 127.0.0.1:${ports[1]})
for order in s r; do
	declare -n servers=$order
	compare cache_memcached perl "${servers[@]}"
	compare cache_memcached memcache_standard "${servers[@]}"
	compare cache_memcached pgmemcache_crc "${servers[@]}"
	compare php_memcache memcache_consistent "${servers[@]}"
	compare libmemcached memcached "${servers[@]}"
	compare libmemcached pgmemcache "${servers[@]}"
	compare ketama memcached_ketama "${servers[@]}"
	compare gomemcache go "${servers[@]}"
done

# Removing a server from a consistent mode moves only its keys.
for dist in ketama php_memcache; do
	moved=$(q <<SQL
SET memcache.key_distribution = '$dist';
CREATE TEMP TABLE k AS SELECT k FROM unnest(string_to_array(pg_read_file('$work/keys'), E'\n')) k WHERE k <> '';
SET memcache.servers = '$(list "${s[@]}")';
ALTER TABLE k ADD three text; UPDATE k SET three = memcache_server_for_key(k);
SET memcache.servers = '$(list "${s[0]}" "${s[1]}")';
ALTER TABLE k ADD two text; UPDATE k SET two = memcache_server_for_key(k);
SELECT count(*) FILTER (WHERE three <> '${s[2]}' AND three <> two) || ' ' || count(*) FILTER (WHERE three = '${s[2]}') FROM k;
SQL
)
	read -r wrong removed <<<"$(echo "$moved" | tail -1)"
	[ "$wrong" = 0 ] && [ "${removed:-0}" -gt 0 ] &&
		say ok "$dist: removing one of three servers moves only its $removed keys" ||
		say "not ok" "$dist: removing a server moved $wrong keys of the others"
done
[ -z "$have_pgmemcache" ] || q -c "DROP DATABASE placement_pgmemcache" >/dev/null
finish
