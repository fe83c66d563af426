#!/usr/bin/env bash
# Removes what an earlier test run left when its test host was killed (a hang past
# --blame-hang-timeout, a timeout around `dotnet test`, a stopped session): nothing in it could
# clean up. Only test-made things, and only dead ones:
#   - sandbox cgroups (sandboxd/sbx-*) with no process in any hierarchy, made over 10 minutes
#     ago: a live sandbox's group holds its init from the moment the create fills it;
#   - test beds' network namespaces (sbxt*, see tests/Sandbox.Tests/Network) with no process
#     in them, made over 10 minutes ago, with their host veth and nft table of the same name.
set -uo pipefail

stale_minutes=10
cgroup_roots() { awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) ~ /^cgroup2?$/) print $5; break } }' /proc/self/mountinfo; }
old() { [[ -n $(find "$1" -maxdepth 0 -mmin +$stale_minutes 2>/dev/null) ]]; }

swept=0
for group in $(cgroup_roots | while read -r root; do ls -d "$root"/sandboxd/sbx-* 2>/dev/null; done | xargs -rn1 basename | sort -u); do
  dirs=$(cgroup_roots | while read -r root; do [[ -d $root/sandboxd/$group ]] && echo "$root/sandboxd/$group"; done)
  busy=0
  for dir in $dirs; do
    { [[ -s $dir/cgroup.procs ]] || ! old "$dir"; } && busy=1
  done
  [[ $busy -eq 1 ]] && continue
  for dir in $dirs; do rmdir "$dir"; done
  swept=$((swept + 1))
done
cgroup_roots | while read -r root; do rmdir "$root/sandboxd" 2>/dev/null; done

for ns in $(ls /run/netns 2>/dev/null | grep -E '^sbxt[0-9a-f]{6}$'); do
  old "/run/netns/$ns" || continue
  [[ -z $(ip netns pids "$ns" 2>/dev/null) ]] || continue
  nft delete table inet "$ns" 2>/dev/null
  ip link delete "${ns}h" 2>/dev/null
  ip netns delete "$ns"
  swept=$((swept + 1))
done
for table in $(nft list tables 2>/dev/null | awk '$2 == "inet" && $3 ~ /^sbxt[0-9a-f]{6}$/ { print $3 }'); do
  [[ -e /run/netns/$table ]] || { nft delete table inet "$table"; swept=$((swept + 1)); }
done
[[ $swept -eq 0 ]] || echo "test: removed $swept leftovers of an earlier, killed test run" >&2
exit 0
