// Examples from ksqlDB's scalar-function reference, verbatim inputs and outputs (whitespace of
// JSON outputs aside: ksqlDB writes compact JSON).
import { describe, expect, it } from 'vitest'
import { SqlTypes } from '../../../sql/types/sql-type.js'
import { INTEGER, STRING, TIMESTAMP, TIME, DATE, scalarFn } from './helpers.js'

const S = STRING

describe('ksqlDB reference examples', () => {
  it('LPAD and SUBSTRING', () => {
    const lpad = scalarFn('LPAD', [S, INTEGER, S])
    expect(lpad('Foo', 7, 'Bar')).toBe('BarBFoo')
    expect(lpad('Foo', 2, 'Bar')).toBe('Fo')
    expect(lpad('', 2, 'Bar')).toBe('Ba')
    expect(lpad('123', 5, '0')).toBe('00123')
    expect(scalarFn('SUBSTRING', [S, INTEGER, INTEGER])('stream', 1, 4)).toBe('stre')
  })
  it('CHR', () => {
    expect(scalarFn('CHR', [INTEGER])(22909)).toBe('好')
    expect(scalarFn('CHR', [S])('\\u597d')).toBe('好')
  })
  it('SPLIT_TO_MAP with a two-character delimiter', () => {
    expect(scalarFn('SPLIT_TO_MAP', [S, S, S])("'apple':='green'/'cherry':='red'".replace(/'/g, ''), '/', ':=')).toEqual(new Map([['apple', 'green'], ['cherry', 'red']]))
  })
  it('JSON_CONCAT', () => {
    const f = scalarFn('JSON_CONCAT', [S, S])
    expect(f('{"a": {"5": 6}}', '{"a": {"3": 4}}')).toBe('{"a":{"3":4}}')
    expect(f('[1, [2]]', '[[[3]], [[[4]]]]')).toBe('[1,[2],[[3]],[[[4]]]]')
    expect(f('null', 'null')).toBe('[null,null]')
    expect(f('[1, 2]', '{"a": 1}')).toBe('[1,2,{"a":1}]')
    expect(f('[1, 2]', '3')).toBe('[1,2,3]')
    expect(f('[]', '[]')).toBe('[]')
    // 'abc' is not JSON: the function fails, which ksqlDB logs and turns into NULL
    expect(() => f('abc', '[1]')).toThrow('Invalid JSON format')
  })
  it('JSON_ITEMS and JSON_RECORDS', () => {
    expect(scalarFn('JSON_ITEMS', [S])('[]')).toEqual([])
    expect(scalarFn('JSON_ITEMS', [S])('[1, 2, 3]')).toEqual(['1', '2', '3'])
    expect(scalarFn('JSON_RECORDS', [S])('{}')).toEqual(new Map())
  })
  it('TO_JSON_STRING', () => {
    const parseDate = scalarFn('PARSE_DATE', [S, S])
    const parseTime = scalarFn('PARSE_TIME', [S, S])
    const parseTs = scalarFn('PARSE_TIMESTAMP', [S, S])
    expect(scalarFn('TO_JSON_STRING', [DATE])(parseDate('2021-10-11', 'yyyy-MM-dd'))).toBe('"2021-10-11"')
    expect(scalarFn('TO_JSON_STRING', [TIME])(parseTime('13:25', 'HH:mm'))).toBe('"13:25"')
    // June has 30 days: Java's SMART resolver clamps the 31st to the 30th
    expect(scalarFn('TO_JSON_STRING', [TIMESTAMP])(parseTs('2021-06-31 12:18:39.446', 'yyyy-MM-dd HH:mm:ss.SSS'))).toBe('"2021-06-30T12:18:39.446"')
    const inner = SqlTypes.struct([{ name: 'JSON_KEY', type: INTEGER }, { name: 'JSON_VALUE', type: SqlTypes.map(S, INTEGER) }])
    expect(scalarFn('TO_JSON_STRING', [SqlTypes.array(inner)])([{ JSON_KEY: 1, JSON_VALUE: new Map([['c', 2], ['d', 3]]) }])).toBe('[{"JSON_KEY":1,"JSON_VALUE":{"c":2,"d":3}}]')
  })
})

describe('ksqlDB reference examples (continued)', () => {
  it('ARRAY_SORT', () => {
    const sort = scalarFn('ARRAY_SORT', [SqlTypes.array(INTEGER)])
    expect(sort([-1, 2, null, 0])).toEqual([-1, 0, 2, null])
    expect(scalarFn('ARRAY_SORT', [SqlTypes.array(SqlTypes.BOOLEAN)])([false, null, true])).toEqual([false, true, null])
    expect(scalarFn('ARRAY_SORT', [SqlTypes.array(S)])(['Foo', 'Bar', null, 'baz'])).toEqual(['Bar', 'Foo', 'baz', null])
  })
  it('MASK and REGEXP_EXTRACT', () => {
    expect(scalarFn('MASK', [S])('My Test $123')).toBe('Xx-Xxxx--nnn')
    expect(scalarFn('MASK', [S, S, S, S, S])('My Test $123', '*', null, '1', null)).toBe('*y *est $111')
    expect(scalarFn('REGEXP_EXTRACT', [S, S, INTEGER])('(.*) (.*)', 'hello there', 2)).toBe('there')
  })
  it('time zone ids as java.util.TimeZone names them (UTC, America/Los_Angeles, PDT, Europe/London)', () => {
    const f = scalarFn('FORMAT_TIMESTAMP', [TIMESTAMP, S, S])
    const t = Date.parse('2021-07-01T12:00:00Z')
    expect(f(t, 'HH:mm', 'UTC')).toBe('12:00')
    expect(f(t, 'HH:mm', 'America/Los_Angeles')).toBe('05:00')
    expect(f(t, 'HH:mm', 'PDT')).toBe('05:00')
    expect(f(t, 'HH:mm', 'PST')).toBe('05:00')
    expect(f(t, 'HH:mm', 'Europe/London')).toBe('13:00')
    expect(f(t, 'HH:mm', 'EST')).toBe('07:00')
  })
})

describe('ksqlDB reference examples: collections', () => {
  const A = SqlTypes.array
  it('ARRAY_CONCAT, ARRAY_MAX, ARRAY_REMOVE', () => {
    expect(scalarFn('ARRAY_CONCAT', [A(INTEGER), A(INTEGER)])([1, 2, 3, 1, 2], [4, 1])).toEqual([1, 2, 3, 1, 2, 4, 1])
    expect(scalarFn('ARRAY_CONCAT', [A(S), A(S)])(['apple', 'apple', null, 'cherry'], ['cherry'])).toEqual(['apple', 'apple', null, 'cherry', 'cherry'])
    expect(scalarFn('ARRAY_MAX', [A(INTEGER)])([-1, 2, null, 0])).toBe(2)
    expect(scalarFn('ARRAY_MAX', [A(SqlTypes.BOOLEAN)])([false, null, true])).toBe(true)
    expect(scalarFn('ARRAY_MAX', [A(S)])(['Foo', 'Bar', null, 'baz'])).toBe('baz')
    expect(scalarFn('ARRAY_REMOVE', [A(INTEGER), INTEGER])([1, 2, 3, 2, 1], 2)).toEqual([1, 3, 1])
    expect(scalarFn('ARRAY_REMOVE', [A(SqlTypes.BOOLEAN), SqlTypes.BOOLEAN])([false, null, true, true], false)).toEqual([null, true, true])
    expect(scalarFn('ARRAY_REMOVE', [A(S), SqlTypes.NULL])(['Foo', 'Bar', null, 'baz'], null)).toEqual(['Foo', 'Bar', 'baz'])
  })
  it('MAP_KEYS and MAP_UNION', () => {
    const M = SqlTypes.map(S, INTEGER)
    expect(scalarFn('MAP_KEYS', [M])(new Map([['apple', 10], ['banana', 20]]))).toEqual(['apple', 'banana'])
    expect(scalarFn('MAP_UNION', [M, M])(new Map([['apple', 10], ['banana', 20]]), new Map([['cherry', 99]]))).toEqual(new Map([['apple', 10], ['banana', 20], ['cherry', 99]]))
    expect(scalarFn('MAP_UNION', [M, M])(new Map([['apple', 10], ['banana', 20]]), new Map([['apple', 50]]))).toEqual(new Map([['apple', 50], ['banana', 20]]))
  })
})
