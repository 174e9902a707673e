#!/bin/bash
# dist.sh: the release as PGXN gets it.
#  - META.json follows the PGXN Meta Spec 1.0.0 and agrees with the release's
#    other files (test/pgxn_meta.py), in the checkout and in the tarball.
#  - `make dist` makes memcache-VERSION.tar.gz from the committed tree, with
#    everything a build needs and nothing only the repository needs.
#  - Unpacked elsewhere, it builds and installs with no module cache and no
#    module proxy (vendor/), and installs what the extension consists of.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

work=$MC_WORK/dist
rm -rf "$work"
mkdir -p "$work"
on_exit 'rm -rf "$work"'

if out=$(python3 "$MC_ROOT/test/pgxn_meta.py" "$MC_ROOT"); then
	say ok "META.json of the checkout: valid and consistent"
else
	say "not ok" "META.json of the checkout: $out"
fi

if ! git -C "$MC_ROOT" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	say ok "# skip make dist: not a git checkout"
	finish
fi
version=$(sed -n 's/^DISTVERSION = //p' "$MC_ROOT/Makefile")
tarball=$work/memcache-$version.tar.gz
make -s -C "$MC_ROOT" dist DISTDIR="$work" PG_CONFIG="$PG_CONFIG" >"$work/make-dist.log" 2>&1
check "make dist wrote memcache-$version.tar.gz" test -s "$tarball"
tar -tzf "$tarball" | sed "s|^memcache-$version/||" | sort >"$work/list"
missing=
for f in Makefile memcache.control META.json LICENSE README.md CHANGELOG.md go.mod go.sum \
	vendor/modules.txt vendor/github.com/bradfitz/gomemcache/memcache/memcache.go \
	gosrc/main.go gosrc/mc/ extension/memcache.c extension/memcache_go.map \
	$(cd "$MC_ROOT" && git ls-files sql test/sql test/expected) \
	debian/control debian/rules debian/pgversions; do
	grep -qxF "$f" "$work/list" || missing+=" $f"
done
check "the tarball holds what a build, its tests and the Debian package need${missing:+ (missing:$missing)}" test -z "$missing"
extra=$(grep -E '^(\.ci/|\.git)' "$work/list" | tr '\n' ' ')
check "the tarball leaves out the repository's own files${extra:+ (has: $extra)}" test -z "$extra"

tar -C "$work" -xzf "$tarball"
src=$work/memcache-$version
if out=$(python3 "$src/test/pgxn_meta.py" "$src"); then
	say ok "META.json of the tarball: valid and consistent, the files it names are in it"
else
	say "not ok" "META.json of the tarball: $out"
fi

# No module cache, no proxy: only vendor/ can provide gomemcache.
mkdir -p "$work/gomodcache"
if env GOMODCACHE="$work/gomodcache" GOPROXY=off GOFLAGS=-mod=vendor GOTOOLCHAIN=local \
	make -C "$src" PG_CONFIG="$PG_CONFIG" >"$work/build.log" 2>&1 &&
	make -C "$src" install DESTDIR="$work/root" PG_CONFIG="$PG_CONFIG" >>"$work/build.log" 2>&1; then
	say ok "the unpacked tarball builds and installs offline"
else
	say "not ok" "the unpacked tarball does not build: $(grep -m3 -iE 'error|cannot|no required module' "$work/build.log")"
fi
check "the build fetched no module" test -z "$(ls -A "$work/gomodcache")"

pkglib=$(pg_config --pkglibdir)
share=$(pg_config --sharedir)/extension
absent=
for f in "$pkglib/memcache.so" "$pkglib/memcache_go.so" "$share/memcache.control" \
	$(cd "$src/sql" && printf "$share/%s\n" memcache--*.sql); do
	[ -f "$work/root$f" ] || absent+=" $f"
done
check "make install put the modules, the control file and every script in place${absent:+ (absent:$absent)}" test -z "$absent"
finish
