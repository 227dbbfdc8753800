import { describe, expect, it } from 'vitest'
import type { ScalarSignature } from '../../../sql/functions/registry-types.js'
import { SqlTypes, type SqlType } from '../../../sql/types/sql-type.js'
import { BIGINT, BOOLEAN, DOUBLE, INTEGER, NULL, STRING, dec, decType, lambdaArg, registry } from './helpers.js'

const arr = SqlTypes.array
const map = SqlTypes.map
type Arg = SqlType | ReturnType<typeof lambdaArg>

function fn(name: string, types: readonly Arg[]): (...args: unknown[]) => unknown {
  const call = registry.resolve(name, types)
  return (call.signature as ScalarSignature).create(call.argTypes, call.returnType)
}
const ret = (name: string, types: readonly Arg[]): SqlType => registry.resolve(name, types).returnType

describe('set-like array functions (ksqlDB docs examples)', () => {
  it('ARRAY_DISTINCT keeps first occurrences, NULL included', () => {
    expect(fn('ARRAY_DISTINCT', [arr(INTEGER)])([1, 1, 2, 3, 1, 2])).toEqual([1, 2, 3])
    expect(fn('ARRAY_DISTINCT', [arr(STRING)])(['apple', 'apple', null, 'cherry'])).toEqual(['apple', null, 'cherry'])
    expect(fn('ARRAY_DISTINCT', [arr(STRING)])(null)).toBe(null)
  })
  it('ARRAY_EXCEPT, ARRAY_INTERSECT, ARRAY_UNION', () => {
    expect(fn('ARRAY_EXCEPT', [arr(INTEGER), arr(INTEGER)])([1, 2, 3, 1, 2], [2, 3])).toEqual([1])
    expect(fn('ARRAY_EXCEPT', [arr(STRING), arr(STRING)])(['apple', 'apple', null, 'cherry'], ['cherry'])).toEqual(['apple', null])
    expect(fn('ARRAY_INTERSECT', [arr(INTEGER), arr(INTEGER)])([1, 2, 3, 1, 2], [2, 1])).toEqual([1, 2])
    expect(fn('ARRAY_UNION', [arr(INTEGER), arr(INTEGER)])([1, 2, 3, 1, 2], [4, 1])).toEqual([1, 2, 3, 4])
    expect(fn('ARRAY_UNION', [arr(INTEGER), arr(INTEGER)])([1], null)).toBe(null)
  })
  it('ARRAY_CONTAINS and ARRAY_REMOVE compare by value, decimals numerically', () => {
    expect(fn('ARRAY_CONTAINS', [arr(INTEGER), INTEGER])([1, 2], 2)).toBe(true)
    expect(fn('ARRAY_CONTAINS', [arr(INTEGER), INTEGER])(null, 2)).toBe(false)
    expect(fn('ARRAY_CONTAINS', [arr(decType(3, 1)), decType(3, 1)])([dec('1.5')], dec('1.5'))).toBe(true)
    expect(fn('ARRAY_REMOVE', [arr(INTEGER), INTEGER])([1, 2, null, 2], 2)).toEqual([1, null])
    expect(fn('ARRAY_REMOVE', [arr(INTEGER), NULL])([1, null], null)).toEqual([1])
  })
})

