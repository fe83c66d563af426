#!/usr/bin/env bash
# The lifecycle benchmark: sandboxd vs bubblewrap vs a plain fork+exec, measured in one run,
# printed as one table and written to out/bench/lifecycle.md; then the network table
# (out/bench/network.md) and the audit pipeline's table (out/bench/audit.md). Run as root after `make build`
# (or `make bench`). BENCH_N=30 for a quick run; the default is 200 samples per scenario, after
# BENCH_WARMUP (default 20) untimed ones.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
DOTNET="${DOTNET:-dotnet}"
CC="${CC:-gcc}"
out="$repo/out/bench"
daemon="$repo/out/sandboxd/sandboxd"

# The daemon creates namespaces, mounts and cgroups: without root it only measures failures.
if [[ "$(id -u)" != 0 ]]; then
    echo "bench.sh: run as root (sandboxd needs it)" >&2
    exit 1
fi
if [[ ! -x "$daemon" ]]; then
    echo "bench.sh: $daemon missing; run 'make build' first" >&2
    exit 1
fi
bwrap="$(command -v bwrap || true)"
if [[ -z "$bwrap" ]]; then
    echo "bench.sh: bwrap not found; 'make deps' installs bubblewrap" >&2
    exit 1
fi

mkdir -p "$out"
# The floor helper is compiled fresh each run: it is tiny, and a stale one would skew the floor.
"$CC" -O2 -Wall -Wextra -Werror -std=gnu11 -o "$out/forkexec" tests/Sandbox.Bench/native/forkexec.c
"$DOTNET" build tests/Sandbox.Bench/Sandbox.Bench.csproj -c Release -nologo -v:q

bench="$repo/tests/Sandbox.Bench/bin/Release/net10.0/Sandbox.Bench"
"$bench" --sandboxd "$daemon" --forkexec "$out/forkexec" --bwrap "$bwrap" --out "$out/lifecycle.md"
# The second table: egress proxy latency and throughput against a direct connection, and the
# network's cost in create (its own netns test host, removed afterwards; under a minute).
"$bench" network --sandboxd "$daemon" --out "$out/network.md"
# E2B's SDK cycle (create → commands.run("true") → kill) beside the same cycle over gRPC.
"$bench" e2b --sandboxd "$daemon" --out "$out/e2b.md"

# sandboxctl's start-up: `sandboxctl list` from the NativeAOT build beside the JIT build (hyperfine).
"$bench" cli --sandboxd "$daemon" --native "$repo/out/sandboxctl/sandboxctl" --jit "$repo/out/sandboxctl-jit/sandboxctl" --out "$out/cli.md"

# Issue 12's load test: 200 sandboxes at once with 20 executions each, then 1000 idle ones beside
# as many idle bubblewrap sandboxes (LOAD_SANDBOXES, LOAD_EXECS, LOAD_IDLE change the counts).
"$bench" load --sandboxd "$daemon" --bwrap "$bwrap" --out "$out/load.md"

# Issue 13's table: file write/read through the Files API beside `cat` over an execution, and re-attach latency.
"$bench" files --sandboxd "$daemon" --out "$out/files.md"

# The seccomp section: a refused call answered by the daemon's listener vs in the kernel.
"$bench" seccomp --sandboxd "$daemon" --probe-dir "$repo/tests/probe/build" --out "$out/seccomp.md"

# The audit section: the pipeline in process on a temp dir (AUDIT_BENCH_EVENTS, default 1M).
"$bench" audit --out "$out/audit.md"
