// Numeric scalar functions (ksqlDB's math UDFs), GREATEST / LEAST and GEO_DISTANCE.
import { SqlDecimal, type RoundingMode } from '../types/decimal.js'
import { SqlTypes, type SqlType } from '../types/sql-type.js'
import {
  ANY_DECIMAL, BIGINT, BYTES, DATE, DOUBLE, INTEGER, STRING, TIME, TIMESTAMP,
  computed, nullSafe, param, sameAsFirst, scalar, sig, sigWith,
} from './define.js'
import { FunctionError } from './errors.js'
import type { ScalarFunction, ScalarSignature } from './registry-types.js'
import { unify } from './type-match.js'
import { compareValues } from './values.js'

const CATEGORY = 'MATHEMATICAL'

export const ABS = scalar('ABS', CATEGORY, 'Returns the absolute value of its argument. If the argument is not negative, the argument is returned. If the argument is negative, the negation of the argument is returned.', [
  sig([param('val', INTEGER)], INTEGER, nullSafe((x: number) => (x < 0 ? -x | 0 : x))),
  sig([param('val', BIGINT)], BIGINT, nullSafe((x: number) => Math.abs(x))),
  sig([param('val', DOUBLE)], DOUBLE, nullSafe((x: number) => Math.abs(x))),
  sig([param('val', ANY_DECIMAL)], sameAsFirst, nullSafe((x: SqlDecimal) => (x.unscaled < 0n ? x.negate() : x))),
])

/** A DOUBLE -> DOUBLE function; INTEGER and BIGINT arguments widen to DOUBLE. */
function unaryDouble(name: string, description: string, fn: (x: number) => number, paramDoc = 'the value'): ScalarFunction {
  return scalar(name, CATEGORY, description, [sig([param('value', DOUBLE, paramDoc)], DOUBLE, nullSafe(fn))])
}

export const ACOS = unaryDouble('ACOS', 'Returns the inverse (arc) cosine of a value.', Math.acos)
export const ASIN = unaryDouble('ASIN', 'Returns the inverse (arc) sine of a value.', Math.asin)
export const ATAN = unaryDouble('ATAN', 'Returns the inverse (arc) tangent of a value.', Math.atan)
export const COS = unaryDouble('COS', 'Returns the cosine of a value in radians.', Math.cos)
export const COSH = unaryDouble('COSH', 'Returns the hyperbolic cosine of a value.', Math.cosh)
export const COT = unaryDouble('COT', 'Returns the cotangent of a value in radians.', (x) => 1 / Math.tan(x))
export const SIN = unaryDouble('SIN', 'Returns the sine of a value in radians.', Math.sin)
export const SINH = unaryDouble('SINH', 'Returns the hyperbolic sine of a value.', Math.sinh)
export const TAN = unaryDouble('TAN', 'Returns the tangent of a value in radians.', Math.tan)
export const TANH = unaryDouble('TANH', 'Returns the hyperbolic tangent of a value.', Math.tanh)
export const DEGREES = unaryDouble('DEGREES', 'Converts a value in radians to a value in degrees.', (x) => (x * 180) / Math.PI)
export const RADIANS = unaryDouble('RADIANS', 'Converts a value in degrees to a value in radians.', (x) => (x / 180) * Math.PI)
export const CBRT = unaryDouble('CBRT', 'Returns the cube root of a value.', Math.cbrt)
export const EXP = unaryDouble('EXP', "Returns Euler's number e raised to the power of a value.", Math.exp, 'the exponent')
export const LN = unaryDouble('LN', 'Returns the natural logarithm (base e) of a value.', Math.log)
export const SQRT = unaryDouble('SQRT', 'Returns the correctly rounded positive square root of a value.', Math.sqrt)

export const ATAN2 = scalar('ATAN2', CATEGORY, 'Returns the inverse (arc) tangent of y / x.', [
  sig([param('y', DOUBLE), param('x', DOUBLE)], DOUBLE, nullSafe((y: number, x: number) => Math.atan2(y, x))),
])

