// Type rules: TypeNode -> SqlType, implicit numeric widening (INTEGER -> BIGINT -> DECIMAL -> DOUBLE)
// and ksqlDB's DECIMAL precision/scale arithmetic.
import { SqlError } from '../errors.js'
import type { TypeNode } from '../parser/ast/types.js'
import { SqlTypes, formatType, typeEquals, type SqlType } from '../types/sql-type.js'
import { SqlDecimal } from '../types/decimal.js'

export function resolveType(node: TypeNode, named: (name: string) => SqlType | undefined): SqlType {
  switch (node.kind) {
    case 'PrimitiveType':
      return SqlTypes[node.name]
    case 'DecimalType':
      if (node.precision < 1 || node.scale < 0 || node.scale > node.precision) {
        throw new SqlError('TYPE_ERROR', `DECIMAL precision must be >= 1 and scale between 0 and the precision, got DECIMAL(${node.precision}, ${node.scale})`)
      }
      return SqlTypes.decimal(node.precision, node.scale)
    case 'ArrayType':
      return SqlTypes.array(resolveType(node.element, named))
    case 'MapType':
      return SqlTypes.map(resolveType(node.key, named), resolveType(node.value, named))
    case 'StructType':
      return SqlTypes.struct(node.fields.map((f) => ({ name: f.name, type: resolveType(f.type, named) })))
    case 'NamedType': {
      const t = named(node.name)
      if (t === undefined) throw new SqlError('UNKNOWN_TYPE', `Cannot resolve unknown type: ${node.name}`)
      return t
    }
  }
}

const NUMERIC_RANK: Partial<Record<SqlType['kind'], number>> = { INTEGER: 1, BIGINT: 2, DECIMAL: 3, DOUBLE: 4 }

/** The DECIMAL an integer widens to: INT -> DECIMAL(10, 0), BIGINT -> DECIMAL(19, 0). */
export function toDecimalType(t: SqlType): { precision: number; scale: number } {
  if (t.kind === 'DECIMAL') return { precision: t.precision, scale: t.scale }
  if (t.kind === 'INTEGER') return { precision: 10, scale: 0 }
  if (t.kind === 'BIGINT') return { precision: 19, scale: 0 }
  throw new SqlError('TYPE_ERROR', `${formatType(t)} is not an exact numeric type`)
}

/** Whether `from` can be used where `to` is expected without an explicit CAST. */
export function canWiden(from: SqlType, to: SqlType): boolean {
  if (from.kind === 'NULL') return true
  if (typeEquals(from, to)) return true
  const a = NUMERIC_RANK[from.kind]
  const b = NUMERIC_RANK[to.kind]
  if (a !== undefined && b !== undefined) return a <= b
  if (from.kind === 'ARRAY' && to.kind === 'ARRAY') return canWiden(from.element, to.element)
  if (from.kind === 'MAP' && to.kind === 'MAP') return canWiden(from.key, to.key) && canWiden(from.value, to.value)
  return false
}

/** The common type of several (CASE branches, IN lists, array items), or null if none. */
export function commonType(types: readonly SqlType[]): SqlType | null {
  let out: SqlType = SqlTypes.NULL
  for (const t of types) {
    if (t.kind === 'NULL') continue
    if (out.kind === 'NULL') {
      out = t
      continue
    }
    if (canWiden(t, out)) {
      if (out.kind === 'DECIMAL' && (t.kind === 'DECIMAL' || t.kind === 'INTEGER' || t.kind === 'BIGINT')) out = widerDecimal(out, t)
      continue
    }
    if (canWiden(out, t)) {
      out = t.kind === 'DECIMAL' ? widerDecimal(t, out) : t
      continue
    }
    return null
  }
  return out
}

function widerDecimal(a: SqlType, b: SqlType): SqlType {
  const x = toDecimalType(a)
  const y = toDecimalType(b)
  const scale = Math.max(x.scale, y.scale)
  return SqlTypes.decimal(Math.max(x.precision - x.scale, y.precision - y.scale) + scale, scale)
}

/** Result type of + - * / % over two numeric types, as ksqlDB computes it. */
export function arithmeticType(op: string, a: SqlType, b: SqlType): SqlType | null {
  const ra = NUMERIC_RANK[a.kind]
  const rb = NUMERIC_RANK[b.kind]
  if (ra === undefined || rb === undefined) return null
  const r = Math.max(ra, rb)
  if (r === 1) return SqlTypes.INTEGER
  if (r === 2) return SqlTypes.BIGINT
  if (r === 4) return SqlTypes.DOUBLE
  const x = toDecimalType(a)
  const y = toDecimalType(b)
  let precision: number
  let scale: number
  switch (op) {
    case '+':
    case '-':
      scale = Math.max(x.scale, y.scale)
      precision = Math.max(x.precision - x.scale, y.precision - y.scale) + scale + 1
      break
    case '*':
      precision = x.precision + y.precision + 1
      scale = x.scale + y.scale
      break
    case '/':
      scale = Math.max(6, x.scale + y.precision + 1)
      precision = x.precision - x.scale + y.scale + scale
      break
    default:
      scale = Math.max(x.scale, y.scale)
      precision = Math.min(x.precision - x.scale, y.precision - y.scale) + scale
  }
  return SqlTypes.decimal(Math.min(precision, 38), Math.min(scale, 38))
}

/** A converter from values of `from` to values of `to` (numeric widening); identity where none is needed. */
export function widener(from: SqlType, to: SqlType): ((v: unknown) => unknown) | null {
  if (from.kind === to.kind && from.kind !== 'DECIMAL') return null
  if (to.kind === 'DOUBLE') {
    if (from.kind === 'DECIMAL') return (v) => (v === null ? null : (v as SqlDecimal).toNumber())
    return null
  }
  if (to.kind === 'DECIMAL') {
    const scale = to.scale
    if (from.kind === 'DECIMAL') return from.scale === scale ? null : (v) => (v === null ? null : (v as SqlDecimal).setScale(scale))
    if (from.kind === 'INTEGER' || from.kind === 'BIGINT') return (v) => (v === null ? null : new SqlDecimal(BigInt(v as number), 0).setScale(scale))
  }
  return null
}
