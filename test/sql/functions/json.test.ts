import { describe, expect, it } from 'vitest'
import { SqlTypes } from '../../../sql/types/sql-type.js'
import { BIGINT, BOOLEAN, BYTES, DATE, DOUBLE, INTEGER, NULL, STRING, TIME, TIMESTAMP, dec, decType, scalarFn } from './helpers.js'

const S = STRING

describe('EXTRACTJSONFIELD (ksqlDB docs examples)', () => {
  const doc = '{"log": {"cloud": "gcp836Csd", "app": "ksProcessor", "instance": 4, "price": 1.10, "tags": ["a", {"b": null}]}}'
  const f = scalarFn('EXTRACTJSONFIELD', [S, S])
  it('extracts text unquoted and other values as JSON text', () => {
    expect(f(doc, '$.log.cloud')).toBe('gcp836Csd')
    expect(f(doc, '$.log.instance')).toBe('4')
    expect(f(doc, '$.log.price')).toBe('1.10')
    expect(f(doc, '$.log.tags[1]')).toBe('{"b":null}')
    expect(f(doc, '$["log"]["app"]')).toBe('ksProcessor')
    expect(f(doc, '$.log.tags[1].b')).toBe('null')
  })
  it('returns NULL for missing paths and NULL input', () => {
    expect(f(doc, '$.log.region')).toBe(null)
    expect(f(doc, '$.log.tags[5]')).toBe(null)
    expect(f(doc, '$.log.cloud.x')).toBe(null)
    expect(f(null, '$.a')).toBe(null)
  })
  it('rejects invalid JSON and invalid paths', () => {
    expect(() => f('{"a":', '$.a')).toThrow('Invalid JSON format:{"a":')
    expect(() => f(doc, 'log.cloud')).toThrow("Invalid JSON path: 'log.cloud'")
  })
})

describe('JSON_ARRAY_LENGTH, JSON_KEYS, JSON_RECORDS, JSON_ITEMS', () => {
  it('JSON_ARRAY_LENGTH counts top-level elements, NULL for non-arrays', () => {
    const f = scalarFn('JSON_ARRAY_LENGTH', [S])
    expect(f('[1, 2, 3]')).toBe(3)
    expect(f('[1, [1, [2]], 3]')).toBe(3)
    expect(f('[]')).toBe(0)
    expect(f('{}')).toBe(null)
    expect(f('123')).toBe(null)
    expect(f(null)).toBe(null)
  })
  it('JSON_KEYS lists top-level keys in order', () => {
    const f = scalarFn('JSON_KEYS', [S])
    expect(f('{"a": "abc", "b": { "c": "a" }, "d": 1}')).toEqual(['a', 'b', 'd'])
    expect(f('{}')).toEqual([])
    expect(f('[]')).toBe(null)
    expect(f('')).toBe(null)
  })
  it('JSON_RECORDS maps keys to text', () => {
    expect(scalarFn('JSON_RECORDS', [S])('{"a": "abc", "b": { "c": "a" }, "d": 1, "e": null}')).toEqual(
      new Map([['a', 'abc'], ['b', '{"c":"a"}'], ['d', '1'], ['e', 'null']]),
    )
    expect(scalarFn('JSON_RECORDS', [S])('[1]')).toBe(null)
  })
  it('JSON_ITEMS returns the elements as JSON text', () => {
    expect(scalarFn('JSON_ITEMS', [S])('[{"type": "A", "timestamp": "2022-01-27"}, "x", 2]')).toEqual(['{"type":"A","timestamp":"2022-01-27"}', '"x"', '2'])
  })
})

describe('JSON_CONCAT (ksqlDB docs examples)', () => {
  const f2 = scalarFn('JSON_CONCAT', [S, S])
  it('merges objects, later keys winning', () => {
    expect(f2('{"a": 1}', '{"b": 2}')).toBe('{"a":1,"b":2}')
    expect(f2('{"a": {"3": 4}}', '{"a": {"5": 6}}')).toBe('{"a":{"5":6}}')
    expect(f2('{}', '{}')).toBe('{}')
  })
  it('concatenates arrays, wrapping other values', () => {
    expect(f2('[1, 2]', '[3, 4]')).toBe('[1,2,3,4]')
    expect(f2('[1, [2]]', '[[[3]]]')).toBe('[1,[2],[[3]]]')
    expect(f2('{"a": 1}', '[1]')).toBe('[{"a":1},1]')
    expect(f2('null', '1')).toBe('[null,1]')
    expect(f2('1', '2')).toBe('[1,2]')
    expect(scalarFn('JSON_CONCAT', [S, S, S])('[1]', '[2]', '[3]')).toBe('[1,2,3]')
  })
  it('returns NULL for a NULL or empty input', () => {
    expect(f2(null, '[1]')).toBe(null)
    expect(f2('', '[1]')).toBe(null)
  })
})

