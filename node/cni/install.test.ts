// install.test.ts: the CNI installer chains fedmesh-cni into the runtime's conflist and takes it
// out again, leaving the primary plugins exactly as they were.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { install, uninstall } from './install.js';

const primary = {
  cniVersion: '1.0.0',
  name: 'k8s-pod-network',
  plugins: [
    {
      type: 'bridge',
      bridge: 'cni0',
      isGateway: true,
      ipMasq: true,
      ipam: { type: 'host-local', subnet: '10.244.1.0/24' },
    },
    { type: 'portmap', capabilities: { portMappings: true } },
  ],
};

describe('fedmesh-cni installer', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const confDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'fedmesh-install-'));
    dirs.push(d);
    writeFileSync(join(d, '10-primary.conflist'), JSON.stringify(primary));
    writeFileSync(join(d, '99-other.conflist'), JSON.stringify({ ...primary, name: 'other' }));
    return d;
  };
  const read = (d: string, f: string): typeof primary =>
    JSON.parse(readFileSync(join(d, f), 'utf8')) as typeof primary;

  it('appends fedmesh-cni as the last plugin of the first conflist, once, however often it runs', () => {
    const d = confDir();
    install({ confDir: d, mtu: 1450 });
    install({ confDir: d, mtu: 1400 });
    const got = read(d, '10-primary.conflist');
    assert.deepEqual(got.plugins.slice(0, 2), primary.plugins);
    assert.deepEqual(got.plugins[2], { type: 'fedmesh-cni', mtu: 1400 });
    assert.equal(got.plugins.length, 3);
    assert.deepEqual(read(d, '99-other.conflist'), { ...primary, name: 'other' });
    assert.deepEqual(readdirSync(d).sort(), ['10-primary.conflist', '99-other.conflist']);
  });

  it('uninstall leaves the conflist as it was before install', () => {
    const d = confDir();
    install({ confDir: d, socket: '/run/x.sock' });
    uninstall(d);
    assert.deepEqual(read(d, '10-primary.conflist'), primary);
  });

  it('refuses a folder without a conflist, saying what to do', () => {
    const d = mkdtempSync(join(tmpdir(), 'fedmesh-install-'));
    dirs.push(d);
    assert.throws(() => install({ confDir: d }), /install the primary CNI first/);
  });
});
