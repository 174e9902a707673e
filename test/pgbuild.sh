#!/bin/bash
# pgbuild.sh MAJOR: PostgreSQL MAJOR (13..18) built from Debian's source
# package into a cache directory outside the checkout; prints the path of
# its pg_config (the only line on stdout; progress goes to stderr).
#
#   PG_CONFIG=$(bash test/pgbuild.sh 18) bash test/run-all.sh
#
# Debian 12's archive has PostgreSQL 15 only as binaries; the same archive
# (deb.debian.org) serves 13, 17 and 18 as source packages in other suites,
# and apt.postgresql.org serves 14 and 16. A private apt configuration (its own sources list, state and cache under
# the cache directory) downloads them, so the system's apt is untouched.
# The build uses the upstream tarball of that source package (its hashes
# checked by apt against the suite's signed index), without Debian's
# packaging patches: they hard-code /usr/lib/postgresql paths, which would
# clash with the system's own PostgreSQL.
#
# MC_PG_CACHE: the cache directory (default /var/cache/memcache-pg); the
#   build goes to $MC_PG_CACHE/MAJOR and is reused while its stamp matches
#   this script's recipe (a half-finished build has no stamp: it is redone).
# MC_PG_REBUILD=1: build again even when a complete build is there.
# MC_PG_SOURCES: where to fetch the source package from (see below).
# MC_PG_CASSERT=1: build with assertions enabled (see below).
set -euo pipefail

major=${1:?usage: pgbuild.sh MAJOR}
debian=/usr/share/keyrings/debian-archive-keyring.gpg
pgdg=/usr/share/postgresql-common/pgdg/apt.postgresql.org.gpg
case $major in
# Where each major's Debian source package is, as "URI SUITE KEYRING": the
# archive this machine's apt uses (a security suite first: it carries the
# newest minor release). 14 and 16 were never in a Debian release: they come
# from apt.postgresql.org (the Debian PostgreSQL team's own archive; its key
# ships with postgresql-common).
13) default_sources="http://deb.debian.org/debian-security bullseye-security $debian
http://deb.debian.org/debian bullseye $debian" ;;
15) default_sources="http://deb.debian.org/debian-security bookworm-security $debian
http://deb.debian.org/debian bookworm $debian" ;;
17) default_sources="http://deb.debian.org/debian-security trixie-security $debian
http://deb.debian.org/debian trixie $debian" ;;
18) default_sources="http://deb.debian.org/debian sid $debian" ;;
14 | 16) default_sources="http://apt.postgresql.org/pub/repos/apt bookworm-pgdg $pgdg" ;;
*) echo "pgbuild.sh: unsupported major '$major' (13..18)" >&2; exit 2 ;;
esac
# MC_PG_SOURCES replaces the list (same format, one source a line).
sources=${MC_PG_SOURCES:-$default_sources}

cache=${MC_PG_CACHE:-/var/cache/memcache-pg}
prefix=$cache/$major
configure_opts=(--without-icu --without-readline)
# MC_PG_CASSERT=1: a build with assertions (and debug symbols), in its own
# directory: it catches misuse of PostgreSQL's APIs that a release build lets pass.
if [ -n "${MC_PG_CASSERT:-}" ]; then
	prefix=$cache/$major-cassert
	configure_opts+=(--enable-cassert --enable-debug)
fi
# What makes a build reusable: the recipe, not the minor version (a cached
# build stays until MC_PG_REBUILD=1 or the recipe changes).
recipe="pgbuild-1 ${configure_opts[*]}"
stamp=$prefix/.memcache-pgbuild

log() { printf '== pgbuild %s: %s\n' "$major" "$*" >&2; }

if [ -z "${MC_PG_REBUILD:-}" ] && [ -x "$prefix/bin/pg_config" ] && [ -f "$stamp" ] &&
	[ "$(sed -n 's/^recipe=//p' "$stamp")" = "$recipe" ]; then
	echo "$prefix/bin/pg_config"
	exit 0
fi

[ "$(id -u)" = 0 ] || { echo "pgbuild.sh: run as root (installs build dependencies)" >&2; exit 2; }
mkdir -p "$cache"
# One build per major at a time.
exec 9>"$cache/.lock-$(basename "$prefix")"
flock 9
if [ -z "${MC_PG_REBUILD:-}" ] && [ -f "$stamp" ] && [ "$(sed -n 's/^recipe=//p' "$stamp")" = "$recipe" ]; then
	echo "$prefix/bin/pg_config"
	exit 0
fi

started=$SECONDS

# Build dependencies from the system's apt (the generated parsers are no
# longer in the tarballs since 17: bison and flex).
need=(gcc make libc6-dev bison flex perl zlib1g-dev bzip2)
source "$(dirname "${BASH_SOURCE[0]}")/apt.bash"
mc_apt_install "${need[@]}"

# The private apt configuration: its own sources list, state and cache.
apt=$cache/apt-$(basename "$prefix")
aptopts=(
	-o "Dir::Etc::SourceList=$apt/etc/sources.list"
	-o "Dir::Etc::SourceParts=$apt/etc/sources.list.d"
	-o "Dir::Etc::Preferences=$apt/etc/preferences"
	-o "Dir::Etc::PreferencesParts=$apt/etc/preferences.d"
	-o "Dir::State=$apt/state"
	-o "Dir::Cache=$apt/cache"
	-o "APT::Sandbox::User=root"
	-o "Acquire::Languages=none"
)
# The first source that has the package and serves its files (a mirror may
# list a security update whose files it does not carry).
orig=
while read -r uri suite keyring; do
	[ -n "$uri" ] || continue
	rm -rf "$apt"
	mkdir -p "$apt/etc/sources.list.d" "$apt/etc/preferences.d" "$apt/state/lists/partial" \
		"$apt/cache/archives/partial" "$apt/src"
	echo "deb-src [signed-by=$keyring] $uri $suite main" >"$apt/etc/sources.list"
	log "looking for postgresql-$major in $uri $suite"
	apt-get "${aptopts[@]}" -qq update >&2 || continue
	version=$(apt-cache "${aptopts[@]}" showsrc "postgresql-$major" 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -1)
	[ -n "$version" ] || continue
	(cd "$apt/src" && apt-get "${aptopts[@]}" -qq source --download-only "postgresql-$major=$version" >&2) || continue
	orig=$(ls "$apt/src"/postgresql-"$major"_*.orig.tar.*) && break
done <<<"$sources"
[ -n "$orig" ] || { echo "pgbuild.sh: no source package postgresql-$major could be fetched from:"$'\n'"$sources" >&2; exit 3; }

src=$cache/src-$(basename "$prefix")
rm -rf "$src" "$prefix"
mkdir -p "$src"
log "building $version from $(basename "$orig")"
tar -xf "$orig" -C "$src" --strip-components=1
cd "$src"
./configure --prefix="$prefix" "${configure_opts[@]}" >configure.log 2>&1 ||
	{ tail -30 configure.log >&2; exit 1; }
make -s -j"$(nproc)" >make.log 2>&1 || { grep -B5 -A5 -m5 'error' make.log >&2; exit 1; }
make -s install >install.log 2>&1 || { tail -30 install.log >&2; exit 1; }
chmod -R a+rX "$prefix"

printf 'recipe=%s\nversion=%s\nsource=%s\nseconds=%s\n' "$recipe" "$version" "$(basename "$orig")" \
	"$((SECONDS - started))" >"$stamp"
cd /
rm -rf "$src" "$apt"
log "done in $((SECONDS - started)) s: $("$prefix/bin/pg_config" --version)"
echo "$prefix/bin/pg_config"
