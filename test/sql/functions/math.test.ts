import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SqlDecimal } from '../../../sql/types/decimal.js'
import { BIGINT, DOUBLE, INTEGER, NULL, STRING, TIMESTAMP, dec, decType, registry, returnType, scalarFn } from './helpers.js'

const str = (v: unknown): string | null => (v === null ? null : String(v))

describe('ABS', () => {
  it('keeps the input type and NULL', () => {
    expect(scalarFn('ABS', [INTEGER])(-3)).toBe(3)
    expect(scalarFn('ABS', [BIGINT])(-3_000_000_000)).toBe(3_000_000_000)
    expect(scalarFn('ABS', [DOUBLE])(-1.5)).toBe(1.5)
    expect(str(scalarFn('ABS', [decType(4, 2)])(dec('-12.50')))).toBe('12.50')
    expect(scalarFn('ABS', [INTEGER])(null)).toBe(null)
  })
})

describe('ROUND', () => {
  it('rounds half towards positive infinity and returns BIGINT without places', () => {
    const r = scalarFn('ROUND', [DOUBLE])
    expect(r(1.5)).toBe(2)
    expect(r(-1.5)).toBe(-1)
    expect(r(-1.6)).toBe(-2)
    expect(Object.is(r(-0.4), 0)).toBe(true)
    expect(r(Number.NaN)).toBe(0)
    expect(returnType('ROUND', [DOUBLE])).toEqual(BIGINT)
    expect(returnType('ROUND', [INTEGER])).toEqual(BIGINT)
    expect(r(null)).toBe(null)
  })
  it('rounds DOUBLE to decimal places (negative places round left of the point)', () => {
    const r = scalarFn('ROUND', [DOUBLE, INTEGER])
    expect(r(1.2345, 2)).toBe(1.23)
    expect(r(1.235, 2)).toBe(1.24)
    expect(r(-1.235, 2)).toBe(-1.23)
    expect(r(1234.5, -2)).toBe(1200)
    expect(r(1.5, null)).toBe(null)
  })
  it('rounds DECIMAL to DECIMAL(p - s, 0), or keeps the type with places', () => {
    expect(returnType('ROUND', [decType(5, 2)])).toEqual(decType(3, 0))
    expect(str(scalarFn('ROUND', [decType(5, 2)])(dec('123.45')))).toBe('123')
    expect(str(scalarFn('ROUND', [decType(5, 2)])(dec('-2.50')))).toBe('-2')
    expect(str(scalarFn('ROUND', [decType(5, 2)])(dec('2.50')))).toBe('3')
    expect(returnType('ROUND', [decType(3, 2), INTEGER])).toEqual(decType(3, 2))
    expect(str(scalarFn('ROUND', [decType(3, 2), INTEGER])(dec('1.25'), 1))).toBe('1.30')
    expect(str(scalarFn('ROUND', [decType(5, 2), INTEGER])(dec('123.45'), -1))).toBe('120.00')
  })
})

describe('TRUNC, CEIL and FLOOR', () => {
  it('TRUNC drops digits towards zero', () => {
    expect(scalarFn('TRUNC', [DOUBLE])(-1.99)).toBe(-1)
    expect(scalarFn('TRUNC', [DOUBLE, INTEGER])(1.289, 2)).toBe(1.28)
    // the reference's example: TRUNC(12345.67, -3) is 12000 (a DECIMAL keeps its scale)
    expect(scalarFn('TRUNC', [DOUBLE, INTEGER])(12345.67, -3)).toBe(12000)
    expect(str(scalarFn('TRUNC', [decType(7, 2), INTEGER])(dec('12345.67'), -3))).toBe('12000.00')
    expect(str(scalarFn('TRUNC', [decType(3, 2), INTEGER])(dec('1.99'), 1))).toBe('1.90')
    expect(str(scalarFn('TRUNC', [decType(3, 2)])(dec('-1.99')))).toBe('-1')
  })
  it('CEIL and FLOOR keep the type (DECIMAL keeps its scale)', () => {
    expect(scalarFn('CEIL', [DOUBLE])(1.2)).toBe(2)
    expect(scalarFn('FLOOR', [DOUBLE])(-1.2)).toBe(-2)
    expect(scalarFn('CEIL', [INTEGER])(7)).toBe(7)
    expect(returnType('FLOOR', [BIGINT])).toEqual(BIGINT)
    expect(str(scalarFn('CEIL', [decType(3, 2)])(dec('1.25')))).toBe('2.00')
    expect(str(scalarFn('FLOOR', [decType(3, 2)])(dec('-1.25')))).toBe('-2.00')
    expect(returnType('CEIL', [decType(3, 2)])).toEqual(decType(3, 2))
  })
})

