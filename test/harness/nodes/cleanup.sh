#!/usr/bin/env bash
# cleanup.sh ENVFILE: removes everything one set of real test nodes made, as recorded in ENVFILE
# (/run/fedmesh-nodes/fm<slot>.env): processes (every one in the instance's pids cgroup, which
# holds containerd, kubelet, kube-proxy, the shims and the containers, and any left in its
# network namespaces), mounts under its state folder (the nodes' own mount namespaces end with
# their processes), network namespaces, host interfaces and
# routes, cgroups, libcni results, the state folder, and the kernel settings the kubelet changes.
# Idempotent; every step goes on when an earlier one fails. Used by the harness's stop and, when
# the test process dies without stopping (SIGKILL), by its reaper (this script with --wait).
#   cleanup.sh --wait ENVFILE   wait until standard input closes (the owner died), then clean up
set -uo pipefail

if [[ "${1:-}" == "--wait" ]]; then
  shift
  cat >/dev/null || true
  echo "cleanup.sh: owner of $1 is gone; cleaning up" >&2
fi
env_file="${1:?usage: cleanup.sh [--wait] ENVFILE}"
[[ -f "$env_file" ]] || exit 0
# shellcheck disable=SC1090
source "$env_file"
: "${PREFIX:?}" "${DIR:?}" "${RUN_DIR:?}"
[[ "$PREFIX" =~ ^fm[0-9]+$ ]] || { echo "cleanup.sh: bad PREFIX $PREFIX" >&2; exit 1; }
hierarchies=(cpu cpuacct cpuset memory devices freezer blkio pids systemd)

# Processes: everything in the instance's cgroup tree (freeze first, so nothing forks meanwhile).
kill_cgroup_tree() {
  local top=/sys/fs/cgroup/pids/$PREFIX frz=/sys/fs/cgroup/freezer/$PREFIX i pids
  [[ -d "$top" ]] || return 0
  [[ -d "$frz" ]] && echo FROZEN >"$frz/freezer.state" 2>/dev/null
  for i in $(seq 1 50); do
    pids="$(find "$top" -name cgroup.procs -exec cat {} + 2>/dev/null)"
    [[ -z "$pids" ]] && break
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null
    [[ -d "$frz" ]] && echo THAWED >"$frz/freezer.state" 2>/dev/null
    sleep 0.1
  done
  [[ -d "$frz" ]] && echo THAWED >"$frz/freezer.state" 2>/dev/null
}
kill_cgroup_tree
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PREFIX-"); do
  # shellcheck disable=SC2046
  kill -KILL $(ip netns pids "$ns" 2>/dev/null) 2>/dev/null
done

# Mounts under the state folder (overlay root file systems, sandbox shm, pod volumes, pod netns),
# deepest first; lazily, so a busy one cannot stop the rest.
if [[ -n "$DIR" && "$DIR" == /* && "$DIR" != / ]]; then
  awk -v d="$DIR/" '{ m = $5; gsub(/\\040/, " ", m); if (index(m, d) == 1) print m }' /proc/self/mountinfo |
    sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
fi

for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PREFIX-"); do ip netns del "$ns" 2>/dev/null; done
for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$PREFIX"); do
  ip link del "$l" 2>/dev/null
done
for r in ${HOST_ROUTES:-}; do ip route del ${r//,/ } 2>/dev/null; done

# cgroups bottom-up (a kubelet may have left kubepods/...; containerd none of its own here).
for i in 1 2 3; do
  left=0
  for h in "${hierarchies[@]}"; do
    t=/sys/fs/cgroup/$h/$PREFIX
    [[ -d "$t" ]] || continue
    find "$t" -depth -type d -exec rmdir {} + 2>/dev/null
    [[ -d "$t" ]] && left=1
  done
  ((left)) || break
  kill_cgroup_tree
  sleep 0.2
done

# libcni's result cache is shared: ours are named after our network (fm<slot>) or, for containerd's
# own loopback network, record a sandbox path under the state folder. The kubelet's links in
# /var/log/containers point into the state folder too.
rm -f /var/lib/cni/results/"$PREFIX"-* 2>/dev/null
if [[ -d /var/lib/cni/results ]]; then
  grep -l -F "$DIR/" /var/lib/cni/results/* 2>/dev/null | xargs -r rm -f
fi
rmdir /var/lib/cni/results /var/lib/cni 2>/dev/null
for l in /var/log/containers/*.log; do
  [[ -L "$l" && "$(readlink "$l")" == "$DIR/"* ]] && rm -f "$l"
done
rmdir /var/log/containers 2>/dev/null
if [[ -n "$DIR" && "$DIR" == /* && "$DIR" != / ]]; then rm -rf --one-file-system "$DIR" 2>/dev/null; fi

# Kernel settings the kubelet sets at start (they are not per network namespace).
if [[ -f "$RUN_DIR/kernel-settings" ]]; then
  while IFS='=' read -r k v; do [[ -n "$k" ]] && sysctl -qw "$k=$v" 2>/dev/null; done <"$RUN_DIR/kernel-settings"
fi
rm -f "$env_file"

# Paths every kubelet and containerd share; removed once the last instance is gone.
if ! ls "$RUN_DIR"/fm*.env >/dev/null 2>&1; then
  rm -f /var/lib/kubelet/device-plugins/kubelet.sock /var/lib/kubelet/device-plugins/DEPRECATION 2>/dev/null
  rmdir /var/lib/kubelet/device-plugins /var/lib/kubelet 2>/dev/null
  rm -rf /run/containerd/s 2>/dev/null
  rmdir /run/containerd 2>/dev/null
  rm -f "$RUN_DIR/kernel-settings"
fi
exit 0
