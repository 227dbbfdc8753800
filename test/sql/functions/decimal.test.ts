import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SqlDecimal, decimalArithmetic } from '../../../sql/types/decimal.js'

describe('ksqlDB DECIMAL result types', () => {
  // Worked from ksqlDB's documented rules: DECIMAL(4,2) + DECIMAL(3,1) etc.
  it('add and subtract: max scale, max integral digits + 1', () => {
    expect(decimalArithmetic.add({ precision: 4, scale: 2 }, { precision: 3, scale: 1 })).toEqual({ precision: 5, scale: 2 })
    expect(decimalArithmetic.subtract({ precision: 10, scale: 0 }, { precision: 2, scale: 2 })).toEqual({ precision: 13, scale: 2 })
  })
  it('multiply: p1 + p2 + 1, s1 + s2', () => {
    expect(decimalArithmetic.multiply({ precision: 4, scale: 2 }, { precision: 3, scale: 1 })).toEqual({ precision: 8, scale: 3 })
  })
  it('divide: scale max(6, s1 + p2 + 1)', () => {
    expect(decimalArithmetic.divide({ precision: 4, scale: 2 }, { precision: 3, scale: 1 })).toEqual({ precision: 9, scale: 6 })
    expect(decimalArithmetic.divide({ precision: 10, scale: 5 }, { precision: 5, scale: 0 })).toEqual({ precision: 16, scale: 11 })
  })
  it('modulus: min integral digits + max scale', () => {
    expect(decimalArithmetic.modulus({ precision: 4, scale: 2 }, { precision: 3, scale: 1 })).toEqual({ precision: 4, scale: 2 })
  })
})

describe('SqlDecimal.remainder and divide (properties against bigint)', () => {
  const unscaled = fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n })
  const nonZero = unscaled.filter((b) => b !== 0n)
  it('remainder keeps the dividend sign, as Java', () => {
    fc.assert(
      fc.property(unscaled, nonZero, (a, b) => {
        const r = new SqlDecimal(a, 2).remainder(new SqlDecimal(b, 2))
        expect(r.unscaled).toBe(a % b)
        expect(r.scale).toBe(2)
      }),
    )
    expect(SqlDecimal.parse('-7.5').remainder(SqlDecimal.parse('2')).toString()).toBe('-1.5')
  })
  it('divide rounds HALF_UP at the requested scale', () => {
    fc.assert(
      fc.property(unscaled, nonZero, (a, b) => {
        const q = new SqlDecimal(a, 0).divide(new SqlDecimal(b, 0), 0, 'HALF_UP')
        const exact = a / b
        const rem = a % b
        const twice = (rem < 0n ? -rem : rem) * 2n
        const absB = b < 0n ? -b : b
        const expected = twice >= absB ? (a < 0n !== b < 0n ? exact - 1n : exact + 1n) : exact
        expect(q.unscaled).toBe(expected)
      }),
    )
    expect(SqlDecimal.parse('1').divide(SqlDecimal.parse('3'), 6).toString()).toBe('0.333333')
    expect(() => SqlDecimal.parse('1').divide(SqlDecimal.parse('0'), 2)).toThrow('division by zero')
  })
})
