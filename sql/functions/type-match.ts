// Matching argument types against parameter specs, as ksqlDB's UDF index does: exact types,
// NULL for anything, implicit numeric widening INTEGER -> BIGINT -> DECIMAL -> DOUBLE, type
// variables unified across arguments, collections matched element-wise.
import { SqlTypes, formatType, type SqlType } from '../types/sql-type.js'
import type { ParamSpec } from './registry-types.js'

const numericRank: Partial<Record<SqlType['kind'], number>> = { INTEGER: 0, BIGINT: 1, DECIMAL: 2, DOUBLE: 3 }

/** The DECIMAL an integer widens to: every INTEGER fits DECIMAL(10, 0), every BIGINT DECIMAL(19, 0). */
export function decimalOf(type: SqlType): SqlType {
  if (type.kind === 'INTEGER') return SqlTypes.decimal(10, 0)
  if (type.kind === 'BIGINT') return SqlTypes.decimal(19, 0)
  return type
}

/** The narrowest type both a and b widen to, or null when they have none. */
export function unify(a: SqlType, b: SqlType): SqlType | null {
  if (a.kind === 'NULL') return b
  if (b.kind === 'NULL') return a
  const ra = numericRank[a.kind]
  const rb = numericRank[b.kind]
  if (ra !== undefined && rb !== undefined) {
    if (a.kind === 'DECIMAL' && b.kind === 'DECIMAL') {
      const scale = Math.max(a.scale, b.scale)
      const integral = Math.max(a.precision - a.scale, b.precision - b.scale)
      return SqlTypes.decimal(Math.min(integral + scale, 38), scale)
    }
    if (a.kind === 'DECIMAL' && rb < 2) return unify(a, decimalOf(b))
    if (b.kind === 'DECIMAL' && ra < 2) return unify(decimalOf(a), b)
    return ra >= rb ? a : b
  }
  if (a.kind === 'ARRAY' && b.kind === 'ARRAY') {
    const element = unify(a.element, b.element)
    return element === null ? null : SqlTypes.array(element)
  }
  if (a.kind === 'MAP' && b.kind === 'MAP') {
    const key = unify(a.key, b.key)
    const value = unify(a.value, b.value)
    return key === null || value === null ? null : SqlTypes.map(key, value)
  }
  if (a.kind === 'STRUCT' && b.kind === 'STRUCT') {
    if (a.fields.length !== b.fields.length) return null
    const fields = []
    for (let i = 0; i < a.fields.length; i++) {
      const fa = a.fields[i]!
      const fb = b.fields[i]!
      if (fa.name !== fb.name) return null
      const t = unify(fa.type, fb.type)
      if (t === null) return null
      fields.push({ name: fa.name, type: t })
    }
    return SqlTypes.struct(fields)
  }
  return a.kind === b.kind ? a : null
}

/** How many widening steps turn `from` into `to` (0: the same); null when it cannot. */
export function wideningDistance(from: SqlType, to: SqlType): number | null {
  if (from.kind === 'NULL') return 0
  const rf = numericRank[from.kind]
  const rt = numericRank[to.kind]
  if (rf !== undefined && rt !== undefined) {
    if (from.kind === 'DECIMAL' && to.kind === 'DECIMAL') return from.precision === to.precision && from.scale === to.scale ? 0 : 1
    return rf <= rt ? rt - rf : null
  }
  if (from.kind === 'ARRAY' && to.kind === 'ARRAY') return wideningDistance(from.element, to.element)
  if (from.kind === 'MAP' && to.kind === 'MAP') {
    const k = wideningDistance(from.key, to.key)
    const v = wideningDistance(from.value, to.value)
    return k === null || v === null ? null : k + v
  }
  if (from.kind === 'STRUCT' && to.kind === 'STRUCT') {
    if (from.fields.length !== to.fields.length) return null
    let total = 0
    for (let i = 0; i < from.fields.length; i++) {
      const f = from.fields[i]!
      const t = to.fields[i]!
      if (f.name !== t.name) return null
      const d = wideningDistance(f.type, t.type)
      if (d === null) return null
      total += d
    }
    return total
  }
  return from.kind === to.kind ? 0 : null
}

