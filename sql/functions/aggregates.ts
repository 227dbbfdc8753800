// Aggregate functions (ksqlDB's UDAFs). States are values of their stateType in the runtime
// representation so the planner stores them generically. undo exists where ksqlDB lets the
// function aggregate a table; merge where it supports session windows.
import { SqlDecimal } from '../types/decimal.js'
import { SqlTypes, type SqlType } from '../types/sql-type.js'
import {
  ANY_DECIMAL, BIGINT, BOOLEAN, BYTES, DATE, DOUBLE, INTEGER, STRING, TIME, TIMESTAMP, T,
  aggSig, aggregate, arrayOf, computed, generic, param, sameAsFirst,
} from './define.js'
import { FunctionError } from './errors.js'
import type { AggregateFunction, AggregateImpl, AggregateSignature } from './registry-types.js'
import { compareValues, valueKey, valuesEqual } from './values.js'

const CATEGORY = 'AGGREGATE'

// ---- COUNT -----------------------------------------------------------------------------------

const countRows: AggregateImpl<number> = {
  stateType: BIGINT,
  initialize: () => 0,
  aggregate: (_args, n) => n + 1,
  undo: (_args, n) => n - 1,
  merge: (a, b) => a + b,
  result: (n) => n,
}

const countNonNull: AggregateImpl<number> = {
  stateType: BIGINT,
  initialize: () => 0,
  aggregate: (args, n) => (args[0] === null ? n : n + 1),
  undo: (args, n) => (args[0] === null ? n : n - 1),
  merge: (a, b) => a + b,
  result: (n) => n,
}

export const COUNT = aggregate('COUNT', CATEGORY, 'Counts records. COUNT(*) (or COUNT()) counts every row; COUNT(col) counts the rows where col is not NULL.', [
  aggSig([], BIGINT, () => countRows, { description: 'Counts all rows (COUNT(*)).' }),
  aggSig([param('col', T, 'the column whose non-NULL values are counted')], BIGINT, () => countNonNull, { description: 'Counts the rows where col is not NULL.' }),
])

// ---- SUM -------------------------------------------------------------------------------------

function numberSum(wrapInt: boolean, stateType: SqlType): AggregateImpl<number> {
  const fix = wrapInt ? (x: number) => x | 0 : (x: number) => x
  return {
    stateType,
    initialize: () => 0,
    aggregate: (args, s) => (args[0] === null ? s : fix(s + (args[0] as number))),
    undo: (args, s) => (args[0] === null ? s : fix(s - (args[0] as number))),
    merge: (a, b) => fix(a + b),
    result: (s) => s,
  }
}

/** Throws ksqlDB's overflow error when `value` (at the column's scale) does not fit DECIMAL(precision, scale). */
export function checkDecimalFits(value: SqlDecimal, precision: number, scale: number, limit: bigint = 10n ** BigInt(precision)): SqlDecimal {
  const abs = value.unscaled < 0n ? -value.unscaled : value.unscaled
  if (abs >= limit) {
    throw new FunctionError(
      'FUNCTION_ERROR',
      `Numeric field overflow: A field with precision ${precision} and scale ${scale} must round to an absolute value less than 10^${precision - scale}. Got ${value.toString()}`,
    )
  }
  return value
}

function decimalSum(type: SqlType): AggregateImpl<SqlDecimal> {
  if (type.kind !== 'DECIMAL') throw new FunctionError('INVALID_ARGUMENT', `SUM over ${type.kind}`, 'SUM')
  const { precision, scale } = type
  const limit = 10n ** BigInt(precision)
  return {
    stateType: type,
    initialize: () => new SqlDecimal(0n, scale),
    aggregate: (args, s) => (args[0] === null ? s : checkDecimalFits(s.add((args[0] as SqlDecimal).setScale(scale)), precision, scale, limit)),
    undo: (args, s) => (args[0] === null ? s : s.subtract((args[0] as SqlDecimal).setScale(scale))),
    merge: (a, b) => a.add(b),
    result: (s) => s,
  }
}

