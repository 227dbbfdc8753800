// NULL handling functions.
import { T, param, scalar, sig } from './define.js'
import type { ScalarFunction } from './registry-types.js'
import { valuesEqual } from './values.js'

const CATEGORY = 'CONDITIONAL'

export const IFNULL = scalar('IFNULL', CATEGORY, 'Returns expression if not NULL, otherwise the alternative value.', [
  sig([param('expression', T), param('altValue', T)], T, (a: unknown, b: unknown) => (a === null ? b : a)),
])

export const COALESCE = scalar('COALESCE', CATEGORY, 'Returns the first parameter that is not NULL.', [
  sig([param('first', T), param('others', T)], T, (...args: unknown[]) => {
    for (const a of args) if (a !== null) return a
    return null
  }, { variadic: true }),
])

export const NULLIF = scalar('NULLIF', CATEGORY, 'Returns NULL if expr1 is equal to expr2, otherwise returns expr1.', [
  sig([param('expr1', T), param('expr2', T)], T, (a: unknown, b: unknown) => (a !== null && b !== null && valuesEqual(a, b) ? null : a)),
])

export const AS_VALUE = scalar('AS_VALUE', 'OTHER', 'Used in the projection of a query to copy a key column into the value schema; returns its argument unchanged.', [
  sig([param('keyColumn', T)], T, (v: unknown) => v),
])

export const nullFunctions: readonly ScalarFunction[] = [IFNULL, COALESCE, NULLIF, AS_VALUE]
