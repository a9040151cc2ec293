// standalone.ts: the entry of fedmesh-cni's standalone executable (a Node single executable
// application built by scripts/build-cni.mjs), which runs on hosts without Node. The blob is
// CommonJS, so no top-level await here.
import { main } from './main.js';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
