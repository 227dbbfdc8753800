// Table functions: one input row becomes zero or more output rows (ksqlDB's UDTFs).
import { T, arrayOf, param, tableFn } from './define.js'
import type { TableFunction } from './registry-types.js'
import { valueKey } from './values.js'

const CATEGORY = 'TABLE'

export const EXPLODE = tableFn('EXPLODE', CATEGORY, 'Explodes an array. This function outputs one value for each element of the array.', [
  {
    params: [param('list', arrayOf(T), 'the array to explode')],
    returns: T,
    description: 'One row per element, in order; a NULL or empty array produces no rows (NULL elements produce NULL rows).',
    create: () => (list: unknown) => (list === null ? null : (list as unknown[])),
  },
])

/** All combinations of NULL and the value for each position (ksqlDB's CUBE_EXPLODE). */
function cube(list: readonly unknown[]): unknown[][] {
  const n = list.length
  const rows: unknown[][] = []
  // ksqlDB starts with every position NULLed and ends with the full input.
  for (let mask = 0; mask < 1 << n; mask++) {
    const row: unknown[] = new Array<unknown>(n)
    for (let i = 0; i < n; i++) row[i] = (mask >> (n - 1 - i)) & 1 ? list[i] : null
    rows.push(row)
  }
  // A NULL input makes some combinations equal; each is produced once.
  const seen = new Set<string>()
  return rows.filter((r) => {
    const key = valueKey(r)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

export const CUBE_EXPLODE = tableFn('CUBE_EXPLODE', CATEGORY, 'Takes an array of values and outputs all combinations of them, each value either kept or replaced by NULL.', [
  {
    params: [param('list', arrayOf(T), 'the values to combine')],
    returns: (t) => t[0] ?? { kind: 'NULL' },
    description: 'Rows are arrays of the same length as the input.',
    create: () => (list: unknown) => (list === null ? null : cube(list as unknown[])),
  },
])

export const tableFunctions: readonly TableFunction[] = [EXPLODE, CUBE_EXPLODE]
