// install.ts: the CNI installer (the DaemonSet's init container): appends fedmesh-cni to the node's
// existing conflist (the one the runtime uses: the first by name) without disturbing the plugins
// before it, and removes it on uninstall. Files are replaced by rename, so a runtime never reads a
// half-written conflist.
import { chmodSync, copyFileSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** PLUGIN_TYPE is fedmesh-cni's plugin type (its executable's name in the CNI bin folder). */
export const PLUGIN_TYPE = 'fedmesh-cni';

/** InstallOptions say where and what to install. */
export interface InstallOptions {
  confDir: string;
  /** socket of fedmesh-node, written into the plugin entry when not the default. */
  socket?: string;
  /** mtu, written into the plugin entry when set (otherwise fedmesh-node's is used). */
  mtu?: number;
  /** binary to copy to binDir/fedmesh-cni. */
  binary?: string;
  binDir?: string;
}

interface Conflist {
  plugins?: { type?: string }[];
  [key: string]: unknown;
}

/** activeConflist is the conflist the runtime loads: the first .conflist of confDir by name. */
export function activeConflist(confDir: string): string {
  const names = readdirSync(confDir)
    .filter((n) => /\.(conflist|conf|json)$/.test(n))
    .sort();
  const first = names[0];
  if (!first) throw new Error(`no CNI network configuration in ${confDir}: install the primary CNI first`);
  if (!first.endsWith('.conflist'))
    throw new Error(
      `${join(confDir, first)} is a single-plugin .conf; fedmesh-cni chains only into a .conflist`,
    );
  return join(confDir, first);
}

/** install adds (or updates) fedmesh-cni as the last plugin of the active conflist; returns its path. */
export function install(o: InstallOptions): string {
  if (o.binary && o.binDir) {
    const dst = join(o.binDir, PLUGIN_TYPE);
    copyFileSync(o.binary, `${dst}.tmp`);
    chmodSync(`${dst}.tmp`, 0o755);
    renameSync(`${dst}.tmp`, dst);
  }
  const file = activeConflist(o.confDir);
  const list = read(file);
  const entry: Record<string, unknown> = { type: PLUGIN_TYPE };
  if (o.socket) entry.socket = o.socket;
  if (o.mtu) entry.mtu = o.mtu;
  const plugins = (list.plugins ?? []).filter((p) => p.type !== PLUGIN_TYPE);
  write(file, { ...list, plugins: [...plugins, entry] });
  return file;
}

/** uninstall removes fedmesh-cni from the active conflist; returns its path. */
export function uninstall(confDir: string): string {
  const file = activeConflist(confDir);
  const list = read(file);
  const plugins = list.plugins ?? [];
  if (plugins.some((p) => p.type === PLUGIN_TYPE))
    write(file, { ...list, plugins: plugins.filter((p) => p.type !== PLUGIN_TYPE) });
  return file;
}

function read(file: string): Conflist {
  const v = JSON.parse(readFileSync(file, 'utf8')) as Conflist;
  if (!Array.isArray(v.plugins)) throw new Error(`${file} has no "plugins" list`);
  return v;
}

function write(file: string, list: Conflist): void {
  const tmp = `${file}.fedmesh-tmp`; // not a .conflist: the runtime ignores it meanwhile
  writeFileSync(tmp, JSON.stringify(list, null, 2) + '\n');
  renameSync(tmp, file);
}