describe('IS_JSON_STRING and JSON_ARRAY_CONTAINS', () => {
  it('IS_JSON_STRING tells JSON from other text', () => {
    const f = scalarFn('IS_JSON_STRING', [S])
    for (const s of ['[1, 2, 3]', '{}', '1', '"abc"', 'null']) expect(f(s), s).toBe(true)
    for (const s of ['', 'abc', '{"a":', null]) expect(f(s), String(s)).toBe(false)
  })
  it('JSON_ARRAY_CONTAINS compares top-level scalars by type', () => {
    expect(scalarFn('JSON_ARRAY_CONTAINS', [S, INTEGER])('[1, 2, 3]', 3)).toBe(true)
    expect(scalarFn('JSON_ARRAY_CONTAINS', [S, BIGINT])('[1, 2, 3]', 4)).toBe(false)
    expect(scalarFn('JSON_ARRAY_CONTAINS', [S, S])('["abc", "def"]', 'def')).toBe(true)
    expect(scalarFn('JSON_ARRAY_CONTAINS', [S, DOUBLE])('[1.5, 2]', 1.5)).toBe(true)
    expect(scalarFn('JSON_ARRAY_CONTAINS', [S, DOUBLE])('[2]', 2)).toBe(false)
    expect(scalarFn('JSON_ARRAY_CONTAINS', [S, BOOLEAN])('[false]', false)).toBe(true)
    expect(scalarFn('JSON_ARRAY_CONTAINS', [S, NULL])('[1, null]', null)).toBe(true)
    expect(scalarFn('JSON_ARRAY_CONTAINS', [S, INTEGER])('[[1]]', 1)).toBe(false)
    expect(scalarFn('JSON_ARRAY_CONTAINS', [S, INTEGER])('not json', 1)).toBe(false)
  })
})

describe('TO_JSON_STRING', () => {
  it('writes primitives and NULL', () => {
    expect(scalarFn('TO_JSON_STRING', [INTEGER])(1)).toBe('1')
    expect(scalarFn('TO_JSON_STRING', [S])('abc')).toBe('"abc"')
    expect(scalarFn('TO_JSON_STRING', [NULL])(null)).toBe('null')
    expect(scalarFn('TO_JSON_STRING', [DOUBLE])(1)).toBe('1.0')
    expect(scalarFn('TO_JSON_STRING', [decType(4, 2)])(dec('10.50'))).toBe('10.50')
    expect(scalarFn('TO_JSON_STRING', [BYTES])(Buffer.from([1, 2, 3]))).toBe('"AQID"')
  })
  it('writes dates and times as ISO text', () => {
    expect(scalarFn('TO_JSON_STRING', [DATE])(19000)).toBe('"2022-01-08"')
    expect(scalarFn('TO_JSON_STRING', [TIME])(36_000_000)).toBe('"10:00"')
    expect(scalarFn('TO_JSON_STRING', [TIME])(36_005_123)).toBe('"10:00:05"')
    expect(scalarFn('TO_JSON_STRING', [TIMESTAMP])(1_643_241_600_123)).toBe('"2022-01-27T00:00:00.123"')
  })
  it('writes collections with struct fields and map keys sorted', () => {
    expect(scalarFn('TO_JSON_STRING', [SqlTypes.array(INTEGER)])([1, 2, null])).toBe('[1,2,null]')
    const struct = SqlTypes.struct([{ name: 'NAME', type: S }, { name: 'ID', type: INTEGER }])
    expect(scalarFn('TO_JSON_STRING', [struct])({ NAME: 'a', ID: 1 })).toBe('{"ID":1,"NAME":"a"}')
    expect(scalarFn('TO_JSON_STRING', [SqlTypes.map(S, INTEGER)])(new Map([['d', 4], ['c', 2]]))).toBe('{"c":2,"d":4}')
  })
})
