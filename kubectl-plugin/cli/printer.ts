// printer.ts: the one printer behind -o: kubectl-style tables (uppercase headers, columns three
// spaces apart, <none> for empty, extra columns with wide), JSON and YAML.
import { stringify } from 'yaml';
import { usageError } from './errors.js';

/** OutputFormat is a -o value. */
export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';

/** Column is one table column: header, cell getter, and whether only -o wide shows it. */
export interface Column<T> {
  header: string;
  get: (item: T) => string | number | boolean | undefined;
  wide?: boolean;
}

/** parseOutput checks a -o value. */
export function parseOutput(v: string | undefined): OutputFormat {
  const f = v ?? 'table';
  if (f === 'table' || f === 'wide' || f === 'json' || f === 'yaml') return f;
  throw usageError(`unsupported output format ${JSON.stringify(f)}: use table, wide, json or yaml`);
}

/** Printer renders items in the chosen format to one sink. */
export class Printer {
  readonly #format: OutputFormat;
  readonly #write: (s: string) => void;

  constructor(format: OutputFormat, write: (s: string) => void) {
    this.#format = format;
    this.#write = write;
  }

  /** print renders one object (json/yaml as is) or a list (json/yaml as a kind: List). */
  print<T extends object>(items: T | T[], columns: Column<T>[]): void {
    const list = Array.isArray(items) ? items : [items];
    if (this.#format === 'json' || this.#format === 'yaml') {
      const doc = Array.isArray(items) ? { apiVersion: 'v1', kind: 'List', items } : items;
      this.#write(this.#format === 'json' ? JSON.stringify(doc, null, 2) + '\n' : stringify(doc));
      return;
    }
    this.#write(
      table(
        list,
        columns.filter((c) => this.#format === 'wide' || !c.wide),
      ),
    );
  }
}

/** table lays out rows kubectl style. */
export function table<T>(items: T[], columns: Column<T>[]): string {
  const rows = [
    columns.map((c) => c.header.toUpperCase()),
    ...items.map((it) => columns.map((c) => cell(c.get(it)))),
  ];
  const widths = columns.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]! + 3))).join(''))
      .join('\n') + '\n'
  );
}

function cell(v: string | number | boolean | undefined): string {
  return v === undefined || v === '' ? '<none>' : String(v);
}
