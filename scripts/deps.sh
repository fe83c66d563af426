#!/usr/bin/env bash
# Installs the system packages sandboxd needs, only those missing. Safe to run again.
set -euo pipefail

packages=(
  build-essential      # gcc, make, libc static archive for sbx-init and the probe
  libseccomp-dev       # seccomp filters
  python3-grpcio       # the independent gRPC client of the interop tests
  python3-protobuf
  protobuf-compiler    # protoc --python_out for that client
  redis-server         # the hot audit tier across daemons
  iproute2
  nftables
  bubblewrap           # the peer `make bench` measures against
  hyperfine
  git
  curl                 # HTTP clients inside sandboxes in the network tests
  util-linux           # nsenter, for attaching egress networks
  tmux                 # the real terminal the exec -it tests type into
  nodejs               # E2B's JavaScript SDK drives the E2B listener in the tests
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "deps: missing ${missing[*]}; run as root to install them" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "deps: the .NET SDK (dotnet) is required" >&2; exit 1; }

# E2B's SDK, pinned by tests/e2b/package-lock.json; installed again only when the lockfile changed.
command -v npm >/dev/null || { echo "deps: npm is required (for tests/e2b)" >&2; exit 1; }
lock_sum=$(sha256sum tests/e2b/package-lock.json | cut -d' ' -f1)
if [[ "$(cat tests/e2b/node_modules/.sandboxd-lock 2>/dev/null)" != "$lock_sum" ]]; then
  echo "deps: npm ci in tests/e2b"
  (cd tests/e2b && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock_sum" > tests/e2b/node_modules/.sandboxd-lock
fi
echo "deps: ok"