export const SUM = aggregate('SUM', CATEGORY, 'Sums the values of a column; NULLs are skipped and the sum of no values is 0.', [
  aggSig([param('col', INTEGER)], INTEGER, () => numberSum(true, INTEGER), { description: 'Sums INTEGER values (wrapping on overflow as Java int does).' }),
  aggSig([param('col', BIGINT)], BIGINT, () => numberSum(false, BIGINT)),
  aggSig([param('col', DOUBLE)], DOUBLE, () => numberSum(false, DOUBLE)),
  aggSig([param('col', ANY_DECIMAL)], sameAsFirst, (t) => decimalSum(t[0]!), {
    description: 'Sums DECIMAL values exactly; the result has the column\'s precision and scale and overflowing it is an error.',
  }),
])

// ---- AVG -------------------------------------------------------------------------------------

interface AvgState {
  SUM: number
  COUNT: number
}

function avg(sumType: SqlType, wrapInt: boolean): AggregateImpl<AvgState> {
  const fix = wrapInt ? (x: number) => x | 0 : (x: number) => x
  return {
    stateType: SqlTypes.struct([{ name: 'SUM', type: sumType }, { name: 'COUNT', type: BIGINT }]),
    initialize: () => ({ SUM: 0, COUNT: 0 }),
    aggregate: (args, s) => {
      if (args[0] === null) return s
      s.SUM = fix(s.SUM + (args[0] as number))
      s.COUNT++
      return s
    },
    undo: (args, s) => {
      if (args[0] === null) return s
      s.SUM = fix(s.SUM - (args[0] as number))
      s.COUNT--
      return s
    },
    merge: (a, b) => ({ SUM: fix(a.SUM + b.SUM), COUNT: a.COUNT + b.COUNT }),
    result: (s) => (s.COUNT === 0 ? 0 : s.SUM / s.COUNT),
  }
}

export const AVG = aggregate('AVG', CATEGORY, 'Returns the average value of the column computed as the sum divided by the count. Applicable only to numeric types.', [
  aggSig([param('col', INTEGER)], DOUBLE, () => avg(INTEGER, true), { description: 'Compute average of column with type Integer.' }),
  aggSig([param('col', BIGINT)], DOUBLE, () => avg(BIGINT, false), { description: 'Compute average of column with type Long.' }),
  aggSig([param('col', DOUBLE)], DOUBLE, () => avg(DOUBLE, false), { description: 'Compute average of column with type Double.' }),
])

// ---- MIN / MAX -------------------------------------------------------------------------------

/** The types MIN, MAX, TOPK and friends accept: those with an order. */
export const comparableTypes: readonly SqlType[] = [INTEGER, BIGINT, DOUBLE, STRING, BOOLEAN, BYTES, DATE, TIME, TIMESTAMP]

function extreme(type: SqlType, sign: 1 | -1): AggregateImpl<unknown> {
  const pick = (a: unknown, b: unknown): unknown => (a === null ? b : b === null ? a : compareValues(b, a) * sign > 0 ? b : a)
  return {
    stateType: type,
    initialize: () => null,
    aggregate: (args, s) => pick(s, args[0] ?? null),
    merge: pick,
    result: (s) => s,
  }
}

function extremeSignatures(sign: 1 | -1, word: string): AggregateSignature[] {
  const sigs = comparableTypes.map((t) =>
    aggSig([param('col', t)], t, () => extreme(t, sign), { description: `The ${word} ${t.kind} value; NULLs are skipped.` }),
  )
  sigs.push(aggSig([param('col', ANY_DECIMAL)], sameAsFirst, (t) => extreme(t[0]!, sign), { description: `The ${word} DECIMAL value; NULLs are skipped.` }))
  return sigs
}

