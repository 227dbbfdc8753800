import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FunctionError } from '../../../sql/functions/errors.js'
import { createBuiltinRegistry } from '../../../sql/functions/builtin.js'
import type { AggregateImpl, AggregateSignature } from '../../../sql/functions/registry-types.js'
import { SqlDecimal } from '../../../sql/types/decimal.js'
import { BIGINT, BOOLEAN, DOUBLE, INTEGER, STRING, dec, decType, aggregateFn, registry, runAggregate } from './helpers.js'

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

describe('COUNT_DISTINCT', () => {
  it('counts distinct non-NULL values and merges', () => {
    const c = aggregateFn('COUNT_DISTINCT', [STRING])
    expect(runAggregate(c, rows('a', 'b', 'a', null))).toBe(2)
    expect(c.result(c.merge!(fold(c, rows('a', 'b')), fold(c, rows('b', 'c'))))).toBe(3)
    expect(runAggregate(aggregateFn('COUNT_DISTINCT', [decType(3, 1)]), rows(dec('1.0'), dec('1.0'), dec('2.0')))).toBe(2)
  })
})

describe('COLLECT_LIST and COLLECT_SET', () => {
  it('COLLECT_LIST keeps every value in order, NULLs included', () => {
    const c = aggregateFn('COLLECT_LIST', [INTEGER])
    expect(c.stateType).toEqual({ kind: 'ARRAY', element: INTEGER })
    expect(runAggregate(c, rows(1, null, 1, 2))).toEqual([1, null, 1, 2])
  })
  it('COLLECT_LIST undo removes the last equal value (table aggregation)', () => {
    const c = aggregateFn('COLLECT_LIST', [STRING])
    expect(c.result(c.undo!(['a'], fold(c, rows('a', 'b', 'a', 'c'))))).toEqual(['a', 'b', 'c'])
    expect(c.result(c.merge!(fold(c, rows('a')), fold(c, rows('b'))))).toEqual(['a', 'b'])
  })
  it('COLLECT_SET keeps distinct values in first-seen order and has no undo', () => {
    const c = aggregateFn('COLLECT_SET', [STRING])
    expect(runAggregate(c, rows('b', 'a', 'b', 'a', 'c'))).toEqual(['b', 'a', 'c'])
    expect(c.undo).toBeUndefined()
    expect(c.result(c.merge!(fold(c, rows('a', 'b')), fold(c, rows('b', 'c'))))).toEqual(['a', 'b', 'c'])
  })
})

describe('EARLIEST_BY_OFFSET and LATEST_BY_OFFSET', () => {
  it('return the first and last non-NULL values by default', () => {
    expect(runAggregate(aggregateFn('EARLIEST_BY_OFFSET', [STRING]), rows(null, 'a', 'b', null))).toBe('a')
    expect(runAggregate(aggregateFn('LATEST_BY_OFFSET', [STRING]), rows(null, 'a', 'b', null))).toBe('b')
  })
  it('keep NULLs when ignoreNulls is false', () => {
    expect(runAggregate(aggregateFn('EARLIEST_BY_OFFSET', [STRING, BOOLEAN], [false]), rows(null, 'a'))).toBe(null)
    expect(runAggregate(aggregateFn('LATEST_BY_OFFSET', [STRING, BOOLEAN], [false]), rows('a', null))).toBe(null)
  })
  it('return N values in offset order', () => {
    expect(runAggregate(aggregateFn('EARLIEST_BY_OFFSET', [INTEGER, INTEGER], [2]), rows(1, null, 2, 3))).toEqual([1, 2])
    expect(runAggregate(aggregateFn('LATEST_BY_OFFSET', [INTEGER, INTEGER], [2]), rows(1, 2, 3, null))).toEqual([2, 3])
    expect(runAggregate(aggregateFn('LATEST_BY_OFFSET', [INTEGER, INTEGER, BOOLEAN], [2, false]), rows(1, 2, 3, null))).toEqual([3, null])
    expect(() => aggregateFn('LATEST_BY_OFFSET', [INTEGER, INTEGER], [0])).toThrow('positive integer')
  })
  it('merge session windows by processing order', () => {
    const e = aggregateFn('EARLIEST_BY_OFFSET', [STRING])
    const l = aggregateFn('LATEST_BY_OFFSET', [STRING])
    const first = fold(e, rows('x'))
    const second = fold(e, rows('y'))
    expect(e.result(e.merge!(second, first))).toBe('x')
    const lf = fold(l, rows('x'))
    const ls = fold(l, rows('y'))
    expect(l.result(l.merge!(ls, lf))).toBe('y')
    expect(e.undo).toBeUndefined()
  })
})

