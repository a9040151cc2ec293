#!/usr/bin/env node
// image-files.mjs OUT: writes the files of the fedmesh image, all but the Node runtime, under OUT.
// The Containerfile runs it in its build stage, and the tests run it to build the same image from
// files (test/images/fedmesh-image.ts), so both ship the same content:
//   /opt/fedmesh/          what `npm pack` ships (package.json "files": dist/, manifests/,
//                          openapi/*.yaml, the bin launchers) plus the production node_modules
//   /usr/local/bin/NAME    one launcher per package.json "bin" entry, run by /nodejs/bin/node
//                          (where the distroless Node image has it), so `command: [NAME]` works
//                          in an image without a shell or /usr/bin/env; but fedmesh-cni is the
//                          standalone executable (npm run build:cni): its installer copies it to
//                          the host, where the container runtime runs it without any Node
//   /usr/sbin/{ip,bridge,nft,conntrack}  the tools fedmesh-node programs the kernel with, taken
//                          from PATH (iproute2, nftables, conntrack), with every library they link
// Needs a built checkout (npm run build, npm run build:cni); dev dependencies may be installed,
// they are left out.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { copyPackage, pkg as readPkg, root } from './package-files.mjs';

const APP = '/opt/fedmesh'; // where the package lives in the image
const NODE = '/nodejs/bin/node'; // the Node runtime of the distroless base
const TOOLS = ['ip', 'bridge', 'nft', 'conntrack']; // fedmesh-node runs them (node/dataplane/exec.ts)
// Executables that run on the host, not in the image: built standalone, copied as they are.
const STANDALONE = { 'fedmesh-cni': '.cache/dist/fedmesh-cni' };

// place copies the file src resolves to (libraries are often symlinks) to dest under out.
function place(out, src, dest = src) {
  mkdirSync(dirname(join(out, dest)), { recursive: true });
  copyFileSync(realpathSync(src), join(out, dest));
  chmodSync(join(out, dest), 0o755);
}

/** copyWithLibraries copies an executable to /usr/sbin/NAME and every library ldd lists for it. */
function copyWithLibraries(out, name) {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (!found)
    throw new Error(
      `${name} is not on PATH; fedmesh-node needs it (install iproute2, nftables and conntrack)`,
    );
  place(out, found, `/usr/sbin/${name}`);
  const ldd = spawnSync('ldd', [found], { encoding: 'utf8' }).stdout;
  for (const m of ldd.matchAll(/(?:=> )?(\/\S+) \(0x/g)) place(out, m[1]);
}

function main(out) {
  if (!out) throw new Error('usage: image-files.mjs OUT');
  const app = join(out, APP);
  const pkg = readPkg();
  copyPackage(app);
  mkdirSync(join(out, 'usr/local/bin'), { recursive: true });
  for (const [name, path] of Object.entries(pkg.bin ?? {})) {
    if (!existsSync(join(app, path))) cpSync(join(root, path), join(app, path));
    chmodSync(join(app, path), 0o755);
    const launcher = join(out, 'usr/local/bin', name);
    const standalone = STANDALONE[name] && join(root, STANDALONE[name]);
    if (standalone) {
      if (!existsSync(standalone))
        throw new Error(`${standalone} is missing: run npm run build:cni first (${name} runs on the host)`);
      place(out, standalone, `/usr/local/bin/${name}`);
      continue;
    }
    writeFileSync(
      launcher,
      `#!${NODE}\n// ${name}: runs ${APP}/${path} (package.json bin)\nimport('${APP}/${path}');\n`,
    );
    chmodSync(launcher, 0o755);
  }
  for (const t of TOOLS) copyWithLibraries(out, t);
  console.error(
    `image-files: ${APP}, ${TOOLS.join(', ')} and launchers for ${Object.keys(pkg.bin ?? {}).join(', ')} in ${out}`,
  );
}

try {
  main(process.argv[2]);
} catch (err) {
  console.error(`image-files: ${err.message}`);
  process.exit(1);
}
