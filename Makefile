# memcache: PGXS build of the C shim (memcache.so) and the Go object
# (memcache_go.so, loaded by the shim on first use in a backend).

EXTENSION = memcache
EXTVERSION = 1.0
MODULE_big = memcache
OBJS = extension/memcache.o extension/gobridge.o extension/expiry.o \
       extension/storage.o extension/retrieval.o extension/counters.o \
       extension/admin.o extension/batch.o extension/commit_queue.o \
       extension/sync_triggers.o extension/security_settings.o
DATA = $(wildcard sql/$(EXTENSION)--*.sql)
PGFILEDESC = "memcache - memcached from SQL"

TESTS = $(wildcard test/sql/*.sql)
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test --outputdir=test --load-extension=$(EXTENSION)

PG_CPPFLAGS = -Iextension -DMC_VERSION='"$(EXTVERSION)"'
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
# Async preemption signals (SIGURG) would steal PostgreSQL's latch wakeups;
# it must be off from the first instruction, so it is baked in at link time.
GO_LDFLAGS = -X=runtime.godebugDefault=asyncpreemptoff=1
GO_SRC = $(wildcard gosrc/*.go gosrc/mc/*.go) go.mod go.sum extension/gobridge_abi.h

all: memcache_go.so

libmcgo.a: $(GO_SRC)
	CGO_ENABLED=1 $(GO) build -trimpath -buildvcs=false -buildmode=c-archive -ldflags='$(GO_LDFLAGS)' -o $@ ./gosrc

memcache_go.so: libmcgo.a extension/memcache_go.map
	$(CC) -shared -o $@ -Wl,--whole-archive libmcgo.a -Wl,--no-whole-archive \
		-Wl,--version-script=extension/memcache_go.map -Wl,-Bsymbolic -Wl,-z,now \
		-lpthread

install: install-go
install-go: memcache_go.so
	$(INSTALL_SHLIB) memcache_go.so '$(DESTDIR)$(pkglibdir)/memcache_go.so'

uninstall: uninstall-go
uninstall-go:
	rm -f '$(DESTDIR)$(pkglibdir)/memcache_go.so'

EXTRA_CLEAN = libmcgo.a libmcgo.h memcache_go.so extension/.built-for

.PHONY: install-go uninstall-go gotest FORCE

gotest:
	$(GO) vet ./gosrc/...
	$(GO) test ./gosrc/...
