# sandboxd — build, run, test, bench. `make run` and `make test` install what is missing first.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
OUT := out
SOCKET ?= /run/sandboxd/sandboxd.sock
STATE_DIR ?= /var/lib/sandboxd
RUNTIME_DIR ?= /run/sandboxd
# Prometheus metrics of `make run` (the installed unit serves the same address); empty = off.
METRICS ?= 127.0.0.1:9464
# make install: PREFIX/bin/{sandboxd,sandboxctl}, the daemon's files in PREFIX/lib/sandboxd, the
# unit in PREFIX/lib/systemd/system (where systemd looks for local units), the config in /etc.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system

.PHONY: all deps native build run test bench clean install uninstall

all: build

# Idempotent: installs only what is missing (CI and fresh machines have none of it).
deps:
	@bash scripts/deps.sh

native:
	$(MAKE) -C native
	$(MAKE) -C tests/probe

build: native
	$(DOTNET) build Sandbox.sln -c $(CONFIG) -nologo -v:q
	$(DOTNET) publish src/SandboxCore/SandboxCore.csproj -c $(CONFIG) -nologo -v:q --no-build -o $(OUT)/sandboxd
	@# sandboxctl is a NativeAOT binary (start-up in milliseconds, not ~200 ms of JIT); the JIT
	@# build of the same program is kept beside it for make bench's comparison.
	$(DOTNET) publish src/Sandboxctl/Sandboxctl.csproj -c $(CONFIG) -nologo -v:q -r linux-x64 -o $(OUT)/sandboxctl
	$(DOTNET) publish src/Sandboxctl/Sandboxctl.csproj -c $(CONFIG) -nologo -v:q --no-build -p:PublishAot=false -o $(OUT)/sandboxctl-jit
	@mkdir -p bin
	@printf '#!/bin/sh\nexec "%s/%s/sandboxd/sandboxd" "$$@"\n' "$(CURDIR)" "$(OUT)" > bin/sandboxd
	@printf '#!/bin/sh\nexec "%s/%s/sandboxctl/sandboxctl" "$$@"\n' "$(CURDIR)" "$(OUT)" > bin/sandboxctl
	@chmod +x bin/sandboxd bin/sandboxctl
	@echo "built: bin/sandboxd bin/sandboxctl"

run: deps build
	./bin/sandboxd --socket $(SOCKET) --state-dir $(STATE_DIR) --runtime-dir $(RUNTIME_DIR) $(if $(METRICS),--metrics $(METRICS))

test: deps build
	bash scripts/test.sh

bench: deps build
	bash scripts/bench.sh
	bash scripts/bench-layers.sh

# Installs what `make build` made (it builds nothing, so `make build && sudo make install` never
# builds as root). DESTDIR stages the tree elsewhere (packages, tests). An existing config is kept.
install:
	@test -x $(OUT)/sandboxd/sandboxd -a -x $(OUT)/sandboxctl/sandboxctl || { echo "install: run 'make build' first" >&2; exit 1; }
	install -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/sandboxd $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/sandboxd
	cp -R --preserve=mode $(OUT)/sandboxd/. $(DESTDIR)$(LIBDIR)/sandboxd/
	ln -sfn $$(realpath -m --relative-to=$(BINDIR) $(LIBDIR)/sandboxd/sandboxd) $(DESTDIR)$(BINDIR)/sandboxd
	install -m 0755 $(OUT)/sandboxctl/sandboxctl $(DESTDIR)$(BINDIR)/sandboxctl
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' packaging/sandboxd.service > $(DESTDIR)$(UNITDIR)/sandboxd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/sandboxd.service
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/sandboxd/sandboxd.yaml ]; then \
	  echo "install: kept $(DESTDIR)$(SYSCONFDIR)/sandboxd/sandboxd.yaml (the default is packaging/sandboxd.yaml)"; \
	else install -m 0640 packaging/sandboxd.yaml $(DESTDIR)$(SYSCONFDIR)/sandboxd/sandboxd.yaml; fi
	@echo "installed; as root: systemctl daemon-reload && systemctl enable --now sandboxd"

# Leaves the config (it may hold an admin's edits) and the state dir.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sandboxd $(DESTDIR)$(BINDIR)/sandboxctl $(DESTDIR)$(UNITDIR)/sandboxd.service
	rm -rf $(DESTDIR)$(LIBDIR)/sandboxd

clean:
	$(MAKE) -C native clean
	rm -rf $(OUT) bin