export const MIN = aggregate('MIN', CATEGORY, 'Returns the minimum value for a given column and window. Rows that have col1 set to null are ignored.', extremeSignatures(-1, 'smallest'))
export const MAX = aggregate('MAX', CATEGORY, 'Returns the maximum value for a given column and window. Rows that have col1 set to null are ignored.', extremeSignatures(1, 'largest'))

// ---- COUNT_DISTINCT --------------------------------------------------------------------------

/** Exact distinct count: the state maps each value's key (values.ts) to how often it was seen. */
const countDistinct: AggregateImpl<Map<string, number>> = {
  stateType: SqlTypes.map(STRING, BIGINT),
  initialize: () => new Map(),
  aggregate: (args, s) => {
    const v = args[0] ?? null
    if (v !== null) {
      const k = valueKey(v)
      s.set(k, (s.get(k) ?? 0) + 1)
    }
    return s
  },
  merge: (a, b) => {
    for (const [k, n] of b) a.set(k, (a.get(k) ?? 0) + n)
    return a
  },
  result: (s) => s.size,
}

export const COUNT_DISTINCT = aggregate('COUNT_DISTINCT', CATEGORY, 'Returns the number of distinct non-NULL values of a column (ksqlDB approximates; Brook counts exactly).', [
  aggSig([param('col', T)], BIGINT, () => countDistinct),
])

// ---- COLLECT_LIST / COLLECT_SET ---------------------------------------------------------------

/** ksql.functions.collect_list.limit and ksql.functions.collect_set.limit: values past the limit are ignored (default: none). */
export interface CollectLimits {
  readonly collectListLimit?: number
  readonly collectSetLimit?: number
}

const limitOf = (n: number | undefined): number => (n === undefined || n < 0 ? Number.POSITIVE_INFINITY : n)

function collectList(type: SqlType, limit: number): AggregateImpl<unknown[]> {
  return {
    stateType: SqlTypes.array(type),
    initialize: () => [],
    aggregate: (args, s) => {
      if (s.length < limit) s.push(args[0] ?? null)
      return s
    },
    // ksqlDB removes the last equal value: the row that was added is not tracked.
    undo: (args, s) => {
      const v = args[0] ?? null
      for (let i = s.length - 1; i >= 0; i--) {
        if (valuesEqual(s[i] ?? null, v)) {
          s.splice(i, 1)
          break
        }
      }
      return s
    },
    merge: (a, b) => a.concat(b.slice(0, Math.max(limit - a.length, 0))),
    result: (s) => s,
  }
}

/** COLLECT_LIST with a limit (ksql.functions.collect_list.limit). */
export function collectListFunction(limits: CollectLimits = {}): AggregateFunction {
  const limit = limitOf(limits.collectListLimit)
  return aggregate('COLLECT_LIST', CATEGORY, `Returns an array containing all the values of col1 from each input row (for the specified grouping and time window, if any), NULLs included.${Number.isFinite(limit) ? ` At most ${limit} values are kept; later ones are ignored.` : ''}`, [
    aggSig([param('col1', T)], arrayOf(T), (t) => collectList(t[0]!, limit)),
  ])
}

export const COLLECT_LIST = collectListFunction()

/** The keys of a COLLECT_SET state, kept beside it so membership is O(1); rebuilt for a state read back from a store. */
const setKeys = new WeakMap<unknown[], Set<string>>()

function keysOf(s: unknown[]): Set<string> {
  let keys = setKeys.get(s)
  if (keys === undefined) {
    keys = new Set(s.map(valueKey))
    setKeys.set(s, keys)
  }
  return keys
}

function collectSet(type: SqlType, limit: number): AggregateImpl<unknown[]> {
  const add = (s: unknown[], v: unknown): unknown[] => {
    if (s.length >= limit) return s
    const keys = keysOf(s)
    const k = valueKey(v)
    if (keys.has(k)) return s
    keys.add(k)
    s.push(v)
    return s
  }
  return {
    stateType: SqlTypes.array(type),
    initialize: () => [],
    aggregate: (args, s) => add(s, args[0] ?? null),
    merge: (a, b) => b.reduce(add, a),
    result: (s) => s,
  }
}

