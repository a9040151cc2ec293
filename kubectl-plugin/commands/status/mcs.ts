// mcs.ts: the Multi-Cluster Services of the local cluster as `kubectl mesh status` shows them: its
// ServiceExports with their Valid, Ready and Conflict conditions (written by fedmesh-apiserver of
// this cluster), and the ServiceImports fedmesh made here from the exports of the mesh.
import type { KubeConfig } from '@kubernetes/client-node';
import {
  MCS_GROUP_VERSION,
  SERVICE_EXPORTS,
  SERVICE_IMPORTS,
  type ServiceExport,
  type ServiceImport,
} from '../../../api/index.js';
import type { Column } from '../../cli/printer.js';
import { condition, request } from '../../kube/index.js';

/** MCSRow is one export or import in `kubectl mesh status`. */
export interface MCSRow {
  namespace: string;
  name: string;
  role: 'export' | 'import';
  /** type, ip and clusters describe an import ('' for an export). */
  type: string;
  ip: string;
  clusters: string;
  /** valid, ready and conflict are an export's condition statuses ('' for an import). */
  valid: string;
  ready: string;
  conflict: string;
  /** problem is the reason and message of the first condition that is not as it should be. */
  problem?: string;
}

const blank = { type: '', ip: '', clusters: '', valid: '', ready: '', conflict: '' };

/** exportRow summarises one ServiceExport of the local cluster. */
export function exportRow(e: ServiceExport): MCSRow {
  const conds = e.status?.conditions;
  const st = (t: string): string => condition(conds, t)?.status ?? 'Unknown';
  const bad = (conds ?? []).find((c) => (c.type === 'Conflict' ? c.status === 'True' : c.status !== 'True'));
  return {
    ...blank,
    namespace: e.metadata.namespace ?? '',
    name: e.metadata.name,
    role: 'export',
    valid: st('Valid'),
    ready: st('Ready'),
    conflict: st('Conflict'),
    problem: bad ? `${bad.reason}: ${bad.message}` : conds?.length ? undefined : 'no status yet',
  };
}

/** importRow summarises one ServiceImport of the local cluster. */
export function importRow(i: ServiceImport): MCSRow {
  return {
    ...blank,
    namespace: i.metadata.namespace ?? '',
    name: i.metadata.name,
    role: 'import',
    type: i.spec.type,
    ip: i.spec.ips?.join(',') ?? '',
    clusters: (i.status?.clusters ?? []).map((c) => c.cluster).join(','),
  };
}

async function list<T>(kc: KubeConfig, plural: string): Promise<T[]> {
  const r = await request(kc, 'GET', `/apis/${MCS_GROUP_VERSION}/${plural}`);
  return (r.body as { items?: T[] }).items ?? [];
}

/** listMCSRows reads the local exports and imports, sorted by namespace, name and role (none when
 * the MCS API is not installed or cannot be read). */
export async function listMCSRows(kc: KubeConfig): Promise<MCSRow[]> {
  const [exports, imports] = await Promise.all([
    list<ServiceExport>(kc, SERVICE_EXPORTS.plural).catch(() => []),
    list<ServiceImport>(kc, SERVICE_IMPORTS.plural).catch(() => []),
  ]);
  const key = (r: MCSRow): string => `${r.namespace}/${r.name}/${r.role}`;
  return [...exports.map(exportRow), ...imports.map(importRow)].sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

const cut = (s: string | undefined, n: number): string | undefined =>
  s && s.length > n ? `${s.slice(0, n - 3)}...` : s;
const dash = (s: string): string => s || '-';

/** mcsColumns are the MCS table's columns; wide shows the full problem. */
export function mcsColumns(wide: boolean): Column<MCSRow>[] {
  return [
    { header: 'namespace', get: (r) => r.namespace },
    { header: 'service', get: (r) => r.name },
    { header: 'mcs', get: (r) => r.role },
    { header: 'type', get: (r) => dash(r.type) },
    { header: 'ip', get: (r) => dash(r.ip) },
    { header: 'from', get: (r) => dash(r.clusters) },
    { header: 'valid', get: (r) => dash(r.valid) },
    { header: 'ready', get: (r) => dash(r.ready) },
    { header: 'conflict', get: (r) => dash(r.conflict) },
    { header: 'problem', get: (r) => (wide ? r.problem : cut(r.problem, 60)) },
  ];
}
