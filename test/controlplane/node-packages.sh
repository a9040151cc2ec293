#!/usr/bin/env bash
# node-packages.sh: installs what real test nodes need from Debian (containerd, runc, the CNI
# reference plugins, nftables, conntrack, iptables; iperf3 for the throughput benchmark) and
# downloads, without installing, the busybox-static package that the workload image is made from (it conflicts with busybox).
#   node-packages.sh          install what is missing (as root), then print the busybox .deb path
#   node-packages.sh --check  exit 0 when everything is present, 1 otherwise (prints what is missing)
# Idempotent and safe to run from several processes at once (one flock). Uses
# --no-install-recommends: recommends would pull in a kernel image.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${FEDMESH_CONTROLPLANE_CACHE:-$root/.cache/controlplane}/debs"

# command -> Debian package providing it
declare -A need=(
  [/usr/bin/containerd]=containerd
  [/usr/bin/containerd-shim-runc-v2]=containerd
  [/usr/bin/ctr]=containerd
  [/usr/sbin/runc]=runc
  [/usr/lib/cni/bridge]=containernetworking-plugins
  [/usr/lib/cni/host-local]=containernetworking-plugins
  [/usr/lib/cni/loopback]=containernetworking-plugins
  [/usr/sbin/nft]=nftables
  [/usr/sbin/conntrack]=conntrack
  [/usr/sbin/iptables]=iptables
  [/usr/bin/nsenter]=util-linux
  [/usr/bin/setpriv]=util-linux
  [/usr/bin/flock]=util-linux
  [/usr/sbin/ip]=iproute2
  [/usr/bin/iperf3]=iperf3
)
log() { echo "node-packages.sh: $*" >&2; }
# retry CMD...: runs CMD up to 3 times, waiting longer each time (a mirror can fail for a moment).
retry() {
  local i
  for ((i = 1; ; i++)); do
    "$@" && return 0
    ((i >= 3)) && return 1
    log "failed (attempt $i of 3): $*; retrying in $((i * 15))s"
    sleep $((i * 15))
  done
}

missing() {
  local p out=()
  for p in "${!need[@]}"; do [[ -x "$p" ]] || out+=("${need[$p]}"); done
  printf '%s\n' "${out[@]}" | sort -u | grep -v '^$' || true
}
busybox_deb() { ls "$cache"/busybox-static_*.deb 2>/dev/null | head -1; }

if [[ "${1:-}" == "--check" ]]; then
  m="$(missing)"
  [[ -z "$m" && -n "$(busybox_deb)" ]] && exit 0
  [[ -n "$m" ]] && log "missing packages: $(echo $m)"
  [[ -z "$(busybox_deb)" ]] && log "missing busybox-static .deb in $cache"
  exit 1
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

m="$(missing)"
if [[ -n "$m" || -z "$(busybox_deb)" ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    log "real nodes need root to install: $(echo $m) busybox-static; run as root: $0"
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  start=$SECONDS
  log "apt-get update"
  # A machine just booted may still run its own apt jobs: wait up to 10 minutes for their lock.
  retry apt-get -o DPkg::Lock::Timeout=600 update -qq
  if [[ -n "$m" ]]; then
    log "installing $(echo $m) (--no-install-recommends)"
    # shellcheck disable=SC2086
    retry apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $m >&2
  fi
  if [[ -z "$(busybox_deb)" ]]; then
    log "downloading busybox-static (not installed: it conflicts with busybox)"
    (cd "$cache" && retry apt-get download -qq busybox-static >&2)
  fi
  log "done in $((SECONDS - start))s"
fi
m="$(missing)"
[[ -z "$m" ]] || { log "still missing after install: $(echo $m)"; exit 1; }
busybox_deb