describe('TOPK and TOPKDISTINCT', () => {
  it('return the k largest values, largest first', () => {
    expect(runAggregate(aggregateFn('TOPK', [INTEGER, INTEGER], [3]), rows(5, 1, 9, null, 9, 7))).toEqual([9, 9, 7])
    expect(runAggregate(aggregateFn('TOPKDISTINCT', [INTEGER, INTEGER], [3]), rows(5, 1, 9, null, 9, 7))).toEqual([9, 7, 5])
    expect(runAggregate(aggregateFn('TOPK', [STRING, INTEGER], [2]), rows('a', 'c', 'b'))).toEqual(['c', 'b'])
    expect(aggregateFn('TOPK', [BIGINT, INTEGER], [2]).stateType).toEqual({ kind: 'ARRAY', element: BIGINT })
  })
  it('TOPK with other columns returns structs of sort_col and col0.. (ksqlDB docs)', () => {
    const t = aggregateFn('TOPK', [INTEGER, STRING, BOOLEAN, INTEGER], [2])
    expect(registry.resolve('TOPK', [INTEGER, STRING, BOOLEAN, INTEGER]).returnType).toEqual({
      kind: 'ARRAY',
      element: { kind: 'STRUCT', fields: [{ name: 'sort_col', type: INTEGER }, { name: 'col0', type: STRING }, { name: 'col1', type: BOOLEAN }] },
    })
    expect(runAggregate(t, [[5, 'a', true], [null, 'x', false], [9, 'b', false], [7, 'c', null]])).toEqual([
      { sort_col: 9, col0: 'b', col1: false },
      { sort_col: 7, col0: 'c', col1: null },
    ])
  })
  it('merge equals aggregating everything (property)', () => {
    const t = aggregateFn('TOPK', [BIGINT, INTEGER], [4])
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.array(fc.integer()), (a, b) => {
        expect(t.result(t.merge!(fold(t, rows(...a)), fold(t, rows(...b))))).toEqual(t.result(fold(t, rows(...a, ...b))))
      }),
    )
  })
})

describe('HISTOGRAM', () => {
  it('counts each value, undoes and merges', () => {
    const h = aggregateFn('HISTOGRAM', [STRING])
    const s = fold(h, rows('a', 'b', 'a', null))
    expect(h.result(s)).toEqual(new Map([['a', 2], ['b', 1]]))
    expect(h.result(h.undo!(['b'], s))).toEqual(new Map([['a', 2]]))
    expect(h.result(h.merge!(fold(h, rows('a')), fold(h, rows('a', 'c'))))).toEqual(new Map([['a', 2], ['c', 1]]))
  })
})

