// The SQL layer's one error type: a stable code, where in the statement text it applies
// (line and column, 1-based) and, for analysis errors, the field concerned.

export type SqlErrorCode =
  | 'PARSE_ERROR'
  | 'UNKNOWN_SOURCE'
  | 'UNKNOWN_COLUMN'
  | 'UNKNOWN_TYPE'
  | 'TYPE_ERROR'
  | 'FUNCTION_ERROR'
  | 'INVALID_STATEMENT'
  | 'SOURCE_EXISTS'
  | 'SOURCE_IN_USE'
  | 'UNKNOWN_QUERY'
  | 'INVALID_PROPERTY'
  | 'UNSUPPORTED'
  | 'SERDE_ERROR'
  | 'EXECUTION_ERROR'

export interface SourcePosition {
  readonly line: number
  readonly column: number
}

export class SqlError extends Error {
  override readonly name = 'SqlError'
  readonly code: SqlErrorCode
  readonly position: SourcePosition | null
  readonly field: string | null

  constructor(code: SqlErrorCode, message: string, options: { position?: SourcePosition | null; field?: string; cause?: unknown } = {}) {
    const pos = options.position ?? null
    super(pos === null ? message : `line ${pos.line}:${pos.column}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.position = pos
    this.field = options.field ?? null
  }
}
