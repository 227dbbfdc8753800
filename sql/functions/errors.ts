// The function library's error: thrown when a call does not resolve, a definition is bad,
// or a function fails on its arguments. Shaped like the SQL layer's error (code, field,
// position) so the analyzer can rethrow it with the call's line and column.

export type FunctionErrorCode =
  /** No function by that name. */
  | 'UNKNOWN_FUNCTION'
  /** The function exists but no signature accepts the argument types. */
  | 'NO_MATCHING_SIGNATURE'
  /** A user-defined function is malformed or clashes with an existing name. */
  | 'INVALID_FUNCTION'
  /** A literal argument is out of range (TOPK(x, 0), an unknown time unit, a bad pattern). */
  | 'INVALID_ARGUMENT'
  /** The function failed on a record's values. */
  | 'FUNCTION_ERROR'

export class FunctionError extends Error {
  override readonly name = 'FunctionError'
  /** Set by the analyzer when it knows where the call is; the library never does. */
  readonly position: { readonly line: number; readonly column: number } | null = null

  constructor(
    readonly code: FunctionErrorCode,
    message: string,
    /** The function's name, upper case. */
    readonly field: string | null = null,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
  }
}
