// Array and map functions (ksqlDB's array, list, map and lambda UDFs).
import { SqlTypes, type SqlType } from '../types/sql-type.js'
import {
  BIGINT, BOOLEAN, INTEGER, K, S, STRING, T, U, V, arrayOf, computed, generic, lambda, mapOf, nullSafe, param, scalar, sig,
} from './define.js'
import { FunctionError } from './errors.js'
import type { ScalarFunction } from './registry-types.js'
import { compareNullable, compareValues, javaToString, valueKey, valuesEqual } from './values.js'

const CATEGORY = 'ARRAY'
const MAP_CATEGORY = 'MAP'
const LAMBDA_CATEGORY = 'LAMBDA'
const ARRAY_T = arrayOf(T)

function distinct(values: readonly unknown[]): unknown[] {
  const seen = new Set<string>()
  const out: unknown[] = []
  for (const v of values) {
    const k = valueKey(v)
    if (!seen.has(k)) {
      seen.add(k)
      out.push(v)
    }
  }
  return out
}

const keySet = (values: readonly unknown[]): Set<string> => new Set(values.map(valueKey))

export const ARRAY_CONTAINS = scalar('ARRAY_CONTAINS', CATEGORY, 'Returns true if the array is non-null and contains the supplied value.', [
  sig([param('array', ARRAY_T), param('val', T)], BOOLEAN, (a: unknown[] | null, v: unknown) => a !== null && a.some((x) => valuesEqual(x, v))),
])

export const ARRAY_DISTINCT = scalar('ARRAY_DISTINCT', CATEGORY, 'Returns an array of all the distinct values, including NULL if present, from the input array, in the order of their first occurrence.', [
  sig([param('input', ARRAY_T)], ARRAY_T, nullSafe(distinct)),
])

export const ARRAY_EXCEPT = scalar('ARRAY_EXCEPT', CATEGORY, 'Returns an array of all the distinct elements from an array, except for those also present in a second array. The order of entries in the first array is preserved. Returns NULL if either input is NULL.', [
  sig([param('left', ARRAY_T), param('right', ARRAY_T)], ARRAY_T, nullSafe((a: unknown[], b: unknown[]) => {
    const exclude = keySet(b)
    return distinct(a).filter((x) => !exclude.has(valueKey(x)))
  })),
])

export const ARRAY_INTERSECT = scalar('ARRAY_INTERSECT', CATEGORY, 'Returns an array of all the distinct elements from the intersection of both input arrays, in the order of the first array. Returns NULL if either input is NULL.', [
  sig([param('left', ARRAY_T), param('right', ARRAY_T)], ARRAY_T, nullSafe((a: unknown[], b: unknown[]) => {
    const keep = keySet(b)
    return distinct(a).filter((x) => keep.has(valueKey(x)))
  })),
])

export const ARRAY_UNION = scalar('ARRAY_UNION', CATEGORY, 'Returns an array of all the distinct elements from both input arrays, in the order they are encountered. Returns NULL if either input is NULL.', [
  sig([param('left', ARRAY_T), param('right', ARRAY_T)], ARRAY_T, nullSafe((a: unknown[], b: unknown[]) => distinct([...a, ...b]))),
])

export const ARRAY_CONCAT = scalar('ARRAY_CONCAT', CATEGORY, 'Returns an array representing the concatenation of both input arrays. A NULL input counts as empty; NULL when both are NULL.', [
  sig([param('left', ARRAY_T), param('right', ARRAY_T)], ARRAY_T, (a: unknown[] | null, b: unknown[] | null) => (a === null && b === null ? null : [...(a ?? []), ...(b ?? [])])),
])

const joinable = new Set(['BOOLEAN', 'INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL', 'STRING', 'NULL'])