/** COLLECT_SET with a limit (ksql.functions.collect_set.limit). */
export function collectSetFunction(limits: CollectLimits = {}): AggregateFunction {
  const limit = limitOf(limits.collectSetLimit)
  return aggregate('COLLECT_SET', CATEGORY, `Returns an array containing the distinct values of col1 from each input row (for the specified grouping and time window, if any), in first-seen order.${Number.isFinite(limit) ? ` At most ${limit} values are kept; later ones are ignored.` : ''}`, [
    aggSig([param('col1', T)], arrayOf(T), (t) => collectSet(t[0]!, limit)),
  ])
}

export const COLLECT_SET = collectSetFunction()

// ---- EARLIEST_BY_OFFSET / LATEST_BY_OFFSET ---------------------------------------------------

interface Sequenced {
  SEQ: number
  VAL: unknown
}

/**
 * Orders records as they are aggregated (ksqlDB keeps one process-wide sequence too). It starts
 * from the clock in microseconds so sequences stored before a restart stay lower than new ones
 * when session windows merge (a safe integer until the year 2255).
 */
let sequence = Date.now() * 1000
const nextSequence = (): number => ++sequence

function sequencedType(type: SqlType): SqlType {
  return SqlTypes.struct([{ name: 'SEQ', type: BIGINT }, { name: 'VAL', type }])
}

function byOffset(type: SqlType, latest: boolean, ignoreNulls: boolean): AggregateImpl<Sequenced | null> {
  const wins = (a: Sequenced | null, b: Sequenced | null): Sequenced | null =>
    a === null ? b : b === null ? a : (latest ? b.SEQ > a.SEQ : b.SEQ < a.SEQ) ? b : a
  return {
    stateType: sequencedType(type),
    initialize: () => null,
    aggregate: (args, s) => {
      const v = args[0] ?? null
      if (v === null && ignoreNulls) return s
      if (!latest && s !== null) return s
      return { SEQ: nextSequence(), VAL: v }
    },
    merge: wins,
    result: (s) => (s === null ? null : s.VAL),
  }
}

function byOffsetN(type: SqlType, latest: boolean, n: number, ignoreNulls: boolean): AggregateImpl<Sequenced[]> {
  return {
    stateType: SqlTypes.array(sequencedType(type)),
    initialize: () => [],
    aggregate: (args, s) => {
      const v = args[0] ?? null
      if (v === null && ignoreNulls) return s
      if (!latest) {
        if (s.length < n) s.push({ SEQ: nextSequence(), VAL: v })
        return s
      }
      s.push({ SEQ: nextSequence(), VAL: v })
      if (s.length > n) s.shift()
      return s
    },
    merge: (a, b) => {
      const all = a.concat(b).sort((x, y) => x.SEQ - y.SEQ)
      return latest ? all.slice(Math.max(all.length - n, 0)) : all.slice(0, n)
    },
    result: (s) => s.map((e) => e.VAL),
  }
}

function literalCount(fn: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new FunctionError('INVALID_ARGUMENT', `${fn}: the number of values must be a positive integer literal, got ${String(value)}`, fn)
  }
  return value
}

function literalBoolean(fn: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new FunctionError('INVALID_ARGUMENT', `${fn}: ignoreNulls must be a BOOLEAN literal, got ${String(value)}`, fn)
  return value
}