// ksqlDB's reference documents LOG(value) as the base 10 logarithm (its Java code computes the
// natural one); Brook follows the documentation, which the issue names as the specification.
export const LOG = scalar('LOG', CATEGORY, 'Returns the base 10 logarithm of a value, or the logarithm in the given base. -Infinity when the value is 0; NaN when the value or the base is negative, or the base is 0 or 1.', [
  sig([param('value', DOUBLE, 'the value to get the base 10 logarithm of')], DOUBLE, nullSafe(Math.log10), 'The base 10 logarithm of value.'),
  sig([param('base', DOUBLE, 'the base of the logarithm'), param('value', DOUBLE, 'the value to get the logarithm of')], DOUBLE, nullSafe((b: number, v: number) => {
    if (b <= 0 || b === 1 || v < 0) return Number.NaN
    return v === 0 ? Number.NEGATIVE_INFINITY : Math.log(v) / Math.log(b)
  }), 'The logarithm of value in base.'),
])

export const POWER = scalar('POWER', CATEGORY, 'Returns the base raised to the exponent.', [
  sig([param('base', DOUBLE), param('exponent', DOUBLE)], DOUBLE, nullSafe(Math.pow)),
])

export const PI = scalar('PI', CATEGORY, 'Returns an approximate value of pi.', [sig([], DOUBLE, () => Math.PI)])

export const RANDOM = scalar('RANDOM', CATEGORY, 'Returns a random DOUBLE value between 0.0 and 1.0.', [sig([], DOUBLE, () => Math.random())], { nondeterministic: true })

export const SIGN = scalar('SIGN', CATEGORY, 'Returns the sign of a numeric value as an INTEGER: -1 if the argument is negative, 0 if it is zero, 1 if it is positive.', [
  sig([param('value', INTEGER)], INTEGER, nullSafe(Math.sign)),
  sig([param('value', BIGINT)], INTEGER, nullSafe(Math.sign)),
  sig([param('value', DOUBLE)], INTEGER, nullSafe((x: number) => (Number.isNaN(x) ? 0 : Math.sign(x) | 0))),
])

// ---- CEIL / FLOOR / ROUND / TRUNC ------------------------------------------------------------

function toIntegral(d: SqlDecimal, mode: RoundingMode): SqlDecimal {
  return d.setScale(0, mode).setScale(d.scale)
}

export const CEIL = scalar('CEIL', CATEGORY, 'Returns the smallest integer greater than or equal to the specified numeric expression.', [
  sig([param('val', INTEGER)], INTEGER, (x: number | null) => x),
  sig([param('val', BIGINT)], BIGINT, (x: number | null) => x),
  sig([param('val', DOUBLE)], DOUBLE, nullSafe(Math.ceil)),
  sig([param('val', ANY_DECIMAL)], sameAsFirst, nullSafe((d: SqlDecimal) => toIntegral(d, 'CEILING')), 'Keeps the DECIMAL type: CEIL(1.25) is 2.00.'),
])

export const FLOOR = scalar('FLOOR', CATEGORY, 'Returns the largest integer less than or equal to the specified numeric expression.', [
  sig([param('val', INTEGER)], INTEGER, (x: number | null) => x),
  sig([param('val', BIGINT)], BIGINT, (x: number | null) => x),
  sig([param('val', DOUBLE)], DOUBLE, nullSafe(Math.floor)),
  sig([param('val', ANY_DECIMAL)], sameAsFirst, nullSafe((d: SqlDecimal) => toIntegral(d, 'FLOOR')), 'Keeps the DECIMAL type: FLOOR(1.25) is 1.00.'),
])

const integralDecimal = computed('DECIMAL(p - s, 0)', (t) => {
  const d = t[0]
  return d?.kind === 'DECIMAL' ? SqlTypes.decimal(Math.max(d.precision - d.scale, 1), 0) : SqlTypes.NULL
})