export const ARRAY_JOIN = scalar('ARRAY_JOIN', CATEGORY, "Creates a flat string representation of all the primitive elements contained in the given array, separated by the delimiter (',' by default). NULL elements are written as 'null'.", [
  ...[[param('array', ARRAY_T)], [param('array', ARRAY_T), param('delimiter', STRING)]].map((params) => ({
    params,
    returns: STRING,
    create: (argTypes: readonly SqlType[]) => {
      const t = argTypes[0]
      const element = t?.kind === 'ARRAY' ? t.element : SqlTypes.NULL
      if (!joinable.has(element.kind)) {
        throw new FunctionError('INVALID_ARGUMENT', `ARRAY_JOIN only joins arrays of primitive types, not ARRAY<${element.kind}>`, 'ARRAY_JOIN')
      }
      const isDouble = element.kind === 'DOUBLE'
      return (a: unknown[] | null, delimiter: string | null = ',') => (a === null ? null : a.map((x) => javaToString(x, isDouble)).join(delimiter ?? ''))
    },
  })),
])

export const ARRAY_LENGTH = scalar('ARRAY_LENGTH', CATEGORY, 'Returns the number of elements in the array; NULL for a NULL array.', [
  sig([param('array', ARRAY_T)], INTEGER, nullSafe((a: unknown[]) => a.length)),
])

function arrayExtreme(sign: 1 | -1) {
  return nullSafe((a: unknown[]) => {
    let best: unknown = null
    for (const x of a) if (x !== null && (best === null || compareValues(x, best) * sign > 0)) best = x
    return best
  })
}

export const ARRAY_MAX = scalar('ARRAY_MAX', CATEGORY, 'Returns the maximum value from within a given array of primitive elements, ignoring NULLs.', [sig([param('array', ARRAY_T)], T, arrayExtreme(1))])
export const ARRAY_MIN = scalar('ARRAY_MIN', CATEGORY, 'Returns the minimum value from within a given array of primitive elements, ignoring NULLs.', [sig([param('array', ARRAY_T)], T, arrayExtreme(-1))])

export const ARRAY_REMOVE = scalar('ARRAY_REMOVE', CATEGORY, 'Removes all elements from the input array equal to the element (NULL removes NULLs).', [
  sig([param('array', ARRAY_T), param('victim', T)], ARRAY_T, (a: unknown[] | null, v: unknown) => (a === null ? null : a.filter((x) => !valuesEqual(x, v)))),
])

function sortArray(a: unknown[] | null, direction: string | null): unknown[] | null {
  if (a === null || direction === null) return null
  const d = direction.toUpperCase()
  const sorted = [...a]
  if (d === 'ASC' || d === 'ASCENDING') return sorted.sort(compareNullable)
  if (d === 'DESC' || d === 'DESCENDING') return sorted.sort((x, y) => (x === null || y === null ? compareNullable(x, y) : compareValues(y, x)))
  return null
}

export const ARRAY_SORT = scalar('ARRAY_SORT', CATEGORY, "Sorts an array of primitive elements in natural order, ascending by default or by direction 'ASC'/'DESC'; NULLs go last either way. An unknown direction gives NULL.", [
  sig([param('array', ARRAY_T)], ARRAY_T, (a: unknown[] | null) => sortArray(a, 'ASC')),
  sig([param('array', ARRAY_T), param('direction', STRING)], ARRAY_T, sortArray),
])

export const SLICE = scalar('SLICE', CATEGORY, 'Returns the sub-array from position from to position to, 1-based and inclusive; a NULL bound means the array end. NULL when the bounds are out of range.', [
  sig([param('array', ARRAY_T), param('from', INTEGER), param('to', INTEGER)], ARRAY_T, (a: unknown[] | null, from: number | null, to: number | null) => {
    if (a === null) return null
    const start = from === null ? 0 : from - 1
    const end = to === null ? a.length : to
    if (start < 0 || end > a.length || start > end) return null
    return a.slice(start, end)
  }),
])

