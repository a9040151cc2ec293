// selectors.ts: Kubernetes label selectors (`a=b,c in (x,y),!d`) translated to the Calico selector
// language, so the WASM core evaluates them like every other selector; and field selectors.
import { badRequest } from '../status.js';

const TOKEN = /\s*(!=|==|=|!|\(|\)|,|[A-Za-z0-9_./-]+|\S)/y;

function tokenize(s: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < s.length && (m = TOKEN.exec(s))) out.push(m[1]!);
  return out;
}

const isIdent = (t: string | undefined): boolean => t !== undefined && /^[A-Za-z0-9_./-]+$/.test(t);
const quote = (v: string): string => `"${v}"`;
const fail = (msg: string): never => {
  throw badRequest(`unable to parse requirement: ${msg}`);
};

function parseSet(toks: string[], i: number): [string[], number] {
  if (toks[i] !== '(') fail(`found '${toks[i] ?? ''}', expected: '('`);
  const values: string[] = [];
  i++;
  while (toks[i] !== ')') {
    const v = toks[i];
    if (v === ',' || v === undefined) fail(`found '${v ?? ''}', expected: value or ')'`);
    if (!isIdent(v)) fail(`invalid label value: "${v}"`);
    values.push(v as string);
    i++;
    if (toks[i] === ',') i++;
    else if (toks[i] !== ')') fail(`found '${toks[i] ?? ''}', expected: ',' or ')'`);
  }
  return [values, i + 1];
}

function parseEquality(key: string, op: string, toks: string[], i: number): [string, number] {
  const v = toks[i + 2];
  const cmp = op === '!=' ? '!=' : '==';
  // An empty value is valid: `a=` selects objects whose label a is "".
  if (v === undefined || v === ',') return [`${key} ${cmp} ""`, i + 2];
  if (!isIdent(v)) fail(`invalid label value: "${v}"`);
  return [`${key} ${cmp} ${quote(v)}`, i + 3];
}

function parseIn(key: string, op: string, toks: string[], i: number): [string, number] {
  const [values, next] = parseSet(toks, i + 2);
  if (values.length === 0) fail(`for '${op}' operator, values set can't be empty`);
  return [`${key} ${op === 'in' ? 'in' : 'not in'} {${values.map(quote).join(', ')}}`, next];
}

function parseRequirement(toks: string[], i: number): [string, number] {
  if (toks[i] === '!') {
    const key = toks[i + 1];
    if (!isIdent(key)) fail(`found '${key ?? ''}', expected: identifier after '!'`);
    return [`!has(${key})`, i + 2];
  }
  const key = toks[i];
  if (!isIdent(key)) fail(`found '${key ?? ''}', expected: identifier`);
  const op = toks[i + 1];
  if (op === undefined || op === ',') return [`has(${key})`, i + 1];
  if (op === '=' || op === '==' || op === '!=') return parseEquality(key!, op, toks, i);
  if (op === 'in' || op === 'notin') return parseIn(key!, op, toks, i);
  if (op === '>' || op === '<' || op === 'gt' || op === 'lt') {
    throw badRequest(
      `label selector operator "${op}" is not supported by federated.mesh; use =, !=, in, notin or exists`,
    );
  }
  return fail(`found '${op}', expected: '=', '!=', '==', 'in', notin'`);
}

/** labelSelectorToCalico translates a Kubernetes label selector; "" selects everything. */
export function labelSelectorToCalico(selector: string): string {
  const toks = tokenize(selector);
  const terms: string[] = [];
  let i = 0;
  while (i < toks.length) {
    const [term, next] = parseRequirement(toks, i);
    terms.push(term);
    i = next;
    if (i < toks.length) {
      if (toks[i] !== ',') fail(`found '${toks[i]}', expected: ','`);
      i++;
      if (i === toks.length) fail(`found '', expected: identifier`);
    }
  }
  return terms.length === 0 ? 'all()' : terms.join(' && ');
}

/** FieldRequirement is one term of a field selector. */
export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** parseFieldSelector parses `a=b,c!=d` and rejects fields not in allowed (400, as upstream). */
export function parseFieldSelector(selector: string, allowed: readonly string[]): FieldRequirement[] {
  const reqs: FieldRequirement[] = [];
  for (const raw of selector.split(',')) {
    const term = raw.trim();
    if (!term) continue;
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const field = m[1]!.trim();
    if (!allowed.includes(field)) {
      const only = allowed.map((f) => `"${f}"`).join(', ');
      throw badRequest(`"${field}" is not a known field selector: only ${only}`);
    }
    reqs.push({ field, op: m[2] === '!=' ? '!=' : '=', value: m[3]!.trim() });
  }
  return reqs;
}
