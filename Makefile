# memcache: PGXS build of the C shim (memcache.so) and the Go object
# (memcache_go.so, loaded by the shim on first use in a backend).

EXTENSION = memcache
# EXTVERSION: the SQL API's version (memcache.control's default_version);
# DISTVERSION: the release's (META.json, debian/changelog, CHANGELOG.md).
EXTVERSION = 1.1
DISTVERSION = 1.1.0
MODULE_big = memcache
OBJS = extension/memcache.o extension/security_settings.o extension/bad_values.o \
       extension/server_list.o \
       extension/goload.o extension/goconfig.o extension/external_fds.o extension/onerror.o extension/abi.o \
       extension/expiry.o extension/storage.o extension/retrieval.o \
       extension/counters.o extension/admin.o extension/batch.o \
       extension/commit_queue.o extension/commit_routes.o extension/commit_order.o \
       extension/commit_send.o extension/sync_triggers.o extension/trigger_args.o \
       extension/trigger_ddl.o extension/stable_output.o extension/statement_end.o \
       extension/goruntime_limits.o extension/stat.o extension/stat_shared.o
DATA = $(wildcard sql/$(EXTENSION)--*.sql)
PGFILEDESC = "memcache - memcached from SQL"

TESTS = $(wildcard test/sql/*.sql)
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test --outputdir=test --load-extension=$(EXTENSION)

PG_CPPFLAGS = -Iextension -DMC_VERSION='"$(DISTVERSION)"'
# Before the include: pgxs.mk reads it when it is parsed.
EXTRA_CLEAN = libmcgo.a libmcgo.h memcache_go.so test/results test/regression.diffs test/regression.out \
	extension/go_threads.o .gobuild extension/.built-for
SHLIB_LINK = -ldl -lpthread

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Objects compiled against one PostgreSQL are not reused for another: the
# stamp names the installation (pg_config and version) that built them.
PG_STAMP = extension/.built-for
$(OBJS): $(PG_STAMP)
$(PG_STAMP): FORCE
	@echo '$(PG_CONFIG) $(VERSION_NUM)' | cmp -s - $@ || echo '$(PG_CONFIG) $(VERSION_NUM)' >$@
FORCE:

# ---- the Go object ---------------------------------------------------------
GO ?= go
# The runtime is built from the sources of this Go release with the patches
# in goruntime/ (what they change and why: README.md, "How it works"); any
# other go command first fetches it (goruntime/toolchain.sh).
GO_TOOLCHAIN = go1.26.8
GO_PATCHES = goruntime/threads.patch goruntime/sysmon.patch goruntime/address_space.patch \
             goruntime/fips_entropy.patch goruntime/out_of_memory.patch goruntime/address_reserve.patch \
             goruntime/heap_room.patch
GO_BUILD_DIR = .gobuild
# Async preemption signals (SIGURG) would steal PostgreSQL's latch wakeups;
# it must be off from the first instruction, so it is baked in at link time.
# Go before 1.21 has no runtime.godebugDefault and ignores -X for it without
# a word: libmcgo.a is refused when the setting is not in it.
GO_LDFLAGS = -X=runtime.godebugDefault=asyncpreemptoff=1
# The module gomemcache is vendored (vendor/, see README "Installing from
# a package"): go uses it by itself (-mod=vendor is the default with a
# vendor directory), so a build needs no network.
# The pure Go resolver: no getaddrinfo on the runtime's small thread stacks.
GO_TAGS = netgo
GO_SRC = $(wildcard gosrc/*.go gosrc/mc/*.go gosrc/offheap/*.go goruntime/*.go) $(GO_PATCHES) \
         go.mod go.sum vendor/modules.txt extension/gobridge_abi.h

all: memcache_go.so

libmcgo.a: $(GO_SRC)
	gocmd=$$(sh goruntime/toolchain.sh '$(GO)' $(GO_TOOLCHAIN) $(GO_BUILD_DIR)) && \
	GOTOOLCHAIN=local $$gocmd run ./goruntime -goroot "$$(GOTOOLCHAIN=local $$gocmd env GOROOT)" \
		-out $(GO_BUILD_DIR)/overlay $(GO_PATCHES) && \
	CGO_ENABLED=1 GOTOOLCHAIN=local $$gocmd build -overlay $(GO_BUILD_DIR)/overlay/overlay.json \
		-tags $(GO_TAGS) -trimpath -buildvcs=false -buildmode=c-archive -ldflags='$(GO_LDFLAGS)' \
		-o $@ ./gosrc
	@grep -aq 'asyncpreemptoff=1' $@ || { rm -f $@; \
		echo "error: the Go build did not take runtime.godebugDefault" >&2; exit 1; }

# runtime/cgo's thread creation goes to go_threads.c (see there).
memcache_go.so: libmcgo.a extension/go_threads.o extension/memcache_go.map
	$(CC) -shared -o $@ extension/go_threads.o -Wl,--whole-archive libmcgo.a -Wl,--no-whole-archive \
		-Wl,--wrap=pthread_create -Wl,--wrap=pthread_attr_getstacksize \
		-Wl,--version-script=extension/memcache_go.map -Wl,-Bsymbolic -Wl,-z,now \
		-lpthread

extension/go_threads.o: extension/go_threads.h
extension/goruntime_limits.o: extension/go_threads.h extension/goruntime_limits.h

install: install-go
install-go: memcache_go.so
	$(INSTALL_SHLIB) memcache_go.so '$(DESTDIR)$(pkglibdir)/memcache_go.so'

uninstall: uninstall-go
uninstall-go:
	rm -f '$(DESTDIR)$(pkglibdir)/memcache_go.so'

.PHONY: install-go uninstall-go gotest dist FORCE

gotest:
	$(GO) vet ./gosrc/...
	$(GO) test ./gosrc/...

# dist: the release tarball (PGXN; Debian's orig.tar.gz), made from the
# committed tree (HEAD); .gitattributes leaves out what only the repository
# needs. It builds on its own: vendor/ is in it.
DISTNAME = $(EXTENSION)-$(DISTVERSION)
DISTDIR = dist
dist:
	mkdir -p $(DISTDIR)
	git archive --format=tar.gz --prefix=$(DISTNAME)/ -o $(DISTDIR)/$(DISTNAME).tar.gz HEAD

# PGXS tracks no header dependencies: a changed header (a struct shared with
# Go, the bridge's table of entry points) must rebuild every object.
$(OBJS): $(wildcard extension/*.h)
