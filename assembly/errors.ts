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
export const E_TRAILING: string = 'unexpected content at end of selector: join expressions with && or ||';
export const E_TOO_DEEP: string = 'selector nested too deeply (at most 200 levels of parentheses)';

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
}