describe('DOUBLE functions', () => {
  it('compute in DOUBLE and pass NULL through', () => {
    expect(scalarFn('SQRT', [INTEGER])(16)).toBe(4)
    expect(scalarFn('SQRT', [DOUBLE])(null)).toBe(null)
    expect(scalarFn('EXP', [INTEGER])(0)).toBe(1)
    expect(scalarFn('LN', [DOUBLE])(Math.E)).toBe(1)
    expect(scalarFn('CBRT', [DOUBLE])(27)).toBe(3)
    expect(scalarFn('POWER', [INTEGER, INTEGER])(2, 10)).toBe(1024)
    expect(scalarFn('DEGREES', [DOUBLE])(Math.PI)).toBe(180)
    expect(scalarFn('RADIANS', [DOUBLE])(180)).toBe(Math.PI)
    expect(scalarFn('ATAN2', [DOUBLE, DOUBLE])(1, 1)).toBeCloseTo(Math.PI / 4, 15)
    expect(scalarFn('PI', [])()).toBe(Math.PI)
    expect(returnType('SQRT', [BIGINT])).toEqual(DOUBLE)
  })
  it('LOG is base 10 (as ksqlDB documents) or in a base; -Infinity for 0, NaN for negatives and base 0 or 1', () => {
    expect(scalarFn('LOG', [DOUBLE])(1000)).toBe(3)
    expect(scalarFn('LOG', [INTEGER, INTEGER])(2, 0)).toBe(Number.NEGATIVE_INFINITY)
    expect(scalarFn('LOG', [DOUBLE, DOUBLE])(0.5, 0)).toBe(Number.NEGATIVE_INFINITY)
    expect(scalarFn('LOG', [INTEGER, INTEGER])(10, -1)).toBeNaN()
    expect(scalarFn('LOG', [INTEGER, INTEGER])(0, 10)).toBeNaN()
    expect(scalarFn('LOG', [INTEGER, INTEGER])(10, 100)).toBeCloseTo(2, 15)
    expect(scalarFn('LOG', [INTEGER, INTEGER])(1, 100)).toBeNaN()
    expect(scalarFn('LOG', [INTEGER, INTEGER])(-2, 100)).toBeNaN()
  })
  it('SIGN returns an INTEGER -1, 0 or 1', () => {
    expect(scalarFn('SIGN', [INTEGER])(-5)).toBe(-1)
    expect(scalarFn('SIGN', [BIGINT])(0)).toBe(0)
    expect(scalarFn('SIGN', [DOUBLE])(2.5)).toBe(1)
    expect(returnType('SIGN', [DOUBLE])).toEqual(INTEGER)
  })
  it('RANDOM is nondeterministic and in [0, 1)', () => {
    expect(registry.get('RANDOM')).toMatchObject({ nondeterministic: true })
    const x = scalarFn('RANDOM', [])() as number
    expect(x).toBeGreaterThanOrEqual(0)
    expect(x).toBeLessThan(1)
  })
})

describe('GREATEST and LEAST', () => {
  it('ignore NULLs, NULL when all are NULL', () => {
    expect(scalarFn('GREATEST', [INTEGER, INTEGER, INTEGER])(1, null, 3)).toBe(3)
    expect(scalarFn('LEAST', [INTEGER, INTEGER, INTEGER])(1, null, 3)).toBe(1)
    expect(scalarFn('GREATEST', [INTEGER, INTEGER])(null, null)).toBe(null)
    expect(scalarFn('LEAST', [STRING, STRING])('b', 'a')).toBe('a')
    expect(scalarFn('GREATEST', [TIMESTAMP, TIMESTAMP])(5, 9)).toBe(9)
  })
  it('widen mixed numbers: INTEGER and BIGINT give BIGINT', () => {
    expect(returnType('GREATEST', [INTEGER, BIGINT])).toEqual(BIGINT)
    expect(returnType('GREATEST', [INTEGER, DOUBLE])).toEqual(DOUBLE)
  })
  it('return DECIMALs at the widest scale', () => {
    const types = [decType(3, 1), decType(4, 3)]
    expect(returnType('GREATEST', types)).toEqual(decType(5, 3))
    expect(str(scalarFn('GREATEST', types)(dec('1.5'), dec('1.499')))).toBe('1.500')
    expect(str(scalarFn('LEAST', [INTEGER, decType(2, 1)])(dec('1'), dec('1.5')))).toBe('1.0')
    expect(returnType('LEAST', [NULL, decType(2, 1)])).toEqual(decType(2, 1))
  })
})

