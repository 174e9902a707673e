#!/bin/bash
# package.sh: the Debian package as a user gets it, on the machine's own
# PostgreSQL 15 (/usr/lib/postgresql/15). As root; installs what the build
# needs, then runs in a network namespace of its own (the build is offline,
# the test ports are private). It leaves the system as it was: the package
# is purged and files it replaced are put back.
#  - dpkg-buildpackage -us -uc -b, from a copy of the tree, builds
#    postgresql-NN-memcache for each PostgreSQL major that debian/pgversions
#    and the machine agree on.
#  - Each package holds memcache.so, memcache_go.so (with asynchronous
#    preemption off), memcache.control and every script of sql/, and depends
#    on PostgreSQL NN and libc only. lintian's findings are printed; an
#    error fails.
#  - postgresql-15-memcache is installed with dpkg -i; the pg_regress suite
#    and test/integration/upgrade.sh run against the installed files, in a
#    throwaway cluster of the system's binaries with memcached on
#    127.0.0.1:22122-22124; then it is purged.
# Ends with "N passed, N failed". MC_KEEP=1 keeps the work directory.
set -u
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pkg=postgresql-15-memcache

if [ -z "${MC_PKG_NETNS:-}" ]; then
	mc_need_root
	mc_install_deps
	need=()
	for p in dpkg-dev debhelper fakeroot postgresql-server-dev-all lintian python3; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
	done
	if [ ${#need[@]} -gt 0 ]; then
		log "installing ${need[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
	fi
	exec unshare -n -- env MC_PKG_NETNS=1 PATH="$PATH" bash -c 'ip link set lo up && exec bash "$0"' "$0"
fi

MC_PGBIN=$("$PG_CONFIG" --bindir)
export PG_CONFIG MC_PGBIN
passed=0
failed=0
say() { # say ok|"not ok" TEXT
	echo "$1 - $2"
	if [ "$1" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
check() { local d=$1; shift; if "$@"; then say ok "$d"; else say "not ok" "$d"; fi; }
# MC_SUMMARY=FILE: the summary line also goes there (.ci/run collects them).
summary() {
	echo
	echo "$passed passed, $failed failed"
	[ -z "${MC_SUMMARY:-}" ] || echo "$passed passed, $failed failed" >"$MC_SUMMARY"
	[ "$failed" = 0 ]
}

# dpkg fails at once while another dpkg or apt holds its lock: wait for it.
dpkg_locked() {
	local i
	for i in $(seq 60); do
		"$@" 2>"$MC_WORK/dpkg.err" && return 0
		grep -q 'lock' "$MC_WORK/dpkg.err" || break
		sleep 2
	done
	cat "$MC_WORK/dpkg.err" >&2
	return 1
}

MC_WORK=$(mktemp -d /tmp/memcache-pkg.XXXXXX)
chmod 755 "$MC_WORK"
chown postgres: "$MC_WORK"
installed=
backup=$MC_WORK/backup
# Purge the package if this script installed it; put back the files the
# package replaced. Runs at the end and on any exit.
restore_system() {
	[ -n "$installed" ] || return 0
	installed=
	dpkg_locked dpkg -P "$pkg" >/dev/null || return 1
	if [ -d "$backup" ]; then cp -a "$backup/." /; fi
}
trap 'mc_stop_pg; restore_system; mc_teardown' EXIT

version=$(dpkg-parsechangelog -l "$MC_ROOT/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
build=$MC_WORK/build
src=$build/memcache-${version%-*}
mkdir -p "$src"
log "copying the tree to $src"
if git -C "$MC_ROOT" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	(cd "$MC_ROOT" && git ls-files -co --exclude-standard -z | tar --null --ignore-failed-read -T - -cf -) | tar -C "$src" -xf -
else
	cp -a "$MC_ROOT/." "$src/"
	make -s -C "$src" clean PG_CONFIG="$PG_CONFIG" >/dev/null 2>&1
fi

# Debian's golang-go when it is the go on PATH; otherwise the machine's Go,
# through the build profile that drops golang-go from Build-Depends.
profile=()
dpkg -S "$(readlink -f "$(command -v go)")" >/dev/null 2>&1 || profile=(-Ppkg.memcache.localgo)
log "dpkg-buildpackage -us -uc -b ${profile[*]} (go: $(go version | cut -d' ' -f3), $(command -v go))"
start=$(date +%s)
(cd "$src" && pg_buildext updatecontrol && dpkg-buildpackage -us -uc -b "${profile[@]}") >"$MC_WORK/build.log" 2>&1
st=$?
check "dpkg-buildpackage -us -uc -b built the packages offline in $(($(date +%s) - start)) s" test $st = 0
[ $st = 0 ] || { tail -30 "$MC_WORK/build.log"; exit 1; }

majors=$(cd "$src" && pg_buildext supported-versions)
echo "# PostgreSQL majors of the build: $majors"
for v in $majors; do
	deb=$build/postgresql-$v-memcache_${version}_$arch.deb
	if [ ! -f "$deb" ]; then
		say "not ok" "no package for PostgreSQL $v"
		continue
	fi
	echo "# $(basename "$deb"): $(stat -c %s "$deb") bytes, installed size $(dpkg-deb -f "$deb" Installed-Size) kB"
	dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$MC_WORK/contents-$v"
	missing=
	for f in /usr/lib/postgresql/$v/lib/memcache.so /usr/lib/postgresql/$v/lib/memcache_go.so \
		/usr/share/postgresql/$v/extension/memcache.control \
		$(cd "$src/sql" && printf "/usr/share/postgresql/$v/extension/%s\n" memcache--*.sql); do
		grep -qxF "$f" "$MC_WORK/contents-$v" || missing+=" $f"
	done
	check "postgresql-$v-memcache holds the modules, the control file and every script${missing:+ (missing:$missing)}" test -z "$missing"
	dpkg-deb -x "$deb" "$MC_WORK/x-$v"
	check "postgresql-$v-memcache: memcache_go.so has asynchronous preemption off" \
		grep -aq 'asyncpreemptoff=1' "$MC_WORK/x-$v/usr/lib/postgresql/$v/lib/memcache_go.so"
	depends=$(dpkg-deb -f "$deb" Depends)
	others=$(echo "$depends" | tr ',' '\n' | sed 's/(.*)//; s/ //g' | grep -vxE "postgresql-$v|postgresql-$v-jit-llvm|libc6")
	check "postgresql-$v-memcache depends on PostgreSQL $v and libc only: $depends" \
		test -z "$others" -a -n "$(echo "$depends" | grep -w "postgresql-$v")"
done
for d in "$build"/*-dbgsym_*.deb; do
	[ -f "$d" ] && echo "# $(basename "$d"): $(stat -c %s "$d") bytes"
done

lintian --fail-on error --display-info "$build"/*.changes >"$MC_WORK/lintian.log" 2>&1
st=$?
grep -v 'running with root privileges' "$MC_WORK/lintian.log" | sed 's/^/#   lintian: /'
check "lintian finds no error" test $st = 0

# Install the package on the system's PostgreSQL 15.
deb=$build/${pkg}_${version}_$arch.deb
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
	say "not ok" "$pkg is installed already: not replacing it"
	summary
	exit
fi
n=0
while read -r f; do
	[ -f "$f" ] || continue
	dpkg -S "$f" >/dev/null 2>&1 && continue # another package's: dpkg -i refuses
	mkdir -p "$backup$(dirname "$f")"
	cp -a "$f" "$backup$f"
	n=$((n + 1))
done <"$MC_WORK/contents-15"
echo "# $n files of a make install are in the package's place; they are put back afterwards"
installed=1
install_deb() { dpkg_locked dpkg -i "$deb" >"$MC_WORK/dpkg-i.log"; }
check "dpkg -i $(basename "$deb")" install_deb
check "dpkg --verify: the installed files are the package's" test -z "$(dpkg --verify "$pkg" 2>&1)"

# The test suites against the installed files: nothing built is left in
# the copy, so only the package's files can be loaded.
check "no module in the source copy (the tests load the installed ones)" \
	test -z "$(find "$src" -path "$src/debian" -prune -o \( -name '*.so' -o -name libmcgo.a \) -print)"
mc_start_memcached
mc_start_pg
export MC_WORK MC_PORT_BASE MC_STOPPED_PORT MC_CLOSED_PORT MC_PGPORT
log "pg_regress (make installcheck) against $pkg"
if make -C "$src" -s installcheck PG_CONFIG="$PG_CONFIG" >"$MC_WORK/installcheck.log" 2>&1; then
	say ok "pg_regress: $(grep -oE 'All [0-9]+ tests passed' "$MC_WORK/installcheck.log" || tail -1 "$MC_WORK/installcheck.log") against the installed package"
else
	say "not ok" "pg_regress against the installed package"
	tail -5 "$MC_WORK/installcheck.log"
	head -60 "$src/test/regression.diffs" 2>/dev/null
fi
log "upgrade test against $pkg"
psql -X -q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS memcache" >/dev/null
bash "$src/test/integration/upgrade.sh" >"$MC_WORK/upgrade.log" 2>&1
st=$?
sed 's/^/#   upgrade: /' "$MC_WORK/upgrade.log"
check "test/integration/upgrade.sh against the installed package" test $st = 0
crashes=$(grep -E 'terminated by signal|was terminated by|PANIC|fatal error:|runtime/cgo:' "$MC_WORK/postgresql.log")
check "no crash in the server log${crashes:+: $crashes}" test -z "$crashes"
mc_stop_pg

# Remove it: the system is as it was.
check "dpkg -P $pkg" restore_system
check "$pkg is gone" test -z "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep 'ok installed')"
left=
while read -r f; do
	case $f in */) continue ;; esac
	[ -e "$backup$f" ] && { cmp -s "$backup$f" "$f" || left+=" $f(not restored)"; continue; }
	[ -f "$f" ] && left+=" $f"
done <"$MC_WORK/contents-15"
check "the package's files are gone, the files it replaced are back${left:+ (left:$left)}" test -z "$left"
summary
