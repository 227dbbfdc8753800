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

  /** A format's "not yet" (a schema being fetched): the query's runtime holds the record until this settles (see streams' Deserializer). */
  readonly retryAfter: Promise<unknown> | undefined

  constructor(code: SqlErrorCode, message: string, options: { position?: SourcePosition | null; field?: string; cause?: unknown; retryAfter?: Promise<unknown> } = {}) {
    const pos = options.position ?? null
    super(pos === null ? message : `line ${pos.line}:${pos.column}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.position = pos
    this.field = options.field ?? null
    this.retryAfter = options.retryAfter
  }
}
