// index.ts: entry of the fedmesh WebAssembly core. Exports are added by the core modules.

/** version returns the core's ABI version, checked by core/ when it loads the module. */
export function version(): i32 {
  return 1;
}
