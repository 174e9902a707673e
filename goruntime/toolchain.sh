#!/bin/sh
# toolchain.sh GO VERSION DIR: print the go command of Go VERSION, the
# toolchain the runtime patches (goruntime/*.patch) are written for.
#  - GO itself when it is that version;
#  - else Go 1.21 and later fetch it (GOTOOLCHAIN=VERSION): the module
#    golang.org/toolchain from the module proxy, checked against the Go
#    checksum database;
#  - else (Debian 12's Go 1.19) the same module through `go mod download`
#    (also checked), unpacked into DIR, where its commands are made
#    executable (module zips keep no file modes).
set -eu
go=$1 want=$2 dir=$3

version() { "$1" env GOVERSION 2>/dev/null || true; }

if [ "$(version "$go")" = "$want" ]; then
	echo "$("$go" env GOROOT)/bin/go"
	exit 0
fi
root=$(GOTOOLCHAIN=$want "$go" env GOROOT 2>/dev/null || true)
if [ -n "$root" ] && [ "$(GOTOOLCHAIN=local version "$root/bin/go")" = "$want" ]; then
	echo "$root/bin/go"
	exit 0
fi
if [ ! -x "$dir/$want/bin/go" ]; then
	mod=golang.org/toolchain@v0.0.1-$want.$("$go" env GOOS)-$("$go" env GOARCH)
	src=$(cd / && GO111MODULE=on GOFLAGS=-mod=mod "$go" mod download -json "$mod" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
	[ -n "$src" ] && [ -d "$src" ] || { echo "toolchain.sh: could not download $mod" >&2; exit 1; }
	rm -rf "$dir/$want.tmp"
	mkdir -p "$dir"
	cp -R "$src" "$dir/$want.tmp"
	chmod -R u+w "$dir/$want.tmp"
	chmod +x "$dir/$want.tmp"/bin/* "$dir/$want.tmp"/pkg/tool/*/*
	mv "$dir/$want.tmp" "$dir/$want"
fi
echo "$dir/$want/bin/go"
