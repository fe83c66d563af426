# sandboxd — build, run, test, bench. `make run` and `make test` install what is missing first.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
OUT := out
SOCKET ?= /run/sandboxd/sandboxd.sock
STATE_DIR ?= /var/lib/sandboxd
RUNTIME_DIR ?= /run/sandboxd

.PHONY: all deps native build run test bench clean

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
	./bin/sandboxd --socket $(SOCKET) --state-dir $(STATE_DIR) --runtime-dir $(RUNTIME_DIR)

test: deps build
	bash scripts/test.sh

bench: deps build
	bash scripts/bench.sh
	bash scripts/bench-layers.sh

clean:
	$(MAKE) -C native clean
	rm -rf $(OUT) bin