describe('ARRAY_CONCAT, ARRAY_JOIN, ARRAY_LENGTH, ARRAY_MIN, ARRAY_MAX', () => {
  it('ARRAY_CONCAT treats a NULL side as empty', () => {
    expect(fn('ARRAY_CONCAT', [arr(INTEGER), arr(INTEGER)])([1], [2, 3])).toEqual([1, 2, 3])
    expect(fn('ARRAY_CONCAT', [arr(INTEGER), arr(INTEGER)])(null, [2])).toEqual([2])
    expect(fn('ARRAY_CONCAT', [arr(INTEGER), arr(INTEGER)])(null, null)).toBe(null)
  })
  it('ARRAY_JOIN writes primitives as Java does', () => {
    expect(fn('ARRAY_JOIN', [arr(INTEGER), STRING])([1, 2, 3], '|')).toBe('1|2|3')
    expect(fn('ARRAY_JOIN', [arr(BOOLEAN)])([true, false])).toBe('true,false')
    expect(fn('ARRAY_JOIN', [arr(DOUBLE)])([1, 2.5, 1e7])).toBe('1.0,2.5,1.0E7')
    expect(fn('ARRAY_JOIN', [arr(STRING), STRING])(['a', null], '-')).toBe('a-null')
    expect(fn('ARRAY_JOIN', [arr(decType(3, 2))])([dec('1.50')])).toBe('1.50')
    expect(() => fn('ARRAY_JOIN', [arr(arr(INTEGER))])).toThrow('primitive types')
  })
  it('ARRAY_LENGTH, ARRAY_MIN, ARRAY_MAX', () => {
    expect(fn('ARRAY_LENGTH', [arr(STRING)])(['a', null])).toBe(2)
    expect(fn('ARRAY_LENGTH', [arr(STRING)])(null)).toBe(null)
    expect(fn('ARRAY_MAX', [arr(INTEGER)])([1, null, 3, 2])).toBe(3)
    expect(fn('ARRAY_MIN', [arr(STRING)])(['b', 'a', null])).toBe('a')
    expect(fn('ARRAY_MIN', [arr(INTEGER)])([null])).toBe(null)
    expect(ret('ARRAY_MAX', [arr(BIGINT)])).toEqual(BIGINT)
  })
})

describe('ARRAY_SORT and SLICE', () => {
  it('ARRAY_SORT sorts ascending or descending with NULLs last', () => {
    expect(fn('ARRAY_SORT', [arr(STRING)])(['foo', 'bar', null])).toEqual(['bar', 'foo', null])
    expect(fn('ARRAY_SORT', [arr(INTEGER), STRING])([2, null, 1, 3], 'desc')).toEqual([3, 2, 1, null])
    expect(fn('ARRAY_SORT', [arr(INTEGER), STRING])([2, 1], 'sideways')).toBe(null)
  })
  it('SLICE takes 1-based inclusive bounds, NULL when out of range', () => {
    const s = fn('SLICE', [arr(INTEGER), INTEGER, INTEGER])
    expect(s([1, 2, 3, 4], 2, 3)).toEqual([2, 3])
    expect(s([1, 2, 3, 4], null, 2)).toEqual([1, 2])
    expect(s([1, 2, 3, 4], 3, null)).toEqual([3, 4])
    expect(s([1, 2, 3, 4], 0, 2)).toBe(null)
    expect(s([1, 2, 3, 4], 2, 5)).toBe(null)
  })
})

describe('GENERATE_SERIES', () => {
  it('counts up or down, inclusive, with an optional step', () => {
    expect(fn('GENERATE_SERIES', [INTEGER, INTEGER])(1, 5)).toEqual([1, 2, 3, 4, 5])
    expect(fn('GENERATE_SERIES', [INTEGER, INTEGER])(3, 1)).toEqual([3, 2, 1])
    expect(fn('GENERATE_SERIES', [INTEGER, INTEGER, INTEGER])(0, 9, 3)).toEqual([0, 3, 6, 9])
    expect(fn('GENERATE_SERIES', [INTEGER, INTEGER, INTEGER])(5, 0, -2)).toEqual([5, 3, 1])
    expect(ret('GENERATE_SERIES', [BIGINT, BIGINT])).toEqual(arr(BIGINT))
  })
  it('rejects a zero step or a step of the wrong sign', () => {
    expect(() => fn('GENERATE_SERIES', [INTEGER, INTEGER, INTEGER])(0, 9, 0)).toThrow('GENERATE_SERIES step cannot be zero')
    expect(() => fn('GENERATE_SERIES', [INTEGER, INTEGER, INTEGER])(0, 9, -1)).toThrow('GENERATE_SERIES step has wrong sign')
  })
})