/** ksqlDB rounds ties towards positive infinity: HALF_UP above zero, HALF_DOWN at or below. */
function roundDecimal(d: SqlDecimal, places: number): SqlDecimal {
  return d.setScale(places, d.unscaled > 0n ? 'HALF_UP' : 'HALF_DOWN')
}

function roundingFamily(name: string, description: string, mode: 'ROUND' | 'TRUNC'): ScalarFunction {
  const toPlaces = mode === 'ROUND' ? roundDecimal : (d: SqlDecimal, places: number) => d.setScale(places, 'DOWN')
  // Java's Math.round / (long) cast: NaN is 0 and there is no negative zero in a BIGINT.
  const whole = mode === 'ROUND' ? Math.round : Math.trunc
  const wholeDouble = (x: number): number => (Number.isNaN(x) ? 0 : whole(x) + 0)
  const doubleAt = (x: number, places: number): number =>
    Number.isFinite(x) ? toPlaces(SqlDecimal.parse(String(x)), places).toNumber() : x
  return scalar(name, CATEGORY, description, [
    sig([param('val', INTEGER)], BIGINT, (x: number | null) => x),
    sig([param('val', BIGINT)], BIGINT, (x: number | null) => x),
    sig([param('val', DOUBLE)], BIGINT, nullSafe((x: number) => wholeDouble(x))),
    sig([param('val', DOUBLE), param('decimalPlaces', INTEGER)], DOUBLE, nullSafe(doubleAt)),
    sig([param('val', ANY_DECIMAL)], integralDecimal, nullSafe((d: SqlDecimal) => toPlaces(d, 0))),
    sig([param('val', ANY_DECIMAL), param('decimalPlaces', INTEGER)], sameAsFirst, nullSafe((d: SqlDecimal, places: number) => toPlaces(d, places).setScale(d.scale)), 'The result keeps the input DECIMAL type (as ksqlDB does), padded with zeros.'),
  ])
}

export const ROUND = roundingFamily('ROUND', 'Round a value to the number of decimal places as specified by scale to the right of the decimal point. If scale is negative then value is rounded to the left of the decimal point. Numbers equidistant to the nearest value are rounded up (in the positive direction). If the number of decimal places is not provided it defaults to zero.', 'ROUND')
export const TRUNC = roundingFamily('TRUNC', 'Truncates a value to the number of decimal places as specified by scale to the right of the decimal point. If scale is negative then value is truncated to the left of the decimal point.', 'TRUNC')

// ---- GREATEST / LEAST ------------------------------------------------------------------------

const unifiedDecimal = computed('DECIMAL', (types) => types.reduce<SqlType>((a, b) => unify(a, b) ?? a, SqlTypes.NULL))

function extremeOf(sign: 1 | -1, word: string): ScalarSignature[] {
  const pick = (...args: unknown[]): unknown => {
    let best: unknown = null
    for (const a of args) if (a !== null && (best === null || compareValues(a, best) * sign > 0)) best = a
    return best
  }
  const sigs = [INTEGER, BIGINT, DOUBLE, STRING, BYTES, DATE, TIME, TIMESTAMP].map((t) =>
    sig([param('val', t), param('vals', t)], t, pick, { variadic: true, description: `The ${word} ${t.kind} argument; NULLs are ignored.` }),
  )
  sigs.push(
    sigWith([param('val', ANY_DECIMAL), param('vals', ANY_DECIMAL)], unifiedDecimal, (_args, ret) => {
      const scale = ret.kind === 'DECIMAL' ? ret.scale : 0
      return (...args: unknown[]) => {
        const best = pick(...args) as SqlDecimal | null
        return best === null ? null : best.setScale(scale)
      }
    }, { variadic: true, description: `The ${word} DECIMAL argument, at the widest argument scale; NULLs are ignored.` }),
  )
  return sigs
}