function byOffsetFunction(name: string, latest: boolean): AggregateFunction {
  const word = latest ? 'latest' : 'earliest'
  return aggregate(name, CATEGORY, `Returns the ${word} value for a column, by the order records are processed (offset order within a partition). NULLs are ignored unless ignoreNulls is false.`, [
    aggSig([param('col', T)], T, (t) => byOffset(t[0]!, latest, true), { description: `The ${word} non-NULL value.` }),
    aggSig([param('col', T), param('ignoreNulls', BOOLEAN, 'whether NULL values are skipped')], T, (t, lit) => byOffset(t[0]!, latest, literalBoolean(name, lit[0])), {
      literalParams: 1,
      description: `The ${word} value, NULLs included when ignoreNulls is false.`,
    }),
    aggSig([param('col', T), param('earliestN', INTEGER, `how many ${word} values to keep`)], arrayOf(T), (t, lit) => byOffsetN(t[0]!, latest, literalCount(name, lit[0]), true), {
      literalParams: 1,
      description: `The ${word} N non-NULL values, in offset order.`,
    }),
    aggSig(
      [param('col', T), param('earliestN', INTEGER), param('ignoreNulls', BOOLEAN)],
      arrayOf(T),
      (t, lit) => byOffsetN(t[0]!, latest, literalCount(name, lit[0]), literalBoolean(name, lit[1])),
      { literalParams: 2, description: `The ${word} N values, in offset order.` },
    ),
  ])
}

export const EARLIEST_BY_OFFSET = byOffsetFunction('EARLIEST_BY_OFFSET', false)
export const LATEST_BY_OFFSET = byOffsetFunction('LATEST_BY_OFFSET', true)

// ---- TOPK / TOPKDISTINCT ---------------------------------------------------------------------

function topK(type: SqlType, k: number, distinct: boolean): AggregateImpl<unknown[]> {
  // The state is sorted largest first and never longer than k.
  const insert = (s: unknown[], v: unknown): unknown[] => {
    if (v === null) return s
    let i = 0
    while (i < s.length && compareValues(s[i], v) > 0) i++
    if (distinct && i < s.length && compareValues(s[i], v) === 0) return s
    if (i >= k) return s
    s.splice(i, 0, v)
    if (s.length > k) s.pop()
    return s
  }
  return {
    stateType: SqlTypes.array(type),
    initialize: () => [],
    aggregate: (args, s) => insert(s, args[0] ?? null),
    merge: (a, b) => b.reduce(insert, a),
    result: (s) => s,
  }
}

/** TOPK(col1, otherCols..., k): the k rows with the largest col1, as STRUCT<sort_col, col0, col1...>. */
function topKWithColumns(type: SqlType, k: number): AggregateImpl<Record<string, unknown>[]> {
  const insert = (s: Record<string, unknown>[], row: Record<string, unknown>): Record<string, unknown>[] => {
    if (row.sort_col === null) return s
    let i = 0
    while (i < s.length && compareValues(s[i]!.sort_col, row.sort_col) >= 0) i++
    if (i >= k) return s
    s.splice(i, 0, row)
    if (s.length > k) s.pop()
    return s
  }
  return {
    stateType: SqlTypes.array(type),
    initialize: () => [],
    aggregate: (args, s) => {
      const row: Record<string, unknown> = { sort_col: args[0] ?? null }
      for (let i = 1; i < args.length; i++) row[`col${i - 1}`] = args[i] ?? null
      return insert(s, row)
    },
    merge: (a, b) => b.reduce(insert, a),
    result: (s) => s,
  }
}

/** How many other columns TOPK carries beside the sort column (each count is one signature). */
const TOPK_MAX_OTHER_COLUMNS = 5

function topKStructType(argTypes: readonly SqlType[]): SqlType {
  const cols = argTypes.slice(0, -1)
  return SqlTypes.struct(cols.map((t, i) => ({ name: i === 0 ? 'sort_col' : `col${i - 1}`, type: t })))
}

