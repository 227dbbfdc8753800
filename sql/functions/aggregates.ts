// Aggregate functions (ksqlDB's UDAFs). States are values of their stateType in the runtime
// representation so the planner stores them generically. undo exists where ksqlDB lets the
// function aggregate a table; merge where it supports session windows.
import { SqlDecimal } from '../types/decimal.js'
import { SqlTypes, type SqlType } from '../types/sql-type.js'
import {
  ANY_DECIMAL, BIGINT, BOOLEAN, BYTES, DATE, DOUBLE, INTEGER, STRING, TIME, TIMESTAMP, T,
  aggSig, aggregate, param, sameAsFirst,
} from './define.js'
import { FunctionError } from './errors.js'
import type { AggregateFunction, AggregateImpl, AggregateSignature } from './registry-types.js'
import { compareValues } from './values.js'

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

/** Throws ksqlDB's overflow error when `value` does not fit DECIMAL(precision, scale). */
export function checkDecimalFits(value: SqlDecimal, precision: number, scale: number): SqlDecimal {
  const digits = precision - scale
  const abs = value.unscaled < 0n ? -value.unscaled : value.unscaled
  if (abs >= 10n ** BigInt(precision) || (value.scale !== scale && value.setScale(scale).precision() > precision)) {
    throw new FunctionError(
      'FUNCTION_ERROR',
      `Numeric field overflow: A field with precision ${precision} and scale ${scale} must round to an absolute value less than 10^${digits}. Got ${value.toString()}`,
    )
  }
  return value
}

function decimalSum(type: SqlType): AggregateImpl<SqlDecimal> {
  if (type.kind !== 'DECIMAL') throw new FunctionError('INVALID_ARGUMENT', `SUM over ${type.kind}`, 'SUM')
  const { precision, scale } = type
  return {
    stateType: type,
    initialize: () => new SqlDecimal(0n, scale),
    aggregate: (args, s) => (args[0] === null ? s : checkDecimalFits(s.add((args[0] as SqlDecimal).setScale(scale)), precision, scale)),
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

export const aggregateFunctions: readonly AggregateFunction[] = [COUNT, SUM, AVG, MIN, MAX]

