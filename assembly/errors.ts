// errors.ts: the core's error messages, defined once, and the parse-error state read by core/.
// Messages are plain module constants: top-level decorators (@lazy) would not survive prettier.
// AssemblyScript has no exceptions, so the parser records the first error here and returns null.

export const E_UNEXPECTED_CHAR: string = 'unexpected character';
export const E_LONE_EQ: string = "expected '==' (a single '=' is not an operator)";
export const E_LONE_AMP: string = "expected '&&' (a single '&' is not an operator)";
export const E_LONE_PIPE: string = "expected '||' (a single '|' is not an operator)";
export const E_UNTERMINATED: string = 'unterminated string literal: add the closing quote';
export const E_LABEL_TOO_LONG: string = 'label too long (at most 512 characters)';
export const E_EXPECTED_LABEL: string = 'expected a label inside has(), e.g. has(app)';
export const E_EXPECTED_RPAREN_FN: string = "expected ')' to close the function call";
export const E_EXPECTED_OPERATOR: string =
  'expected operator after label: one of ==, !=, in, not in, contains, starts with, ends with';
export const E_EXPECTED_STRING: string = 'expected a quoted string after the operator, e.g. app == "web"';
export const E_EXPECTED_SET: string = 'expected a set after in/not in, e.g. app in {"a", "b"}';
export const E_EXPECTED_SET_ITEM: string = "expected a quoted string or '}' in the set";
export const E_EXPECTED_SET_SEP: string = "expected ',' or '}' after a set item";
export const E_EXPECTED_RPAREN: string = "expected ')' to close the group";
export const E_STRING_ON_LEFT: string =
  'a string literal cannot start an expression: put the label on the left, e.g. app == "web"';
export const E_UNEXPECTED_END: string = 'unexpected end of selector: expected an expression';
export const E_EXPECTED_EXPR: string =
  "expected an expression: a label comparison, has(), all(), global(), '!' or '('";
export const E_TOO_DEEP: string =
  'selector nested too deeply: &&, || and ! nest at most 512 levels (parentheses alone do not count)';
export const E_TRAILING: string = 'unexpected content at end of selector: join expressions with && or ||';

/** MAX_LENGTH is the longest selector the core parses, in characters (core/ checks UTF-8 bytes
 * against the same number first, so this is a backstop). Every cost of a selector (parse,
 * canonical form, restrictions, memory) is linear or n log n in its length below this bound. */
export const MAX_LENGTH: i32 = 64 * 1024;
/** MAX_TERMS is the most terms (label comparisons, has(), all(), global()) a selector may have:
 * evaluating a selector against one endpoint visits at most this many leaves. */
export const MAX_TERMS: i32 = 4096;

/** Limit lists what a too-large selector exceeded (errorLimit; 0 for ordinary syntax errors). */
export const enum Limit {
  None = 0,
  Length = 1,
  Terms = 2,
}

/** errorLimit is the limit the last parse exceeded, or Limit.None. */
export let errorLimit: i32 = Limit.None;
/** errorActual is the size the last parse measured against errorLimit. */
export let errorActual: i32 = 0;

/** failLimit records that the selector exceeds a size limit (its size is actual) and returns false. */
export function failLimit(limit: i32, actual: i32): bool {
  const max = limit == Limit.Length ? MAX_LENGTH : MAX_TERMS;
  const what = limit == Limit.Length ? ' characters' : ' terms';
  fail(0, 'selector too large: ' + actual.toString() + what + ', at most ' + max.toString() + what);
  errorLimit = limit;
  errorActual = actual;
  return false;
}

/** errorPos is the character offset of the last parse error, or -1. */
export let errorPos: i32 = -1;
/** errorMsg is the message of the last parse error. */
export let errorMsg: string = '';

/** fail records a parse error at pos (only the first error of a parse is kept) and returns false. */
export function fail(pos: i32, msg: string): bool {
  if (errorPos < 0) {
    errorPos = pos;
    errorMsg = msg;
  }
  return false;
}

/** resetError clears the error state before a new parse. */
export function resetError(): void {
  errorPos = -1;
  errorMsg = '';
  errorLimit = Limit.None;
  errorActual = 0;
}