export type Bindings = Map<string, SqlType>

const specKinds = new Set(['GENERIC', 'ARRAY_OF', 'MAP_OF', 'ANY_DECIMAL', 'ANY_STRUCT', 'LAMBDA'])

export function isSqlType(spec: ParamSpec): spec is SqlType {
  return !specKinds.has(spec.kind)
}

/** Checks that `arg` fits `spec`, binding type variables on the way. */
export function bindSpec(spec: ParamSpec, arg: SqlType, bindings: Bindings): boolean {
  switch (spec.kind) {
    case 'GENERIC': {
      const bound = bindings.get(spec.name)
      if (bound === undefined) {
        bindings.set(spec.name, arg)
        return true
      }
      const unified = unify(bound, arg)
      if (unified === null) return false
      bindings.set(spec.name, unified)
      return true
    }
    case 'ARRAY_OF':
      if (arg.kind === 'NULL') return true
      return arg.kind === 'ARRAY' && bindSpec(spec.element, arg.element, bindings)
    case 'MAP_OF':
      if (arg.kind === 'NULL') return true
      return arg.kind === 'MAP' && bindSpec(spec.key, arg.key, bindings) && bindSpec(spec.value, arg.value, bindings)
    case 'ANY_DECIMAL':
      return arg.kind === 'NULL' || arg.kind === 'DECIMAL' || arg.kind === 'INTEGER' || arg.kind === 'BIGINT'
    case 'ANY_STRUCT':
      return arg.kind === 'NULL' || arg.kind === 'STRUCT'
    case 'LAMBDA':
      return false
    default:
      return wideningDistance(arg, spec) !== null
  }
}

/** The type an argument of type `arg` takes at a parameter `spec` once the bindings are final. */
export function instantiate(spec: ParamSpec, arg: SqlType, bindings: Bindings): SqlType {
  switch (spec.kind) {
    case 'GENERIC':
      return bindings.get(spec.name) ?? arg
    case 'ARRAY_OF':
      return SqlTypes.array(instantiate(spec.element, arg.kind === 'ARRAY' ? arg.element : SqlTypes.NULL, bindings))
    case 'MAP_OF':
      return SqlTypes.map(
        instantiate(spec.key, arg.kind === 'MAP' ? arg.key : SqlTypes.NULL, bindings),
        instantiate(spec.value, arg.kind === 'MAP' ? arg.value : SqlTypes.NULL, bindings),
      )
    case 'ANY_DECIMAL':
      return decimalOf(arg)
    case 'ANY_STRUCT':
    case 'LAMBDA':
      return arg
    default:
      return spec
  }
}

/** ksqlDB's spelling of a parameter in signatures and error messages. */
export function formatSpec(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'GENERIC':
      return spec.name
    case 'ARRAY_OF':
      return `ARRAY<${formatSpec(spec.element)}>`
    case 'MAP_OF':
      return `MAP<${formatSpec(spec.key)}, ${formatSpec(spec.value)}>`
    case 'ANY_DECIMAL':
      return 'DECIMAL'
    case 'ANY_STRUCT':
      return 'STRUCT'
    case 'LAMBDA':
      return `LAMBDA (${spec.params.map(formatSpec).join(', ')}) => ${formatSpec(spec.returns)}`
    default:
      return formatType(spec)
  }
}

/** The type variables a spec mentions. */
export function genericsOf(spec: ParamSpec, into: Set<string> = new Set()): Set<string> {
  switch (spec.kind) {
    case 'GENERIC':
      into.add(spec.name)
      break
    case 'ARRAY_OF':
      genericsOf(spec.element, into)
      break
    case 'MAP_OF':
      genericsOf(spec.key, into)
      genericsOf(spec.value, into)
      break
    case 'LAMBDA':
      for (const p of spec.params) genericsOf(p, into)
      genericsOf(spec.returns, into)
      break
    default:
      break
  }
  return into
}