export const GREATEST = scalar('GREATEST', CATEGORY, 'Returns the highest non-NULL value among a variable number of comparable columns. If comparing columns of different numerical types, use CAST to first cast them to be of the same type.', extremeOf(1, 'largest'))
export const LEAST = scalar('LEAST', CATEGORY, 'Returns the lowest non-NULL value among a variable number of comparable columns. If comparing columns of different numerical types, use CAST to first cast them to be of the same type.', extremeOf(-1, 'smallest'))

// ---- GEO_DISTANCE ----------------------------------------------------------------------------

const EARTH_RADIUS_KM = 6371
const EARTH_RADIUS_MILES = 3959
const MILES = ['mi', 'mile', 'miles']
const KILOMETERS = ['km', 'kilometer', 'kilometers', 'kilometre', 'kilometres']

function earthRadius(units: string | null): number {
  const u = (units ?? '').trim().toLowerCase()
  if (u === '' || KILOMETERS.includes(u)) return EARTH_RADIUS_KM
  if (MILES.includes(u)) return EARTH_RADIUS_MILES
  throw new FunctionError('FUNCTION_ERROR', `GeoDistance function units parameter must be one of ${[...MILES, ...KILOMETERS].join(', ')}. Values are case-insensitive.`, 'GEO_DISTANCE')
}

const haversin = (x: number): number => (1 - Math.cos(x)) / 2
const toRadians = (deg: number): number => (deg / 180) * Math.PI

function geoDistance(lat1: number, lon1: number, lat2: number, lon2: number, units: string | null): number | null {
  if (lat1 === null || lon1 === null || lat2 === null || lon2 === null) return null
  if (lat1 < -90 || lat2 < -90 || lat1 > 90 || lat2 > 90) {
    throw new FunctionError('FUNCTION_ERROR', 'valid latitude values for GeoDistance function are in the range of -90 to 90 decimal degrees', 'GEO_DISTANCE')
  }
  if (lon1 < -180 || lon2 < -180 || lon1 > 180 || lon2 > 180) {
    throw new FunctionError('FUNCTION_ERROR', 'valid longitude values for GeoDistance function are in the range of -180 to +180 decimal degrees', 'GEO_DISTANCE')
  }
  const radius = earthRadius(units)
  const a = haversin(toRadians(lat2 - lat1)) + haversin(toRadians(lon2 - lon1)) * Math.cos(toRadians(lat1)) * Math.cos(toRadians(lat2))
  return 2 * Math.asin(Math.sqrt(a)) * radius
}

const latLon = [
  param('lat1', DOUBLE, 'The latitude of the first point in decimal degrees.'),
  param('lon1', DOUBLE, 'The longitude of the first point in decimal degrees.'),
  param('lat2', DOUBLE, 'The latitude of the second point in decimal degrees.'),
  param('lon2', DOUBLE, 'The longitude of the second point in decimal degrees.'),
]

export const GEO_DISTANCE = scalar('GEO_DISTANCE', 'GEOGRAPHIC', 'Computes the great-circle distance between two lat-long points, in kilometers by default or in miles.', [
  sig(latLon, DOUBLE, (a: number, b: number, c: number, d: number) => geoDistance(a, b, c, d, null), 'The distance in kilometers.'),
  sig([...latLon, param('units', STRING, 'The units for the return value: MI (miles) or KM (kilometers).')], DOUBLE, geoDistance, 'The distance in the units given.'),
])

export const mathFunctions: readonly ScalarFunction[] = [
  ABS, ACOS, ASIN, ATAN, ATAN2, CBRT, CEIL, COS, COSH, COT, DEGREES, EXP, FLOOR, GEO_DISTANCE, GREATEST, LEAST,
  LN, LOG, PI, POWER, RADIANS, RANDOM, ROUND, SIGN, SIN, SINH, SQRT, TAN, TANH, TRUNC,
]
