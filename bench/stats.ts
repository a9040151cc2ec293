// stats.ts: timing helpers and the table every core benchmark prints (median and spread of
// repeated runs, beside a brute-force baseline measured in the same run).

/** Row is one benchmark line: samples of ours and of the baseline, in the row's unit. */
export interface Row {
  name: string;
  unit: string;
  ours: number[];
  base: number[];
  baseline: string;
  /** higher marks a rate (higher is better): speedup is then ours / baseline. */
  higher?: boolean;
}

/** time returns the milliseconds fn takes. */
export function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** repeat runs fn `runs` times and returns each run's value. */
export function repeat(runs: number, fn: () => number): number[] {
  return Array.from({ length: runs }, fn);
}

/** quantile returns the q-quantile (0..1) of xs. */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

function fmt(x: number): string {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 0.01) return x.toFixed(2);
  return x.toPrecision(2);
}

// cellOf shows the median and the spread (min-max of the runs), or the value of a single run.
function cellOf(xs: number[]): string {
  if (xs.length === 0) return '-';
  const med = quantile(xs, 0.5);
  if (xs.length === 1) return fmt(med);
  return `${fmt(med)} (${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))})`;
}

/** printTable prints the rows as an aligned text table. */
export function printTable(rows: Row[]): void {
  const head = [
    'benchmark',
    'unit',
    'fedmesh core: median (min-max)',
    'baseline: median (min-max)',
    'speedup',
    'baseline',
  ];
  const body = rows.map((r) => {
    const [o, b] = [quantile(r.ours, 0.5), quantile(r.base, 0.5)];
    const speed = r.base.length && r.ours.length ? (r.higher ? o / b : b / o) : NaN;
    return [
      r.name,
      r.unit,
      cellOf(r.ours),
      cellOf(r.base),
      Number.isNaN(speed) ? '-' : `${fmt(speed)}x`,
      r.baseline,
    ];
  });
  const all = [head, ...body];
  const w = head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  for (const row of all)
    console.log(row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(w[i]! + 2))).join(''));
}
