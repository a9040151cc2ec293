#!/usr/bin/env bash
# build.sh: builds kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy and
# etcd from Go modules into .cache/controlplane/<version>/bin (gitignored) and prints the folder. Idempotent: a
# second run finds the binaries and returns in well under a second. If KUBEBUILDER_ASSETS names a
# folder holding kube-apiserver and etcd, that folder is used instead (envtest convention).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  for b in kube-apiserver etcd; do
    if [[ ! -x "$KUBEBUILDER_ASSETS/$b" ]]; then
      echo "build.sh: KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS has no executable $b; unset it to build from Go modules" >&2
      exit 1
    fi
  done
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi

# Versions come from the go.mod files (direct requirements), so bumping them is a one-line edit.
modversion() { awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$2"; }
k8s="$(modversion k8s.io/kubernetes "$here/kube/go.mod")"
etcd="$(modversion go.etcd.io/etcd/server/v3 "$here/etcd/go.mod")"
if [[ -z "$k8s" || -z "$etcd" ]]; then
  echo "build.sh: cannot read the k8s.io/kubernetes or etcd version from test/controlplane/*/go.mod" >&2
  exit 1
fi
minor="$(echo "$k8s" | cut -d. -f2)"
out="${FEDMESH_CONTROLPLANE_CACHE:-$root/.cache/controlplane}/$k8s-etcd-$etcd/bin"
mkdir -p "$out"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath
command -v go >/dev/null || { echo "build.sh: go not found; install Go >= 1.26 or set KUBEBUILDER_ASSETS" >&2; exit 1; }

log() { echo "build.sh: $*" >&2; }
# retry N CMD...: runs CMD up to N times, waiting longer each time (a module proxy can fail for a moment).
retry() {
  local n=$1 i
  shift
  for ((i = 1; ; i++)); do
    "$@" && return 0
    ((i >= n)) && return 1
    log "failed (attempt $i of $n): $*; retrying in $((i * 15))s"
    sleep $((i * 15))
  done
}

# The Kubernetes binaries come from one module version and are built together (shared compile);
# only those missing from the cache are built, so adding one later does not relink the others.
missing=()
for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
  [[ -x "$out/$b" ]] || missing+=("$b")
done
if (( ${#missing[@]} > 0 )); then
  ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=$k8s -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  start=$SECONDS
  log "downloading modules for k8s.io/kubernetes $k8s (cold: a few hundred MB)"
  (cd "$here/kube" && retry 3 go mod download)
  log "compiling ${missing[*]} $k8s (cold: about 8 min on 2 cores, +3 min for kubelet and kube-proxy)"
  # Progress: go build -v prints each package as it compiles; show a count every 100.
  (cd "$here/kube" && go build -v -ldflags "$ld" -o "$out/.tmp/" \
      "${missing[@]/#/k8s.io/kubernetes/cmd/}" 2>&1 |
    awk '{n++; if (n % 100 == 0) { printf "build.sh: %d packages compiled\n", n > "/dev/stderr" } }
         /^(#|.*\.go:[0-9]+)/ { print > "/dev/stderr" }')
  for b in "${missing[@]}"; do
    [[ -x "$out/.tmp/$b" ]] || { log "$b build failed"; exit 1; }
    mv "$out/.tmp/$b" "$out/"
  done
  rmdir "$out/.tmp"
  log "${missing[*]} built in $((SECONDS - start))s"
fi

if [[ ! -x "$out/etcd" ]]; then
  start=$SECONDS
  log "building etcd $etcd"
  (cd "$here/etcd" && retry 3 go mod download)
  # Without -o the binary would be named after the module's last element, "v3".
  (cd "$here/etcd" && go build -ldflags "-s -w" -o "$out/.etcd.tmp" go.etcd.io/etcd/server/v3)
  mv "$out/.etcd.tmp" "$out/etcd"
  log "etcd built in $((SECONDS - start))s"
fi

echo "$out"
