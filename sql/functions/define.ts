// Small builders the library's families (and users) write function definitions with.
import { SqlTypes, type SqlType } from '../types/sql-type.js'
import type {
  AggregateFunction,
  AggregateImpl,
  AggregateSignature,
  Param,
  ParamSpec,
  ReturnSpec,
  ScalarFunction,
  ScalarImpl,
  ScalarSignature,
  TableFunction,
  TableSignature,
} from './registry-types.js'

export const { BOOLEAN, INTEGER, BIGINT, DOUBLE, STRING, BYTES, DATE, TIME, TIMESTAMP } = SqlTypes
export const ANY_DECIMAL: ParamSpec = { kind: 'ANY_DECIMAL' }
export const ANY_STRUCT: ParamSpec = { kind: 'ANY_STRUCT' }

export const generic = (name: string): ParamSpec => ({ kind: 'GENERIC', name })
export const arrayOf = (element: ParamSpec): ParamSpec => ({ kind: 'ARRAY_OF', element })
export const mapOf = (key: ParamSpec, value: ParamSpec): ParamSpec => ({ kind: 'MAP_OF', key, value })
export const lambda = (params: readonly ParamSpec[], returns: ParamSpec): ParamSpec => ({ kind: 'LAMBDA', params, returns })
export const T = generic('T')
export const U = generic('U')
export const K = generic('K')
export const V = generic('V')
export const S = generic('S')

export const param = (name: string, type: ParamSpec, description?: string): Param =>
  description === undefined ? { name, type } : { name, type, description }

/** A return type computed from the argument types, with the name DESCRIBE FUNCTION prints for it. */
export function computed(doc: string, fn: (argTypes: readonly SqlType[]) => SqlType): ReturnSpec {
  return Object.assign((argTypes: readonly SqlType[]) => fn(argTypes), { returnTypeDoc: doc })
}

/** Returns the first argument's type (numeric functions that keep their input type). */
export const sameAsFirst = computed('same as the argument', (t) => t[0] ?? SqlTypes.NULL)

export interface SigOptions {
  readonly variadic?: boolean
  readonly description?: string
}

/** A signature whose implementation does not depend on the resolved types. */
export function sig(params: readonly Param[], returns: ReturnSpec, impl: ScalarImpl, options: SigOptions | string = {}): ScalarSignature {
  return sigWith(params, returns, () => impl, options)
}

/** A signature that builds its implementation from the resolved types, once per query. */
export function sigWith(
  params: readonly Param[],
  returns: ReturnSpec,
  create: (argTypes: readonly SqlType[], returnType: SqlType) => ScalarImpl,
  options: SigOptions | string = {},
): ScalarSignature {
  const o = typeof options === 'string' ? { description: options } : options
  return { params, returns, create, ...(o.variadic === true ? { variadic: true } : {}), ...(o.description === undefined ? {} : { description: o.description }) }
}

export function scalar(
  name: string,
  category: string,
  description: string,
  signatures: readonly ScalarSignature[],
  options: { nondeterministic?: boolean } = {},
): ScalarFunction {
  return { kind: 'scalar', name, category, description, signatures, ...(options.nondeterministic === true ? { nondeterministic: true } : {}) }
}

export function aggregate(name: string, category: string, description: string, signatures: readonly AggregateSignature[]): AggregateFunction {
  return { kind: 'aggregate', name, category, description, signatures }
}

export function aggSig(
  params: readonly Param[],
  returns: ReturnSpec,
  create: (argTypes: readonly SqlType[], literalArgs: readonly unknown[], returnType: SqlType) => AggregateImpl,
  options: { literalParams?: number; description?: string } = {},
): AggregateSignature {
  return { params, returns, create, ...options }
}

export function tableFn(name: string, category: string, description: string, signatures: readonly TableSignature[]): TableFunction {
  return { kind: 'table', name, category, description, signatures }
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/** Wraps an implementation so that any NULL argument gives NULL (most of ksqlDB's scalar functions). */
export function nullSafe(fn: (...args: any[]) => unknown): ScalarImpl {
  switch (fn.length) {
    case 1:
      return (a: unknown) => (a === null ? null : fn(a))
    case 2:
      return (a: unknown, b: unknown) => (a === null || b === null ? null : fn(a, b))
    case 3:
      return (a: unknown, b: unknown, c: unknown) => (a === null || b === null || c === null ? null : fn(a, b, c))
    default:
      return (...args: unknown[]) => {
        for (const a of args) if (a === null) return null
        return fn(...args)
      }
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */
