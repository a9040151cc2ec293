// merge.ts: what the exports of one Service across the mesh become (pure): which exports are valid,
// the import's type, ports (the union by name and protocol) and session affinity, and the
// conflicts. Conflicts are resolved oldest-export-wins (ServiceExport creationTimestamp, ties
// broken by cluster name), as KEP-1645 asks; every export of a conflicting Service reports them.
import type { ImportPort, ServiceImportType } from '../../../api/index.js';
import type { MeshExport, MeshService } from '../../mesh/kinds/compact.js';

/** Exported is one cluster's export with its Service (absent when the Service does not exist). */
export interface Exported {
  export: MeshExport;
  service: MeshService | undefined;
}

/** Validity is the Valid condition of one export. */
export type Validity =
  { valid: true } | { valid: false; reason: 'NoService' | 'InvalidServiceType'; message: string };

/** Conflict is the Conflict condition every export of a Service reports. */
export interface Conflict {
  /** reasons are upstream's (PortConflict, TypeConflict, SessionAffinityConflict, ...). */
  reasons: string[];
  message: string;
}

/** Merged is the import the valid exports make. */
export interface Merged {
  type: ServiceImportType;
  ports: ImportPort[];
  sessionAffinity: 'None' | 'ClientIP';
  timeoutSeconds?: number;
  /** clusters are the clusters with a valid export, sorted. */
  clusters: string[];
  /** winner is the cluster of the oldest valid export. */
  winner: string;
  conflict?: Conflict;
}

/** validity says whether an export can be exported (upstream: no Service, ExternalName). */
export function validity(e: Exported): Validity {
  const { namespace, name, cluster } = e.export;
  if (!e.service)
    return {
      valid: false,
      reason: 'NoService',
      message: `Service ${namespace}/${name} does not exist in cluster ${cluster}`,
    };
  if (e.service.type === 'ExternalName')
    return {
      valid: false,
      reason: 'InvalidServiceType',
      message: `Service ${namespace}/${name} is of type ExternalName, which cannot be exported`,
    };
  return { valid: true };
}

/** oldestFirst orders exports by creationTimestamp, then cluster name. */
export function oldestFirst<T extends { export: MeshExport }>(list: readonly T[]): T[] {
  const key = (e: T): string => `${e.export.created}\u0000${e.export.cluster}`;
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const typeOf = (s: MeshService): ServiceImportType => (s.clusterIP === 'None' ? 'Headless' : 'ClusterSetIP');
const portText = (p: ImportPort): string => `${p.port}/${p.protocol ?? 'TCP'}`;
const portName = (p: { name?: string }): string => JSON.stringify(p.name ?? '');
const appProtocol = (p: ImportPort): string => (p.appProtocol ? JSON.stringify(p.appProtocol) : 'none');

interface PortMerge {
  ports: ImportPort[];
  problems: string[];
}

/** mergePorts takes the union of ports by name and protocol, oldest first; a port whose name, or
 * number and protocol, an older export already uses differently (or with another appProtocol) is
 * left out and reported. */
export function mergePorts(exports: readonly { cluster: string; ports: readonly ImportPort[] }[]): PortMerge {
  const ports: ImportPort[] = [];
  const problems: string[] = [];
  const byName = new Map<string, { port: ImportPort; cluster: string }>();
  const byNumber = new Map<string, { port: ImportPort; cluster: string }>();
  for (const { cluster, ports: own } of exports) {
    for (const p of own) {
      const named = byName.get(p.name ?? '');
      const numbered = byNumber.get(portText(p));
      if (named) {
        if (portText(named.port) !== portText(p))
          problems.push(
            `port ${portName(p)} is ${portText(named.port)} in cluster ${named.cluster} but ${portText(p)} in cluster ${cluster}`,
          );
        else if ((named.port.appProtocol ?? '') !== (p.appProtocol ?? ''))
          problems.push(
            `port ${portName(p)} has appProtocol ${appProtocol(named.port)} in cluster ${named.cluster} but ${appProtocol(p)} in cluster ${cluster}`,
          );
        continue;
      }
      if (numbered) {
        problems.push(
          `port ${portText(p)} is named ${portName(numbered.port)} in cluster ${numbered.cluster} but ${portName(p)} in cluster ${cluster}`,
        );
        continue;
      }
      const entry = { port: p, cluster };
      byName.set(p.name ?? '', entry);
      byNumber.set(portText(p), entry);
      ports.push(p);
    }
  }
  return { ports, problems };
}

const importPorts = (s: MeshService): ImportPort[] =>
  s.ports.map((p) => ({
    ...(p.name ? { name: p.name } : {}),
    protocol: p.protocol,
    ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
    port: p.port,
  }));

/** mergeExports merges the valid exports of one Service (at least one), oldest export winning. */
export function mergeExports(valid: readonly Exported[]): Merged {
  const ordered = oldestFirst(valid);
  const first = ordered[0]!;
  const win = first.service!;
  const winner = first.export.cluster;
  const disagree = (f: (s: MeshService) => string): string[] =>
    ordered.filter((e) => f(e.service!) !== f(win)).map((e) => e.export.cluster);
  const reasons: string[] = [];
  const messages: string[] = [];
  const note = (reason: string, clusters: string[], what: string): void => {
    if (clusters.length === 0) return;
    reasons.push(reason);
    messages.push(
      `${what} of the oldest export (cluster ${winner}) is used; clusters ${clusters.join(', ')} disagree`,
    );
  };
  const { ports, problems } = mergePorts(
    ordered.map((e) => ({ cluster: e.export.cluster, ports: importPorts(e.service!) })),
  );
  if (problems.length) {
    reasons.push('PortConflict');
    messages.push(`${problems.join('; ')}: the port of the oldest export (cluster ${winner}) is used`);
  }
  note('TypeConflict', disagree(typeOf), `the type ${typeOf(win)}`);
  const affinity = (s: MeshService): string => (s.affinity ? 'ClientIP' : 'None');
  note('SessionAffinityConflict', disagree(affinity), `session affinity ${affinity(win)}`);
  const timeout = (s: MeshService): string => (s.affinity ? String(s.affinity.timeoutSeconds ?? 10800) : '-');
  if (!reasons.includes('SessionAffinityConflict'))
    note('SessionAffinityConfigConflict', disagree(timeout), `the session affinity timeout ${timeout(win)}s`);
  const merged: Merged = {
    type: typeOf(win),
    ports,
    sessionAffinity: win.affinity ? 'ClientIP' : 'None',
    clusters: ordered.map((e) => e.export.cluster).sort(),
    winner,
  };
  if (win.affinity?.timeoutSeconds !== undefined) merged.timeoutSeconds = win.affinity.timeoutSeconds;
  if (reasons.length) merged.conflict = { reasons, message: messages.join('. ') };
  return merged;
}