function series(start: number, end: number, step: number): number[] {
  if (step === 0) throw new FunctionError('FUNCTION_ERROR', 'GENERATE_SERIES step cannot be zero', 'GENERATE_SERIES')
  const diff = end - start
  if ((diff > 0 && step < 0) || (diff < 0 && step > 0)) throw new FunctionError('FUNCTION_ERROR', 'GENERATE_SERIES step has wrong sign', 'GENERATE_SERIES')
  const size = 1 + Math.trunc(diff / step)
  const out = new Array<number>(size)
  for (let i = 0, v = start; i < size; i++, v += step) out[i] = v
  return out
}

const defaultStep = (start: number, end: number): number => (end - start > 0 ? 1 : -1)

export const GENERATE_SERIES = scalar('GENERATE_SERIES', CATEGORY, 'Constructs an array of values between start and end (inclusive), with an optional step (default 1 or -1).', [
  sig([param('start', INTEGER), param('end', INTEGER, 'Marks the end of the series (inclusive)')], SqlTypes.array(INTEGER), nullSafe((s: number, e: number) => series(s, e, defaultStep(s, e)))),
  sig([param('start', INTEGER), param('end', INTEGER), param('step', INTEGER)], SqlTypes.array(INTEGER), nullSafe(series)),
  sig([param('start', BIGINT), param('end', BIGINT)], SqlTypes.array(BIGINT), nullSafe((s: number, e: number) => series(s, e, defaultStep(s, e)))),
  sig([param('start', BIGINT), param('end', BIGINT), param('step', INTEGER)], SqlTypes.array(BIGINT), nullSafe(series)),
])

// ---- maps ------------------------------------------------------------------------------------

export const AS_MAP = scalar('AS_MAP', MAP_CATEGORY, 'Constructs a map from a list of keys and a list of values; missing values are NULL.', [
  sig([param('keys', SqlTypes.array(STRING)), param('values', ARRAY_T)], mapOf(STRING, T), nullSafe((keys: (string | null)[], values: unknown[]) => {
    const out = new Map<string | null, unknown>()
    keys.forEach((k, i) => out.set(k, i < values.length ? values[i] : null))
    return out
  })),
])

export const MAP_KEYS = scalar('MAP_KEYS', MAP_CATEGORY, 'Returns an array that contains all of the keys from the specified map.', [
  sig([param('map', mapOf(K, V))], arrayOf(K), nullSafe((m: Map<unknown, unknown>) => [...m.keys()])),
])

export const MAP_VALUES = scalar('MAP_VALUES', MAP_CATEGORY, 'Returns an array that contains all of the values from the specified map.', [
  sig([param('map', mapOf(K, V))], arrayOf(V), nullSafe((m: Map<unknown, unknown>) => [...m.values()])),
])

export const MAP_UNION = scalar('MAP_UNION', MAP_CATEGORY, 'Returns a new map containing the union of all entries from both input maps. If a key is present in both, the value from map2 wins. NULL when both are NULL.', [
  sig([param('map1', mapOf(K, V)), param('map2', mapOf(K, V))], mapOf(K, V), (a: Map<unknown, unknown> | null, b: Map<unknown, unknown> | null) => {
    if (a === null && b === null) return null
    return new Map([...(a ?? []), ...(b ?? [])])
  }),
])

const entriesType = computed('ARRAY<STRUCT<K STRING, V V>>', (t) => {
  const m = t[0]
  const value = m?.kind === 'MAP' ? m.value : SqlTypes.NULL
  return SqlTypes.array(SqlTypes.struct([{ name: 'K', type: STRING }, { name: 'V', type: value }]))
})

export const ENTRIES = scalar('ENTRIES', MAP_CATEGORY, 'Constructs an array of structs from the entries in a map. Each struct has a field named K containing the key, which is a string, and a field named V, which holds the value. If sorted is true, the entries are sorted by key.', [
  sig([param('map', mapOf(STRING, V)), param('sorted', BOOLEAN)], entriesType, (m: Map<string, unknown> | null, sorted: boolean | null) => {
    if (m === null) return null
    const entries = [...m.entries()]
    if (sorted === true) entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    return entries.map(([k, v]) => ({ K: k, V: v }))
  }),
])

