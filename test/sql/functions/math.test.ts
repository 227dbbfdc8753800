import { describe, expect, it } from 'vitest'
import { BIGINT, DOUBLE, INTEGER, dec, decType, scalarFn } from './helpers.js'

describe('ABS', () => {
  it('keeps the input type and NULL', () => {
    expect(scalarFn('ABS', [INTEGER])(-3)).toBe(3)
    expect(scalarFn('ABS', [BIGINT])(-3_000_000_000)).toBe(3_000_000_000)
    expect(scalarFn('ABS', [DOUBLE])(-1.5)).toBe(1.5)
    expect(String(scalarFn('ABS', [decType(4, 2)])(dec('-12.50')))).toBe('12.50')
    expect(scalarFn('ABS', [INTEGER])(null)).toBe(null)
  })
})
