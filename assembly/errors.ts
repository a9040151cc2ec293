// errors.ts: the core's error messages, defined once, and the parse-error state read by core/.
// AssemblyScript has no exceptions, so the parser records the first error here and returns null.

// @ts-ignore: decorator
@lazy export const E_UNEXPECTED_CHAR: string = "unexpected character";
// @ts-ignore: decorator
@lazy export const E_LONE_EQ: string = "expected '==' (a single '=' is not an operator)";
// @ts-ignore: decorator
@lazy export const E_LONE_AMP: string = "expected '&&' (a single '&' is not an operator)";
// @ts-ignore: decorator
@lazy export const E_LONE_PIPE: string = "expected '||' (a single '|' is not an operator)";
// @ts-ignore: decorator
@lazy export const E_UNTERMINATED: string = "unterminated string literal: add the closing quote";
// @ts-ignore: decorator
@lazy export const E_LABEL_TOO_LONG: string = "label too long (at most 512 characters)";
// @ts-ignore: decorator
@lazy export const E_EXPECTED_LABEL: string = "expected a label inside has(), e.g. has(app)";
// @ts-ignore: decorator
@lazy export const E_EXPECTED_RPAREN_FN: string = "expected ')' to close the function call";
// @ts-ignore: decorator
@lazy export const E_EXPECTED_OPERATOR: string =
  "expected operator after label: one of ==, !=, in, not in, contains, starts with, ends with";
// @ts-ignore: decorator
@lazy export const E_EXPECTED_STRING: string =
  "expected a quoted string after the operator, e.g. app == \"web\"";
// @ts-ignore: decorator
@lazy export const E_EXPECTED_SET: string = "expected a set after in/not in, e.g. app in {\"a\", \"b\"}";
// @ts-ignore: decorator
@lazy export const E_EXPECTED_SET_ITEM: string = "expected a quoted string or '}' in the set";
// @ts-ignore: decorator
@lazy export const E_EXPECTED_SET_SEP: string = "expected ',' or '}' after a set item";
// @ts-ignore: decorator
@lazy export const E_EXPECTED_RPAREN: string = "expected ')' to close the group";
// @ts-ignore: decorator
@lazy export const E_STRING_ON_LEFT: string =
  "a string literal cannot start an expression: put the label on the left, e.g. app == \"web\"";
// @ts-ignore: decorator
@lazy export const E_UNEXPECTED_END: string = "unexpected end of selector: expected an expression";
// @ts-ignore: decorator
@lazy export const E_EXPECTED_EXPR: string =
  "expected an expression: a label comparison, has(), all(), global(), '!' or '('";
// @ts-ignore: decorator
@lazy export const E_TRAILING: string = "unexpected content at end of selector: join expressions with && or ||";
// @ts-ignore: decorator
@lazy export const E_TOO_DEEP: string = "selector nested too deeply (at most 200 levels of parentheses)";

/** errorPos is the character offset of the last parse error, or -1. */
export let errorPos: i32 = -1;
/** errorMsg is the message of the last parse error. */
export let errorMsg: string = "";

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
  errorMsg = "";
}