describe('map functions', () => {
  it('AS_MAP pairs keys and values', () => {
    expect(fn('AS_MAP', [arr(STRING), arr(INTEGER)])(['a', 'b'], [1])).toEqual(new Map([['a', 1], ['b', null]]))
    expect(ret('AS_MAP', [arr(STRING), arr(INTEGER)])).toEqual(map(STRING, INTEGER))
  })
  it('MAP_KEYS, MAP_VALUES and MAP_UNION', () => {
    const m = new Map([['a', 1], ['b', 2]])
    expect(fn('MAP_KEYS', [map(STRING, INTEGER)])(m)).toEqual(['a', 'b'])
    expect(fn('MAP_VALUES', [map(STRING, INTEGER)])(m)).toEqual([1, 2])
    expect(ret('MAP_VALUES', [map(STRING, INTEGER)])).toEqual(arr(INTEGER))
    expect(fn('MAP_UNION', [map(STRING, INTEGER), map(STRING, INTEGER)])(m, new Map([['b', 3], ['c', 4]]))).toEqual(new Map([['a', 1], ['b', 3], ['c', 4]]))
    expect(fn('MAP_UNION', [map(STRING, INTEGER), map(STRING, INTEGER)])(null, m)).toEqual(m)
    expect(fn('MAP_UNION', [map(STRING, INTEGER), map(STRING, INTEGER)])(null, null)).toBe(null)
  })
  it('ENTRIES makes K/V structs, sorted by key on request', () => {
    const m = new Map([['b', 2], ['a', 1]])
    expect(fn('ENTRIES', [map(STRING, INTEGER), BOOLEAN])(m, true)).toEqual([{ K: 'a', V: 1 }, { K: 'b', V: 2 }])
    expect(fn('ENTRIES', [map(STRING, INTEGER), BOOLEAN])(m, false)).toEqual([{ K: 'b', V: 2 }, { K: 'a', V: 1 }])
    expect(ret('ENTRIES', [map(STRING, INTEGER), BOOLEAN])).toEqual(arr(SqlTypes.struct([{ name: 'K', type: STRING }, { name: 'V', type: INTEGER }])))
  })
})

describe('lambda functions', () => {
  it('TRANSFORM types its lambda from the array and returns the body type', () => {
    const body = lambdaArg(1, STRING)
    expect(ret('TRANSFORM', [arr(INTEGER), body])).toEqual(arr(STRING))
    expect(body.seen).toEqual([[INTEGER]])
    expect(fn('TRANSFORM', [arr(INTEGER), lambdaArg(1, INTEGER)])([1, 2], (x: number) => x + 5)).toEqual([6, 7])
  })
  it('TRANSFORM over a map uses two (key, value) lambdas', () => {
    const types = [map(STRING, INTEGER), lambdaArg(2, STRING), lambdaArg(2, BIGINT)]
    expect(ret('TRANSFORM', types)).toEqual(map(STRING, BIGINT))
    const out = fn('TRANSFORM', types)(new Map([['a', 1]]), (k: string) => k.toUpperCase(), (_k: string, v: number) => v * 10)
    expect(out).toEqual(new Map([['A', 10]]))
  })
  it('FILTER keeps elements or entries the predicate accepts (NULL counts as false)', () => {
    expect(fn('FILTER', [arr(INTEGER), lambdaArg(1, BOOLEAN)])([1, 2, 3, 4], (x: number) => (x === 3 ? null : x > 1))).toEqual([2, 4])
    expect(fn('FILTER', [map(STRING, INTEGER), lambdaArg(2, BOOLEAN)])(new Map([['a', 1], ['b', 2]]), (_k: string, v: number) => v > 1)).toEqual(new Map([['b', 2]]))
    expect(() => registry.resolve('FILTER', [arr(INTEGER), lambdaArg(1, STRING)])).toThrow('does not accept parameters')
  })
  it('REDUCE binds the state type from the initial state', () => {
    const body = lambdaArg(2, (p) => p[0]!)
    expect(ret('REDUCE', [arr(INTEGER), BIGINT, body])).toEqual(BIGINT)
    expect(body.seen[0]).toEqual([BIGINT, INTEGER])
    const sum = fn('REDUCE', [arr(INTEGER), INTEGER, lambdaArg(2, INTEGER)])
    expect(sum([2, 3], 0, (s: number, x: number) => s + x)).toBe(5)
    expect(sum(null, 7, (s: number, x: number) => s + x)).toBe(7)
    expect(sum([1], null, (s: number, x: number) => s + x)).toBe(null)
    const mapSum = fn('REDUCE', [map(STRING, INTEGER), INTEGER, lambdaArg(3, INTEGER)])
    expect(mapSum(new Map([['a', 1], ['b', 2]]), 10, (s: number, _k: string, v: number) => s + v)).toBe(13)
  })
})
