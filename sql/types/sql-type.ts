// SQL types as ksqlDB names them. This file is the contract between the SQL pipeline
// (parser, analyzer, planner, formats) and the function library: both speak SqlType.
//
// Runtime values (what expressions, functions, formats and stores exchange):
//   BOOLEAN   boolean
//   INTEGER   number (32-bit range)
//   BIGINT    number (exact up to Number.MAX_SAFE_INTEGER; JSON input cannot carry more anyway)
//   DOUBLE    number
//   DECIMAL   SqlDecimal (exact; never a JS float)
//   STRING    string
//   BYTES     Buffer
//   DATE      number: days since 1970-01-01
//   TIME      number: milliseconds since midnight
//   TIMESTAMP number: milliseconds since the epoch, UTC
//   ARRAY     unknown[] (elements may be null)
//   MAP       Map<unknown, unknown> (keys are values of the key type)
//   STRUCT    a plain object keyed by field name as declared (values may be null)
//   any type  null for SQL NULL; undefined never appears.

export interface StructField {
  readonly name: string
  readonly type: SqlType
}

export type SqlType =
  | { readonly kind: 'BOOLEAN' }
  | { readonly kind: 'INTEGER' }
  | { readonly kind: 'BIGINT' }
  | { readonly kind: 'DOUBLE' }
  | { readonly kind: 'DECIMAL'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'STRING' }
  | { readonly kind: 'BYTES' }
  | { readonly kind: 'DATE' }
  | { readonly kind: 'TIME' }
  | { readonly kind: 'TIMESTAMP' }
  | { readonly kind: 'ARRAY'; readonly element: SqlType }
  | { readonly kind: 'MAP'; readonly key: SqlType; readonly value: SqlType }
  | { readonly kind: 'STRUCT'; readonly fields: readonly StructField[] }
  /** The type of a bare NULL literal before it is coerced to the type its position needs. */
  | { readonly kind: 'NULL' }

export type SqlTypeKind = SqlType['kind']

export const SqlTypes = {
  BOOLEAN: { kind: 'BOOLEAN' } as SqlType,
  INTEGER: { kind: 'INTEGER' } as SqlType,
  BIGINT: { kind: 'BIGINT' } as SqlType,
  DOUBLE: { kind: 'DOUBLE' } as SqlType,
  STRING: { kind: 'STRING' } as SqlType,
  BYTES: { kind: 'BYTES' } as SqlType,
  DATE: { kind: 'DATE' } as SqlType,
  TIME: { kind: 'TIME' } as SqlType,
  TIMESTAMP: { kind: 'TIMESTAMP' } as SqlType,
  NULL: { kind: 'NULL' } as SqlType,
  decimal: (precision: number, scale: number): SqlType => ({ kind: 'DECIMAL', precision, scale }),
  array: (element: SqlType): SqlType => ({ kind: 'ARRAY', element }),
  map: (key: SqlType, value: SqlType): SqlType => ({ kind: 'MAP', key, value }),
  struct: (fields: readonly StructField[]): SqlType => ({ kind: 'STRUCT', fields }),
} as const

/** ksqlDB's spelling of a type, as DESCRIBE prints it: `DECIMAL(4, 2)`, `ARRAY<STRING>`, ``STRUCT<`A` INTEGER>``. */
export function formatType(type: SqlType): string {
  switch (type.kind) {
    case 'DECIMAL':
      return `DECIMAL(${type.precision}, ${type.scale})`
    case 'ARRAY':
      return `ARRAY<${formatType(type.element)}>`
    case 'MAP':
      return `MAP<${formatType(type.key)}, ${formatType(type.value)}>`
    case 'STRUCT':
      return `STRUCT<${type.fields.map((f) => `\`${f.name}\` ${formatType(f.type)}`).join(', ')}>`
    default:
      return type.kind
  }
}

export function typeEquals(a: SqlType, b: SqlType): boolean {
  if (a.kind !== b.kind) return false
  switch (a.kind) {
    case 'DECIMAL':
      return b.kind === 'DECIMAL' && a.precision === b.precision && a.scale === b.scale
    case 'ARRAY':
      return b.kind === 'ARRAY' && typeEquals(a.element, b.element)
    case 'MAP':
      return b.kind === 'MAP' && typeEquals(a.key, b.key) && typeEquals(a.value, b.value)
    case 'STRUCT': {
      if (b.kind !== 'STRUCT' || a.fields.length !== b.fields.length) return false
      return a.fields.every((f, i) => {
        const g = b.fields[i]
        return g !== undefined && f.name === g.name && typeEquals(f.type, g.type)
      })
    }
    default:
      return true
  }
}

export function isNumeric(type: SqlType): boolean {
  return type.kind === 'INTEGER' || type.kind === 'BIGINT' || type.kind === 'DECIMAL' || type.kind === 'DOUBLE'
}
