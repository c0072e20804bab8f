# Crosstalk — the two commands: `make run` and `make test`.

BUILDDIR      ?= _build
TESTBUILDDIR  ?= _build-sanitize
MESON         ?= meson

.PHONY: all deps run build test check screenshots bench install clean

all: build

deps:
	@build-aux/install-deps

$(BUILDDIR)/build.ninja:
	$(MESON) setup $(BUILDDIR) --prefix=/usr

build: deps $(BUILDDIR)/build.ninja
	$(MESON) compile -C $(BUILDDIR)

run: build
	GSETTINGS_SCHEMA_DIR=$(BUILDDIR)/data $(BUILDDIR)/src/app/crosstalk

$(TESTBUILDDIR)/build.ninja:
	$(MESON) setup $(TESTBUILDDIR) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

# The whole suite, with AddressSanitizer and UBSan, on a virtual display and a private session bus.
test check: deps $(TESTBUILDDIR)/build.ninja
	$(MESON) compile -C $(TESTBUILDDIR)
	xvfb-run -a -s "-screen 0 1400x900x24" dbus-run-session -- \
		$(MESON) test -C $(TESTBUILDDIR) --print-errorlogs --num-processes 2

# Screenshots of the real window for the AppStream metainfo (data/screenshots/).
screenshots: build
	build-aux/screenshots $(BUILDDIR) data/screenshots

bench: build
	bench/udp.sh $(BUILDDIR)
	bench/tcp.sh $(BUILDDIR)
	bench/jsonrpc.sh $(BUILDDIR)
	bench/rest.sh $(BUILDDIR)
	bench/chat.sh $(BUILDDIR)
	bench/amqp.sh $(BUILDDIR)
	bench/log.sh $(BUILDDIR)

install: build
	$(MESON) install -C $(BUILDDIR)

clean:
	rm -rf $(BUILDDIR) $(TESTBUILDDIR)