function topKWithColumnsSignatures(): AggregateSignature[] {
  const sigs: AggregateSignature[] = []
  for (let n = 1; n <= TOPK_MAX_OTHER_COLUMNS; n++) {
    const others = Array.from({ length: n }, (_, i) => param(`otherCol${i}`, generic(`C${i}`), 'a column carried along with the sort column'))
    sigs.push(aggSig([param('col1', T), ...others, param('k', INTEGER, 'how many rows to return')], computed('ARRAY<STRUCT<sort_col, col0, ...>>', (t) => SqlTypes.array(topKStructType(t))), (t, lit) => topKWithColumns(topKStructType(t), literalCount('TOPK', lit[0])) as AggregateImpl, {
      literalParams: 1,
      description: `The k rows with the largest col1 as structs: sort_col holds col1, col0..col${n - 1} the other columns.`,
    }))
  }
  return sigs
}

function topKFunction(name: string, distinct: boolean): AggregateFunction {
  const what = distinct ? 'distinct values' : 'values'
  const sigs = [...comparableTypes.filter((t) => t.kind !== 'BOOLEAN' && t.kind !== 'BYTES'), ANY_DECIMAL].map((t) =>
    aggSig([param('col1', t), param('k', INTEGER, 'how many values to return')], t.kind === 'ANY_DECIMAL' ? computed('ARRAY<DECIMAL>', (a) => SqlTypes.array(a[0]!)) : SqlTypes.array(t as SqlType), (a, lit) => topK(a[0]!, literalCount(name, lit[0]), distinct), {
      literalParams: 1,
    }),
  )
  if (!distinct) sigs.push(...topKWithColumnsSignatures())
  return aggregate(name, CATEGORY, `Returns the top k ${what} for a column and window, largest first; NULLs are ignored.${distinct ? '' : ' With other columns, returns structs of the sort column (sort_col) and the others (col0, col1, ...).'}`, sigs)
}

export const TOPK = topKFunction('TOPK', false)
export const TOPKDISTINCT = topKFunction('TOPKDISTINCT', true)

// ---- HISTOGRAM -------------------------------------------------------------------------------

/** ksqlDB keeps at most this many distinct values; later new values are ignored. */
export const HISTOGRAM_LIMIT = 1000

const histogram: AggregateImpl<Map<string, number>> = {
  stateType: SqlTypes.map(STRING, BIGINT),
  initialize: () => new Map(),
  aggregate: (args, s) => {
    const v = args[0] ?? null
    if (v === null) return s
    const n = s.get(v as string)
    if (n !== undefined) s.set(v as string, n + 1)
    else if (s.size < HISTOGRAM_LIMIT) s.set(v as string, 1)
    return s
  },
  undo: (args, s) => {
    const v = args[0] ?? null
    if (v === null) return s
    const n = s.get(v as string)
    if (n === undefined) return s
    if (n <= 1) s.delete(v as string)
    else s.set(v as string, n - 1)
    return s
  },
  merge: (a, b) => {
    for (const [k, n] of b) {
      const m = a.get(k)
      if (m !== undefined) a.set(k, m + n)
      else if (a.size < HISTOGRAM_LIMIT) a.set(k, n)
    }
    return a
  },
  result: (s) => s,
}

export const HISTOGRAM = aggregate('HISTOGRAM', CATEGORY, `Returns a map containing the distinct String values of col1 mapped to the number of times each one occurs for the given window. The number of distinct values is limited to ${HISTOGRAM_LIMIT}; NULLs are not counted.`, [
  aggSig([param('col1', STRING)], SqlTypes.map(STRING, BIGINT), () => histogram),
])

// ---- STDDEV_SAMP -----------------------------------------------------------------------------

interface VarState {
  SUM: number
  COUNT: number
  M2: number
}

