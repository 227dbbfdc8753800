// Numeric scalar functions (ksqlDB's math UDFs).
import { type SqlDecimal } from '../types/decimal.js'
import { ANY_DECIMAL, BIGINT, DOUBLE, INTEGER, nullSafe, param, sameAsFirst, scalar, sig } from './define.js'
import type { ScalarFunction } from './registry-types.js'

const CATEGORY = 'MATHEMATICAL'

export const ABS = scalar('ABS', CATEGORY, 'Returns the absolute value of its argument. If the argument is not negative, the argument is returned. If the argument is negative, the negation of the argument is returned.', [
  sig([param('val', INTEGER)], INTEGER, nullSafe((x: number) => (x < 0 ? -x | 0 : x))),
  sig([param('val', BIGINT)], BIGINT, nullSafe((x: number) => Math.abs(x))),
  sig([param('val', DOUBLE)], DOUBLE, nullSafe((x: number) => Math.abs(x))),
  sig([param('val', ANY_DECIMAL)], sameAsFirst, nullSafe((x: SqlDecimal) => (x.unscaled < 0n ? x.negate() : x))),
])

export const mathFunctions: readonly ScalarFunction[] = [ABS]
