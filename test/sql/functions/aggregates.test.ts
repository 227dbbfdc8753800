import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FunctionError } from '../../../sql/functions/errors.js'
import type { AggregateImpl } from '../../../sql/functions/registry-types.js'
import { SqlDecimal } from '../../../sql/types/decimal.js'
import { BIGINT, DOUBLE, INTEGER, STRING, dec, decType, aggregateFn, runAggregate } from './helpers.js'

const rows = (...values: unknown[]): unknown[][] => values.map((v) => [v])

/** Folds with a fresh state each time, so mutation of one run never leaks into another. */
function fold(impl: AggregateImpl, values: readonly unknown[][]): unknown {
  let s = impl.initialize()
  for (const v of values) s = impl.aggregate(v, s)
  return s
}

describe('COUNT', () => {
  it('COUNT(*) counts every row, COUNT(col) the non-NULL ones', () => {
    expect(runAggregate(aggregateFn('COUNT', []), [[], [], []])).toBe(3)
    expect(runAggregate(aggregateFn('COUNT', [STRING]), rows('a', null, 'b'))).toBe(2)
    expect(runAggregate(aggregateFn('COUNT', [STRING]), [])).toBe(0)
  })
  it('undoes and merges', () => {
    const c = aggregateFn('COUNT', [INTEGER])
    let s = fold(c, rows(1, 2, null))
    s = c.undo!([2], s)
    s = c.undo!([null], s)
    expect(c.result(s)).toBe(1)
    expect(c.result(c.merge!(fold(c, rows(1, 2)), fold(c, rows(3))))).toBe(3)
  })
})

describe('SUM', () => {
  it('sums each numeric type into its own type, skipping NULLs', () => {
    expect(aggregateFn('SUM', [INTEGER]).stateType).toEqual(INTEGER)
    expect(runAggregate(aggregateFn('SUM', [INTEGER]), rows(1, null, 2))).toBe(3)
    expect(runAggregate(aggregateFn('SUM', [BIGINT]), rows(10_000_000_000, 5))).toBe(10_000_000_005)
    expect(runAggregate(aggregateFn('SUM', [DOUBLE]), rows(1.5, 2.25))).toBe(3.75)
    expect(runAggregate(aggregateFn('SUM', [INTEGER]), [])).toBe(0)
  })
  it('wraps INTEGER overflow as Java int arithmetic does', () => {
    expect(runAggregate(aggregateFn('SUM', [INTEGER]), rows(2147483647, 1))).toBe(-2147483648)
  })
  it('sums DECIMAL exactly at the column scale', () => {
    const sum = aggregateFn('SUM', [decType(4, 2)])
    const r = runAggregate(sum, rows(dec('10.01'), dec('0.09'), null)) as { toString(): string }
    expect(r.toString()).toBe('10.10')
    expect(sum.stateType).toEqual(decType(4, 2))
  })
  it('fails with ksqlDB\'s overflow message past the DECIMAL precision', () => {
    const sum = aggregateFn('SUM', [decType(4, 2)])
    expect(() => runAggregate(sum, rows(dec('99.99'), dec('0.01')))).toThrow(FunctionError)
    expect(() => runAggregate(sum, rows(dec('99.99'), dec('0.01')))).toThrow(
      'Numeric field overflow: A field with precision 4 and scale 2 must round to an absolute value less than 10^2. Got 100.00',
    )
  })
  it('undo is the inverse of aggregate (property)', () => {
    const sum = aggregateFn('SUM', [BIGINT])
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e6, max: 1e6 })), fc.integer({ min: -1e6, max: 1e6 }), (xs, y) => {
        const base = fold(sum, rows(...xs))
        expect(sum.result(sum.undo!([y], sum.aggregate([y], base)))).toBe(sum.result(fold(sum, rows(...xs))))
      }),
    )
  })
  it('merge of two halves equals the whole (property, decimals)', () => {
    const sum = aggregateFn('SUM', [decType(12, 3)])
    const decimal = fc.bigInt({ min: -(10n ** 8n), max: 10n ** 8n }).map((u) => new SqlDecimal(u, 3))
    fc.assert(
      fc.property(fc.array(decimal), fc.array(decimal), (a, b) => {
        const whole = sum.result(fold(sum, rows(...a, ...b))) as { toString(): string }
        const merged = sum.result(sum.merge!(fold(sum, rows(...a)), fold(sum, rows(...b)))) as { toString(): string }
        expect(merged.toString()).toBe(whole.toString())
      }),
    )
  })
})

describe('AVG', () => {
  it('returns a DOUBLE average, 0.0 for no values, skipping NULLs', () => {
    expect(runAggregate(aggregateFn('AVG', [INTEGER]), rows(1, 2, null))).toBe(1.5)
    expect(runAggregate(aggregateFn('AVG', [BIGINT]), [])).toBe(0)
    expect(aggregateFn('AVG', [INTEGER]).stateType).toEqual({ kind: 'STRUCT', fields: [{ name: 'SUM', type: INTEGER }, { name: 'COUNT', type: BIGINT }] })
  })
  it('undoes a table row', () => {
    const a = aggregateFn('AVG', [DOUBLE])
    const s = a.undo!([4], fold(a, rows(1, 2, 4)))
    expect(a.result(s)).toBe(1.5)
  })
})

describe('MIN and MAX', () => {
  it('ignore NULLs and keep the input type', () => {
    expect(runAggregate(aggregateFn('MIN', [INTEGER]), rows(3, null, 1, 2))).toBe(1)
    expect(runAggregate(aggregateFn('MAX', [STRING]), rows('apple', 'pear', null))).toBe('pear')
    expect(runAggregate(aggregateFn('MAX', [INTEGER]), rows(null))).toBe(null)
    expect((runAggregate(aggregateFn('MAX', [decType(5, 2)]), rows(dec('1.50'), dec('10.25'))) as object).toString()).toBe('10.25')
  })
  it('apply to streams only (no undo) and merge session windows', () => {
    const m = aggregateFn('MIN', [BIGINT])
    expect(m.undo).toBeUndefined()
    expect(m.result(m.merge!(fold(m, rows(5, 7)), fold(m, rows(6, 2))))).toBe(2)
  })
})
