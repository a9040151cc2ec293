// testgen.ts: seeded generators of selectors, label sets and endpoints for the core's randomized
// tests and benchmarks (deterministic, so a failing seed can be replayed).

/** Rng is a small deterministic PRNG (mulberry32). */
export class Rng {
  #s: number;

  constructor(seed: number) {
    this.#s = seed >>> 0;
  }

  /** next returns a float in [0, 1). */
  next(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0;
    let t = this.#s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** int returns an integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** pick returns a random element of xs. */
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

/** KEYS are the label names the generators use (own and parent-style). */
export const KEYS = ['app', 'tier', 'version', 'pcns.team', 'env'];
/** VALUES are the label values the generators use (including the empty value). */
export const VALUES = ['web', 'db', 'v1', 'v2', '', 'a"b', "it's"];

function quote(rng: Rng, v: string): string {
  if (v.includes('"')) return `'${v}'`;
  if (v.includes("'")) return `"${v}"`;
  return rng.int(2) === 0 ? `"${v}"` : `'${v}'`;
}

function set(rng: Rng): string {
  const n = rng.int(3);
  const vs = Array.from({ length: n }, () => quote(rng, rng.pick(VALUES)));
  return `{${vs.join(rng.pick([',', ', ', ' ,\t']))}${n > 0 && rng.int(4) === 0 ? ',' : ''}}`;
}

/** randomLeaf returns one random operation of the language. */
export function randomLeaf(rng: Rng): string {
  const k = rng.pick(KEYS);
  const v = quote(rng, rng.pick(VALUES));
  switch (rng.int(11)) {
    case 0:
      return `${k} == ${v}`;
    case 1:
      return `${k}!=${v}`;
    case 2:
      return `${k} in ${set(rng)}`;
    case 3:
      return `${k} not in ${set(rng)}`;
    case 4:
      return `${k} contains ${v}`;
    case 5:
      return `${k} starts with ${v}`;
    case 6:
      return `${k} endswith ${v}`;
    case 7:
      return `has(${k})`;
    case 8:
      return rng.int(2) === 0 ? 'all()' : 'global()';
    default:
      return `${k} == ${v}`;
  }
}

/** randomSelector returns a random selector of up to the given depth. */
export function randomSelector(rng: Rng, depth = 3): string {
  if (depth === 0 || rng.int(3) === 0) return '!'.repeat(rng.int(3) === 0 ? rng.int(3) : 0) + randomLeaf(rng);
  const n = 2 + rng.int(2);
  const op = rng.pick([' && ', '||', ' || ', '&&']);
  const kids = Array.from({ length: n }, () => randomSelector(rng, depth - 1));
  const body = kids.join(op);
  return rng.int(3) === 0 ? `!(${body})` : `(${body})`;
}

/** randomLabels returns a random label map over KEYS and VALUES. */
export function randomLabels(rng: Rng, keys: readonly string[] = KEYS): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (rng.int(2) === 0) out[k] = rng.pick(VALUES);
  return out;
}