// ---- lambdas ---------------------------------------------------------------------------------

const R = generic('R')

type Fn1 = (x: unknown) => unknown
type Fn2 = (x: unknown, y: unknown) => unknown
type Fn3 = (x: unknown, y: unknown, z: unknown) => unknown

export const TRANSFORM = scalar('TRANSFORM', LAMBDA_CATEGORY, 'Applies a lambda to each element of an array, or to each key and each value of a map (one lambda each, both taking the key and the value), and returns the transformed collection.', [
  sig([param('array', ARRAY_T), param('function', lambda([T], R))], arrayOf(R), (a: unknown[] | null, f: Fn1 | null) => (a === null || f === null ? null : a.map((x) => f(x))), 'Transforms each element of an array.'),
  sig([param('map', mapOf(K, V)), param('keyFunction', lambda([K, V], R)), param('valueFunction', lambda([K, V], U))], mapOf(R, U), (m: Map<unknown, unknown> | null, fk: Fn2 | null, fv: Fn2 | null) => {
    if (m === null || fk === null || fv === null) return null
    const out = new Map<unknown, unknown>()
    for (const [k, v] of m) {
      const nk = fk(k, v)
      if (out.has(nk)) throw new FunctionError('FUNCTION_ERROR', `Duplicate key ${javaToString(nk)} produced by TRANSFORM`, 'TRANSFORM')
      out.set(nk, fv(k, v))
    }
    return out
  }, 'Transforms each key and value of a map.'),
])

export const FILTER = scalar('FILTER', LAMBDA_CATEGORY, 'Keeps the elements of an array, or the entries of a map, for which the lambda returns true.', [
  sig([param('array', ARRAY_T), param('function', lambda([T], BOOLEAN))], ARRAY_T, (a: unknown[] | null, f: Fn1 | null) => (a === null || f === null ? null : a.filter((x) => f(x) === true)), 'Filters an array.'),
  sig([param('map', mapOf(K, V)), param('function', lambda([K, V], BOOLEAN))], mapOf(K, V), (m: Map<unknown, unknown> | null, f: Fn2 | null) => {
    if (m === null || f === null) return null
    return new Map([...m].filter(([k, v]) => f(k, v) === true))
  }, 'Filters a map by its keys and values.'),
])

export const REDUCE = scalar('REDUCE', LAMBDA_CATEGORY, 'Reduces an array (lambda of the state and the element) or a map (lambda of the state, the key and the value) to one value, starting from the initial state. A NULL collection returns the initial state; a NULL initial state returns NULL.', [
  sig([param('array', ARRAY_T), param('initialState', S), param('function', lambda([S, T], S))], S, (a: unknown[] | null, init: unknown, f: Fn2 | null) => {
    if (init === null || f === null) return null
    if (a === null) return init
    let state: unknown = init
    for (const x of a) state = f(state, x)
    return state
  }, 'Reduces an array.'),
  sig([param('map', mapOf(K, V)), param('initialState', S), param('function', lambda([S, K, V], S))], S, (m: Map<unknown, unknown> | null, init: unknown, f: Fn3 | null) => {
    if (init === null || f === null) return null
    if (m === null) return init
    let state: unknown = init
    for (const [k, v] of m) state = f(state, k, v)
    return state
  }, 'Reduces a map.'),
])

export const collectionFunctions: readonly ScalarFunction[] = [
  ARRAY_CONTAINS, ARRAY_DISTINCT, ARRAY_EXCEPT, ARRAY_INTERSECT, ARRAY_UNION, ARRAY_CONCAT, ARRAY_JOIN, ARRAY_LENGTH,
  ARRAY_MAX, ARRAY_MIN, ARRAY_REMOVE, ARRAY_SORT, SLICE, GENERATE_SERIES, AS_MAP, MAP_KEYS, MAP_VALUES, MAP_UNION, ENTRIES,
  TRANSFORM, FILTER, REDUCE,
]