describe('GEO_DISTANCE', () => {
  it('computes great-circle distances in km or miles', () => {
    const km = scalarFn('GEO_DISTANCE', [DOUBLE, DOUBLE, DOUBLE, DOUBLE])
    // one degree of longitude on the equator is 2 * pi * 6371 / 360 km
    expect(km(0, 0, 0, 1)).toBeCloseTo((2 * Math.PI * 6371) / 360, 9)
    expect(km(0, 0, 0, 180)).toBeCloseTo(Math.PI * 6371, 9)
    const withUnits = scalarFn('GEO_DISTANCE', [DOUBLE, DOUBLE, DOUBLE, DOUBLE, STRING])
    expect(withUnits(0, 0, 0, 180, 'MI')).toBeCloseTo(Math.PI * 3959, 9)
    expect(withUnits(0, 0, 0, 180, 'kilometres')).toBeCloseTo(Math.PI * 6371, 9)
  })
  it('rejects out-of-range coordinates and unknown units', () => {
    const f = scalarFn('GEO_DISTANCE', [DOUBLE, DOUBLE, DOUBLE, DOUBLE, STRING])
    expect(() => f(91, 0, 0, 0, 'km')).toThrow('valid latitude values')
    expect(() => f(0, 181, 0, 0, 'km')).toThrow('valid longitude values')
    expect(() => f(0, 0, 0, 0, 'parsecs')).toThrow('units parameter must be one of')
  })
})

describe('SqlDecimal arithmetic against bigint math (property)', () => {
  const unscaled = fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n })
  const scale = fc.integer({ min: 0, max: 8 })
  it('add, subtract and multiply are exact', () => {
    fc.assert(
      fc.property(unscaled, scale, unscaled, scale, (a, sa, b, sb) => {
        const x = new SqlDecimal(a, sa)
        const y = new SqlDecimal(b, sb)
        const s = Math.max(sa, sb)
        const ax = a * 10n ** BigInt(s - sa)
        const by = b * 10n ** BigInt(s - sb)
        expect(x.add(y).setScale(s).unscaled).toBe(ax + by)
        expect(x.subtract(y).setScale(s).unscaled).toBe(ax - by)
        expect(x.multiply(y).unscaled).toBe(a * b)
        expect(x.multiply(y).scale).toBe(sa + sb)
        expect(Math.sign(x.compareTo(y))).toBe(ax < by ? -1 : ax > by ? 1 : 0)
      }),
    )
  })
  it('setScale rounds HALF_UP, HALF_DOWN, DOWN, FLOOR, CEILING as Java does', () => {
    fc.assert(
      fc.property(unscaled, (u) => {
        const d = new SqlDecimal(u, 2)
        const q = u / 100n
        const r = u % 100n
        const away = u < 0n ? q - 1n : q + 1n
        const absR = r < 0n ? -r : r
        expect(d.setScale(0, 'DOWN').unscaled).toBe(q)
        expect(d.setScale(0, 'HALF_UP').unscaled).toBe(absR >= 50n ? away : q)
        expect(d.setScale(0, 'HALF_DOWN').unscaled).toBe(absR > 50n ? away : q)
        expect(d.setScale(0, 'FLOOR').unscaled).toBe(r < 0n ? q - 1n : q)
        expect(d.setScale(0, 'CEILING').unscaled).toBe(r > 0n ? q + 1n : q)
        expect(d.setScale(0, 'UP').unscaled).toBe(r === 0n ? q : away)
      }),
    )
  })
  it('parse and toString round-trip', () => {
    fc.assert(
      fc.property(unscaled, scale, (u, s) => {
        const d = new SqlDecimal(u, s)
        const back = SqlDecimal.parse(d.toString())
        expect(back.unscaled).toBe(u)
        expect(back.scale).toBe(s)
      }),
    )
  })
})
