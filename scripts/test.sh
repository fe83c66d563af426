#!/usr/bin/env bash
# Runs every test (after `make build`). As root — CI — a skipped test is a failure: the root
# tests (namespaces, mounts, cgroups) must run there, not skip. Ends with a leak check.
set -uo pipefail
cd "$(dirname "$0")/.."

# Every sandboxd cgroup, the shared parents included, in each cgroup hierarchy wherever it is
# mounted (v1 controllers, a hybrid's or a full v2 host's cgroup2): a host with no sandboxes has none.
cgroup_roots() { awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) ~ /^cgroup2?$/) print $5; break } }' /proc/self/mountinfo; }
cgroups() {
  cgroup_roots | while read -r root; do
    find "$root" -maxdepth 2 -type d \( -name sandboxd -o -path '*/sandboxd/*' \) 2>/dev/null
  done | sort
}
# Test beds' network namespaces (tests/Sandbox.Tests/Network): each is gone when its test ends.
test_beds() { ls /run/netns 2>/dev/null | grep -E '^sbxt' | sort; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
scripts/sweep-killed-runs.sh
cgroups_before=$(cgroups)
beds_before=$(test_beds)
# A test that hangs is killed after 10 minutes with a dump of the test host (CI has 90 in all):
# it fails the run and names itself, instead of eating the time until CI gives up.
dotnet test Sandbox.sln -c Release --no-build -nologo --blame-hang --blame-hang-timeout 10m --blame-hang-dump-type mini \
  --results-directory "${TEST_RESULTS:-out/test-results}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

count() { grep -E "^(Passed|Failed)!" "$log" | sed -nE "s/.*$1: *([0-9]+).*/\\1/p" | awk '{ n += $1 } END { print n + 0 }'; }
passed=$(count Passed); failed=$(count Failed); skipped=$(count Skipped)
passed=${passed:-0}; failed=${failed:-0}; skipped=${skipped:-0}

leaks=$(grep -c "sbxtest-" /proc/self/mountinfo || true)
if [[ $leaks -ne 0 ]]; then
  echo "test: $leaks mounts of test sandboxes are still on the host" >&2
  rc=1
fi
# A sandbox's disk is a loop device on its image under a test's state dir while it runs; one still
# attached after the run is a sandbox whose mount namespace outlived its test.
leaked_loops=$(grep -l "sbxtest-" /sys/block/loop*/loop/backing_file 2>/dev/null | grep -c . || true)
if [[ $leaked_loops -ne 0 ]]; then
  echo "test: $leaked_loops loop devices still serve test sandboxes' disk images" >&2
  rc=1
fi
leaked_cgroups=$(comm -13 <(echo "$cgroups_before") <(cgroups) | grep -c . || true)
if [[ $leaked_cgroups -ne 0 ]]; then
  echo "test: $leaked_cgroups sandbox cgroups were left behind:" >&2
  comm -13 <(echo "$cgroups_before") <(cgroups) >&2
  rc=1
fi
leaked_beds=$(comm -13 <(echo "$beds_before") <(test_beds) | grep -c . || true)
if [[ $leaked_beds -ne 0 ]]; then
  echo "test: $leaked_beds test network namespaces were left behind:" >&2
  comm -13 <(echo "$beds_before") <(test_beds) >&2
  rc=1
fi
if [[ $(id -u) -eq 0 && $skipped -ne 0 ]]; then
  echo "test: $skipped tests skipped as root; root tests must run here" >&2
  rc=1
fi
if [[ $passed -eq 0 ]]; then
  echo "test: no test ran" >&2
  rc=1
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
exit "$rc"
