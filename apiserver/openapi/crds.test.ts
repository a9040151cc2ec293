// crds.test.ts: the committed CRDs are what openapi/gen-crds.ts produces, the kustomize base renders,
// and a real kube-apiserver accepts it: CRD defaults, CEL rules, printer columns and kubectl explain.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { startControlPlane, type ControlPlane } from '../../test/harness/controlplane.js';
import { kubectl, kubectlOk } from '../../test/harness/kubectl.js';
import { CRDS, renderCRDs } from './crds.js';
import { loadSchemas, packageRoot } from './schemas.js';

const root = packageRoot();
const manifests = join(root, 'manifests');

describe('config.federated.mesh CRDs and the kustomize base', () => {
  it('the committed CRDs equal the generator output', async () => {
    for (const [file, text] of await renderCRDs(loadSchemas(root), root)) {
      const committed = readFileSync(join(manifests, 'crds', file), 'utf8');
      assert.equal(
        committed,
        text,
        `manifests/crds/${file} is stale: run node --import tsx openapi/gen-crds.ts`,
      );
    }
  });

  it('kubectl kustomize renders every object of the base, CRDs included', async () => {
    const out = await kubectlOk('/dev/null', ['kustomize', manifests]);
    const objs = parseAllDocuments(out).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } },
    );
    const names = objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    for (const want of [
      'Namespace//fedmesh',
      'ServiceAccount/fedmesh/fedmesh-apiserver',
      'RoleBinding/kube-system/fedmesh-apiserver-auth-reader',
      'ClusterRoleBinding//fedmesh-apiserver:system:auth-delegator',
      'Service/fedmesh/fedmesh-apiserver',
      'Deployment/fedmesh/fedmesh-apiserver',
      'APIService//v1alpha1.federated.mesh',
      ...CRDS.map((c) => `CustomResourceDefinition//${c.plural}.config.federated.mesh`),
    ]) {
      assert.ok(names.includes(want), `${want} missing from kubectl kustomize manifests`);
    }
  });
});

describe('the base against a real kube-apiserver', () => {
  let cp: ControlPlane;
  let kc: string;
  const k = (...args: string[]) => kubectlOk(kc, args);
  const apply = (obj: object) => kubectl(kc, ['apply', '-f', '-'], { input: JSON.stringify(obj) });
  before(async () => {
    cp = await startControlPlane({ clusters: ['crd'] });
    kc = cp.cluster('crd').kubeconfig;
    await k('apply', '-f', join(manifests, 'namespace.yaml'), '-f', join(manifests, 'crds'));
    await k(
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      ...CRDS.map((c) => `crd/${c.plural}.config.federated.mesh`),
    );
  });
  after(async () => {
    await cp?.stop();
  });

  it('kubectl apply --dry-run=server -k manifests accepts every object', async () => {
    const out = await k('apply', '--dry-run=server', '-k', manifests);
    assert.match(out, /deployment\.apps\/fedmesh-apiserver created \(server dry run\)/);
    assert.match(
      out,
      /apiservice\.apiregistration\.k8s\.io\/v1alpha1\.federated\.mesh created \(server dry run\)/,
    );
  });

  it('a RemoteClusterConfiguration gets defaults and shows its columns in kubectl get rcc', async () => {
    const rcc = {
      apiVersion: 'config.federated.mesh/v1alpha1',
      kind: 'RemoteClusterConfiguration',
      metadata: { name: 'east' },
      spec: { clusterAccessSecret: { name: 'east-kubeconfig', namespace: 'fedmesh' } },
    };
    assert.equal((await apply(rcc)).code, 0);
    assert.equal(
      await k('get', 'rcc', 'east', '-o', 'jsonpath={.spec.syncOptions.overlayRoutingMode}'),
      'Disabled',
    );
    const table = await k('get', 'rcc');
    assert.match(table.split('\n')[0]!, /^NAME\s+CONNECTED\s+SYNCED\s+WORKLOADS\s+HOSTS\s+AGE$/);
    assert.match(table, /^east\s/m);
  });

  it('kubectl explain shows the schema descriptions', async () => {
    const out = await k('explain', 'rcc.spec');
    assert.match(out, /clusterAccessSecret/);
    assert.match(out, /kubeconfig\s+for the remote cluster/);
    assert.match(
      await k('explain', 'meshnetworkpolicy.spec.ingress.destination.ports'),
      /named\s+container\s+ports/,
    );
  });

  const rejected: [string, object, RegExp][] = [
    [
      'an RCC whose name is not a DNS label',
      {
        apiVersion: 'config.federated.mesh/v1alpha1',
        kind: 'RemoteClusterConfiguration',
        metadata: { name: 'east.prod' },
        spec: { clusterAccessSecret: { name: 's', namespace: 'fedmesh' } },
      },
      /must be a DNS label/,
    ],
    [
      'a MeshConfiguration not named default',
      {
        apiVersion: 'config.federated.mesh/v1alpha1',
        kind: 'MeshConfiguration',
        metadata: { name: 'other' },
        spec: { clusterName: 'west' },
      },
      /singleton/,
    ],
    [
      'ports with protocol ICMP',
      mnp({ ingress: [{ action: 'Allow', protocol: 'ICMP', destination: { ports: [80] } }] }),
      /ports need protocol TCP, UDP or SCTP/,
    ],
    [
      'a net that is not a CIDR',
      mnp({ egress: [{ action: 'Deny', destination: { nets: ['10.0.0.0/33'] } }] }),
      /must be a CIDR/,
    ],
    [
      'a malformed port range',
      mnp({ ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: ['80-90'] } }] }),
      /ports/,
    ],
  ];
  for (const [name, obj, message] of rejected) {
    it(`kube-apiserver rejects ${name}`, async () => {
      const r = await apply(obj);
      assert.notEqual(r.code, 0, `${name} was accepted`);
      assert.match(r.stderr, message);
    });
  }

  it('a MeshNetworkPolicy with numbers, ranges and named ports is accepted and listed with its order', async () => {
    const ok = mnp({
      order: 10,
      types: ['Ingress'],
      ingress: [
        {
          action: 'Allow',
          protocol: 'TCP',
          source: { selector: "app == 'web'", nets: ['10.0.0.0/8', 'fd00::/64'] },
          destination: { ports: [80, '8000:8080', 'http'] },
        },
      ],
    });
    const r = await apply(ok);
    assert.equal(r.code, 0, r.stderr);
    assert.match(await k('get', 'mnp', '-n', 'default'), /^allow-web\s+10\s/m);
  });

  it('MeshConfiguration defaults the overlay and keeps clusterName fixed', async () => {
    const mc = {
      apiVersion: 'config.federated.mesh/v1alpha1',
      kind: 'MeshConfiguration',
      metadata: { name: 'default' },
      spec: { clusterName: 'west' },
    };
    assert.equal((await apply(mc)).code, 0);
    assert.equal(
      await k(
        'get',
        'meshconfiguration',
        'default',
        '-o',
        'jsonpath={.spec.overlay.vni} {.spec.overlay.udpPort} {.spec.overlay.enabled}',
      ),
      '4299 4789 true',
    );
    const r = await apply({ ...mc, spec: { clusterName: 'north' } });
    assert.match(r.stderr, /clusterName cannot be changed/);
  });
});

/** mnp is a MeshNetworkPolicy allow-web in default with the given spec fields. */
function mnp(spec: object): object {
  return {
    apiVersion: 'config.federated.mesh/v1alpha1',
    kind: 'MeshNetworkPolicy',
    metadata: { name: 'allow-web', namespace: 'default' },
    spec: { selector: "app == 'db'", ...spec },
  };
}