function stddev(sumType: SqlType, squared: boolean): AggregateImpl<VarState> {
  return {
    stateType: SqlTypes.struct([{ name: 'SUM', type: sumType }, { name: 'COUNT', type: BIGINT }, { name: 'M2', type: DOUBLE }]),
    initialize: () => ({ SUM: 0, COUNT: 0, M2: 0 }),
    // Youngs-Cramer: adding x to c values summing to s adds (c*x - s)^2 / (c*(c+1)) to M2.
    aggregate: (args, st) => {
      const x = args[0] ?? null
      if (x === null) return st
      const c = st.COUNT
      const v = x as number
      if (c > 0) {
        const delta = c * v - st.SUM
        st.M2 += (delta * delta) / (c * (c + 1))
      }
      st.SUM += v
      st.COUNT = c + 1
      return st
    },
    undo: (args, st) => {
      const x = args[0] ?? null
      if (x === null || st.COUNT === 0) return st
      const n = st.COUNT
      const v = x as number
      if (n > 1) {
        const delta = n * v - st.SUM
        st.M2 -= (delta * delta) / (n * (n - 1))
      } else {
        st.M2 = 0
      }
      st.SUM -= v
      st.COUNT = n - 1
      return st
    },
    merge: (a, b) => {
      if (a.COUNT === 0) return { ...b }
      if (b.COUNT === 0) return { ...a }
      const d = a.SUM / a.COUNT - b.SUM / b.COUNT
      const count = a.COUNT + b.COUNT
      return { SUM: a.SUM + b.SUM, COUNT: count, M2: a.M2 + b.M2 + (a.COUNT * b.COUNT * d * d) / count }
    },
    result: (st) => {
      if (st.COUNT < 2) return 0
      const variance = Math.max(st.M2, 0) / (st.COUNT - 1)
      return squared ? variance : Math.sqrt(variance)
    },
  }
}

const stddevSignatures = (squared: boolean): AggregateSignature[] => [
  aggSig([param('col', INTEGER)], DOUBLE, () => stddev(INTEGER, squared)),
  aggSig([param('col', BIGINT)], DOUBLE, () => stddev(BIGINT, squared)),
  aggSig([param('col', DOUBLE)], DOUBLE, () => stddev(DOUBLE, squared)),
]
// ksqlDB documents that STDDEV_SAMP returns the square of the standard deviation (the sample
// variance) and added STDDEV_SAMPLE for the standard deviation itself; both are kept as documented.
export const STDDEV_SAMP = aggregate('STDDEV_SAMP', CATEGORY, 'Returns the sample variance of the column, the square of its sample standard deviation, as ksqlDB documents it (0.0 for fewer than two values); use STDDEV_SAMPLE for the standard deviation. NULLs are skipped.', stddevSignatures(true))
export const STDDEV_SAMPLE = aggregate('STDDEV_SAMPLE', CATEGORY, 'Returns the sample standard deviation of the column (0.0 for fewer than two values). NULLs are skipped.', stddevSignatures(false))

// ---- CORRELATION -----------------------------------------------------------------------------

interface CorrState {
  X_SUM: number
  Y_SUM: number
  X_SQUARED_SUM: number
  Y_SQUARED_SUM: number
  XY_SUM: number
  COUNT: number
}

const corrFields = ['X_SUM', 'Y_SUM', 'X_SQUARED_SUM', 'Y_SQUARED_SUM', 'XY_SUM'] as const

const correlation: AggregateImpl<CorrState> = {
  stateType: SqlTypes.struct([...corrFields.map((name) => ({ name, type: DOUBLE })), { name: 'COUNT', type: BIGINT }]),
  initialize: () => ({ X_SUM: 0, Y_SUM: 0, X_SQUARED_SUM: 0, Y_SQUARED_SUM: 0, XY_SUM: 0, COUNT: 0 }),
  aggregate: (args, s) => {
    const x = args[0] ?? null
    const y = args[1] ?? null
    if (x === null || y === null) return s
    add(s, x as number, y as number, 1)
    return s
  },
  undo: (args, s) => {
    const x = args[0] ?? null
    const y = args[1] ?? null
    if (x === null || y === null) return s
    add(s, x as number, y as number, -1)
    return s
  },
  merge: (a, b) => {
    const out = { ...a }
    for (const f of corrFields) out[f] += b[f]
    out.COUNT += b.COUNT
    return out
  },
  result: (s) => {
    if (s.COUNT < 2) return Number.NaN
    const n = s.COUNT
    const num = n * s.XY_SUM - s.X_SUM * s.Y_SUM
    const den = Math.sqrt(n * s.X_SQUARED_SUM - s.X_SUM * s.X_SUM) * Math.sqrt(n * s.Y_SQUARED_SUM - s.Y_SUM * s.Y_SUM)
    return num / den
  },
}

