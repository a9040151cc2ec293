// ready.ts: the readiness checks install waits on, each saying what is not ready yet.
import { ApiextensionsV1Api, AppsV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { MESH, condition, getAPIService, isNotFound, statusError } from '../../kube/index.js';
import type { Check } from '../../kube/index.js';

/** apiServiceAvailable checks that the APIService reports Available=True. */
export function apiServiceAvailable(kc: KubeConfig): Check {
  return async () => {
    const svc = await getAPIService(kc);
    if (!svc) return `apiservice/${MESH.apiService} does not exist`;
    const c = condition(svc.status?.conditions, 'Available');
    if (c?.status === 'True') return true;
    if (!c) return `apiservice/${MESH.apiService} has no Available condition yet`;
    return `apiservice/${MESH.apiService} Available=${c.status} (${c.reason ?? ''}): ${c.message ?? ''}`;
  };
}

/** deploymentReady checks that every replica of the fedmesh-apiserver Deployment is updated and ready. */
export function deploymentReady(kc: KubeConfig): Check {
  return async () => {
    let d;
    try {
      d = await kc
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({ name: MESH.deployment, namespace: MESH.namespace });
    } catch (err) {
      if (isNotFound(err)) return `deployment/${MESH.deployment} does not exist`;
      throw statusError(err, `reading deployment/${MESH.deployment}`);
    }
    const want = d.spec?.replicas ?? 1;
    const ready = d.status?.readyReplicas ?? 0;
    const updated = d.status?.updatedReplicas ?? 0;
    if (ready >= want && updated >= want) return true;
    return `deployment/${MESH.deployment}: ${ready} of ${want} replicas ready, ${updated} updated`;
  };
}

/**
 * daemonSetReady checks that fedmesh-node is rolled out as `kubectl rollout status` judges it:
 * the controller has seen the current spec, and every node that should run it has an updated,
 * ready pod (a cluster with no schedulable node is ready with none).
 */
export function daemonSetReady(kc: KubeConfig): Check {
  return async () => {
    let ds;
    try {
      ds = await kc
        .makeApiClient(AppsV1Api)
        .readNamespacedDaemonSet({ name: MESH.daemonSet, namespace: MESH.namespace });
    } catch (err) {
      if (isNotFound(err)) return `daemonset/${MESH.daemonSet} does not exist`;
      throw statusError(err, `reading daemonset/${MESH.daemonSet}`);
    }
    const s = ds.status;
    if ((s?.observedGeneration ?? 0) < (ds.metadata?.generation ?? 1))
      return `daemonset/${MESH.daemonSet}: waiting for the DaemonSet controller to see the new spec`;
    const want = s?.desiredNumberScheduled ?? 0;
    const ready = s?.numberAvailable ?? 0;
    const updated = s?.updatedNumberScheduled ?? 0;
    if (ready >= want && updated >= want) return true;
    return `daemonset/${MESH.daemonSet}: ready on ${ready} of ${want} nodes, ${updated} updated`;
  };
}

/** crdEstablished checks that a CRD is Established (its kind can be applied). */
export function crdEstablished(kc: KubeConfig, name: string): Check {
  return async () => {
    try {
      const crd = await kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name });
      return (
        condition(crd.status?.conditions, 'Established')?.status === 'True' ||
        `crd/${name} is not Established`
      );
    } catch (err) {
      if (isNotFound(err)) return `crd/${name} does not exist`;
      throw statusError(err, `reading crd/${name}`);
    }
  };
}

/** all combines checks: ready when each is, else the first that is not. */
export function all(...checks: Check[]): Check {
  return async () => {
    for (const c of checks) {
      const r = await c();
      if (r !== true) return r;
    }
    return true;
  };
}