describe('STDDEV_SAMP', () => {
  it('STDDEV_SAMP is the sample variance (as ksqlDB documents), STDDEV_SAMPLE its square root; 0.0 below two values', () => {
    // values 2,4,4,4,5,5,7,9: mean 5, squared deviations sum 32, sample variance 32/7
    expect(runAggregate(aggregateFn('STDDEV_SAMP', [INTEGER]), rows(2, 4, 4, 4, 5, 5, 7, 9, null))).toBeCloseTo(32 / 7, 12)
    expect(runAggregate(aggregateFn('STDDEV_SAMPLE', [INTEGER]), rows(2, 4, 4, 4, 5, 5, 7, 9, null))).toBeCloseTo(Math.sqrt(32 / 7), 12)
    expect(runAggregate(aggregateFn('STDDEV_SAMP', [DOUBLE]), rows(3.5))).toBe(0)
    expect(runAggregate(aggregateFn('STDDEV_SAMPLE', [BIGINT]), rows(1, 3))).toBeCloseTo(Math.SQRT2, 12)
  })
  it('undo is the inverse of aggregate and merge equals the whole (properties)', () => {
    const sd = aggregateFn('STDDEV_SAMP', [DOUBLE])
    const num = fc.integer({ min: -1000, max: 1000 })
    fc.assert(
      fc.property(fc.array(num, { minLength: 2 }), num, (xs, y) => {
        const direct = sd.result(fold(sd, rows(...xs))) as number
        const undone = sd.result(sd.undo!([y], sd.aggregate([y], fold(sd, rows(...xs))))) as number
        expect(undone).toBeCloseTo(direct, 6)
      }),
    )
    fc.assert(
      fc.property(fc.array(num), fc.array(num), (a, b) => {
        const whole = sd.result(fold(sd, rows(...a, ...b))) as number
        expect(sd.result(sd.merge!(fold(sd, rows(...a)), fold(sd, rows(...b))))).toBeCloseTo(whole, 6)
      }),
    )
  })
})

describe('CORRELATION', () => {
  it('is Pearson\'s coefficient over rows where both values are present', () => {
    const c = aggregateFn('CORRELATION', [DOUBLE, DOUBLE])
    expect(runAggregate(c, [[1, 2], [2, 4], [3, 6], [null, 1]])).toBeCloseTo(1, 12)
    expect(runAggregate(c, [[1, 3], [2, 2], [3, 1]])).toBeCloseTo(-1, 12)
    expect(runAggregate(c, [[1, 1]])).toBeNaN()
    // INTEGER columns widen to DOUBLE
    expect(aggregateFn('CORRELATION', [INTEGER, BIGINT]).stateType.kind).toBe('STRUCT')
  })
  it('undoes a row', () => {
    const c = aggregateFn('CORRELATION', [DOUBLE, DOUBLE])
    const s = c.undo!([5, -40], c.aggregate([5, -40], fold(c, [[1, 2], [2, 4], [3, 6]])))
    expect(c.result(s)).toBeCloseTo(1, 9)
  })
})

describe('ATTR and SUM_LIST', () => {
  it('ATTR returns the one value, NULL once there are two, and recovers on undo', () => {
    const a = aggregateFn('ATTR', [STRING])
    expect(runAggregate(a, rows('x', 'x'))).toBe('x')
    const s = fold(a, rows('x', 'y'))
    expect(a.result(s)).toBe(null)
    expect(a.result(a.undo!(['y'], s))).toBe('x')
    expect(a.result(a.merge!(fold(a, rows('x')), fold(a, rows('x'))))).toBe('x')
  })
  it('SUM_LIST sums the elements of each list', () => {
    const l = aggregateFn('SUM_LIST', [{ kind: 'ARRAY', element: DOUBLE }])
    const s = fold(l, [[[1.5, null, 2]], [null], [[3]]])
    expect(l.result(s)).toBe(6.5)
    expect(l.result(l.undo!([[3]], s))).toBe(3.5)
  })
})

describe('collect limits (ksql.functions.collect_list.limit, ksql.functions.collect_set.limit)', () => {
  it('keep the first values up to the limit, in aggregate and merge', () => {
    const limited = createBuiltinRegistry({ 'ksql.functions.collect_list.limit': 2, 'ksql.functions.collect_set.limit': 2 })
    const make = (name: string): AggregateImpl => {
      const call = limited.resolve(name, [STRING])
      return (call.signature as AggregateSignature).create(call.argTypes, [], call.returnType)
    }
    const list = make('COLLECT_LIST')
    expect(runAggregate(list, rows('a', 'b', 'c'))).toEqual(['a', 'b'])
    expect(list.result(list.merge!(fold(list, rows('a')), fold(list, rows('b', 'c'))))).toEqual(['a', 'b'])
    const set = make('COLLECT_SET')
    expect(runAggregate(set, rows('a', 'a', 'b', 'c'))).toEqual(['a', 'b'])
    expect(runAggregate(aggregateFn('COLLECT_LIST', [STRING]), rows('a', 'b', 'c'))).toEqual(['a', 'b', 'c'])
  })
})