function add(s: CorrState, x: number, y: number, sign: 1 | -1): void {
  s.X_SUM += sign * x
  s.Y_SUM += sign * y
  s.X_SQUARED_SUM += sign * x * x
  s.Y_SQUARED_SUM += sign * y * y
  s.XY_SUM += sign * x * y
  s.COUNT += sign
}

export const CORRELATION = aggregate('CORRELATION', CATEGORY, 'Returns the Pearson correlation coefficient of x and y over the rows where both are not NULL (NaN for fewer than two rows).', [
  aggSig([param('x', DOUBLE), param('y', DOUBLE)], DOUBLE, () => correlation),
])

// ---- ATTR ------------------------------------------------------------------------------------

interface AttrEntry {
  VALUE: unknown
  COUNT: number
}

function attr(type: SqlType): AggregateImpl<AttrEntry[]> {
  const adjust = (s: AttrEntry[], v: unknown, by: number): AttrEntry[] => {
    const i = s.findIndex((e) => valuesEqual(e.VALUE, v))
    if (i < 0) {
      if (by > 0) s.push({ VALUE: v, COUNT: by })
      return s
    }
    const e = s[i]!
    e.COUNT += by
    if (e.COUNT <= 0) s.splice(i, 1)
    return s
  }
  return {
    stateType: SqlTypes.array(SqlTypes.struct([{ name: 'VALUE', type }, { name: 'COUNT', type: INTEGER }])),
    initialize: () => [],
    aggregate: (args, s) => adjust(s, args[0] ?? null, 1),
    undo: (args, s) => adjust(s, args[0] ?? null, -1),
    merge: (a, b) => b.reduce((acc, e) => adjust(acc, e.VALUE, e.COUNT), a),
    result: (s) => (s.length === 1 ? s[0]!.VALUE : null),
  }
}

export const ATTR = aggregate('ATTR', CATEGORY, 'Returns the single value a column takes in the group, or NULL when it takes more than one (for columns that should have one value per key).', [
  aggSig([param('col', T)], T, (t) => attr(t[0]!)),
])

// ---- SUM_LIST --------------------------------------------------------------------------------

function listTotal(list: unknown): number {
  let total = 0
  if (list !== null && list !== undefined) for (const x of list as (number | null)[]) if (x !== null) total += x
  return total
}

const sumList: AggregateImpl<number> = {
  stateType: DOUBLE,
  initialize: () => 0,
  aggregate: (args, s) => s + listTotal(args[0]),
  undo: (args, s) => s - listTotal(args[0]),
  merge: (a, b) => a + b,
  result: (s) => s,
}

export const SUM_LIST = aggregate('SUM_LIST', CATEGORY, 'Returns the sum of the elements contained in the lists (NULL elements and lists are skipped).', [
  aggSig([param('list', SqlTypes.array(DOUBLE))], DOUBLE, () => sumList),
])

export const aggregateFunctions: readonly AggregateFunction[] = [
  ATTR, SUM_LIST,
  COUNT, COUNT_DISTINCT, SUM, AVG, MIN, MAX, COLLECT_LIST, COLLECT_SET, EARLIEST_BY_OFFSET, LATEST_BY_OFFSET,
  TOPK, TOPKDISTINCT, HISTOGRAM, STDDEV_SAMP, STDDEV_SAMPLE, CORRELATION,
]

