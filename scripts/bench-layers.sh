#!/usr/bin/env bash
# What each isolation layer adds to starting a process (issue 3's layer costs), measured through
# the daemon's own launcher in one run. Root only. BENCH_N overrides the sample count.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
out="$repo/out/bench"
mkdir -p "$out"
printf 'int main(void) { return 0; }\n' > "$out/true-static.c"
"${CC:-gcc}" -O2 -static -o "$out/true-static" "$out/true-static.c"
"${DOTNET:-dotnet}" build tests/Sandbox.LayerBench/Sandbox.LayerBench.csproj -c Release -nologo -v:q >/dev/null
"$repo/tests/Sandbox.LayerBench/bin/Release/net10.0/Sandbox.LayerBench" "$out/true-static" "${BENCH_N:-200}" | tee "$out/layers.md"
