import { describe, expect, it } from 'vitest'
import { SqlTypes } from '../../../sql/types/sql-type.js'
import { BIGINT, INTEGER, NULL, STRING, dec, decType, scalarFn } from './helpers.js'

describe('IFNULL', () => {
  it('returns the expression unless it is NULL', () => {
    const f = scalarFn('IFNULL', [STRING, STRING])
    expect(f('a', 'b')).toBe('a')
    expect(f(null, 'b')).toBe('b')
    expect(f(null, null)).toBe(null)
  })
})

describe('COALESCE', () => {
  it('returns the first non-NULL argument, or NULL', () => {
    const f = scalarFn('COALESCE', [NULL, INTEGER, BIGINT])
    expect(f(null, null, 3)).toBe(3)
    expect(f(null, 2, 3)).toBe(2)
    expect(f(null, null, null)).toBe(null)
    expect(scalarFn('COALESCE', [SqlTypes.array(STRING)])(['x'])).toEqual(['x'])
  })
})

describe('NULLIF', () => {
  it('returns NULL when the arguments are equal, else the first', () => {
    const f = scalarFn('NULLIF', [INTEGER, INTEGER])
    expect(f(1, 1)).toBe(null)
    expect(f(1, 2)).toBe(1)
    expect(f(null, 2)).toBe(null)
    expect(f(1, null)).toBe(1)
    expect(scalarFn('NULLIF', [decType(3, 1), decType(3, 1)])(dec('1.0'), dec('1.0'))).toBe(null)
  })
})

describe('AS_VALUE', () => {
  it('returns its argument with its type', () => {
    expect(scalarFn('AS_VALUE', [STRING])('k')).toBe('k')
  })
})
