#!/usr/bin/env bash
# cni-plugins.sh: builds the CNI 1.1 reference plugins (bridge, host-local, loopback) and cnitool
# from Go modules into .cache/controlplane/cni-<plugins>-<cni>/bin (gitignored) and prints the
# folder. Debian's plugins speak CNI only up to 1.0.0; fedmesh-cni's 1.1.0 tests need these.
# Idempotent: a second run finds the binaries and returns at once.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
plugins=v1.10.0
cni=v1.3.1
out="${FEDMESH_CONTROLPLANE_CACHE:-$root/.cache/controlplane}/cni-$plugins-$cni/bin"
mkdir -p "$out"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-trimpath -mod=mod"
command -v go >/dev/null || { echo "cni-plugins.sh: go not found; install Go >= 1.26" >&2; exit 1; }

exec 9>"$out/.lock"
flock 9
need=()
for b in bridge host-local loopback; do [[ -x "$out/$b" ]] || need+=("$b"); done
if (( ${#need[@]} > 0 )); then
  echo "cni-plugins.sh: building CNI plugins $plugins (about 1 min)" >&2
  GOBIN="$out" go install -ldflags "-s -w" \
    "github.com/containernetworking/plugins/plugins/main/bridge@$plugins" \
    "github.com/containernetworking/plugins/plugins/ipam/host-local@$plugins" \
    "github.com/containernetworking/plugins/plugins/main/loopback@$plugins" >&2
fi
if [[ ! -x "$out/cnitool" ]]; then
  echo "cni-plugins.sh: building cnitool $cni" >&2
  GOBIN="$out" go install -ldflags "-s -w" "github.com/containernetworking/cni/cnitool@$cni" >&2
fi
echo "$out"
