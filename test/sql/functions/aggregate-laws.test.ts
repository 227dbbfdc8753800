// Laws every aggregate with undo or merge must obey, checked by property: undo is the inverse
// of aggregate (table aggregation), merge is associative and equals aggregating everything
// (session windows), and states are values of the declared stateType (stored generically).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AggregateImpl } from '../../../sql/functions/registry-types.js'
import { SqlDecimal } from '../../../sql/types/decimal.js'
import type { SqlType } from '../../../sql/types/sql-type.js'
import { BIGINT, DOUBLE, INTEGER, STRING, aggregateFn, decType, registry } from './helpers.js'

interface Case {
  readonly name: string
  readonly types: readonly SqlType[]
  readonly literals?: readonly unknown[]
  readonly row: fc.Arbitrary<unknown[]>
}

const smallInt = fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null })
const word = fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: null })
const decimal = fc.option(fc.bigInt({ min: -100000n, max: 100000n }).map((u) => new SqlDecimal(u, 2)), { nil: null })

const cases: Case[] = [
  { name: 'COUNT', types: [], row: fc.constant([]) },
  { name: 'COUNT', types: [STRING], row: word.map((w) => [w]) },
  { name: 'SUM', types: [INTEGER], row: smallInt.map((x) => [x]) },
  { name: 'SUM', types: [BIGINT], row: smallInt.map((x) => [x]) },
  { name: 'SUM', types: [decType(12, 2)], row: decimal.map((x) => [x]) },
  { name: 'AVG', types: [BIGINT], row: smallInt.map((x) => [x]) },
  { name: 'COLLECT_LIST', types: [STRING], row: word.map((w) => [w]) },
  { name: 'COLLECT_SET', types: [STRING], row: word.map((w) => [w]) },
  { name: 'COUNT_DISTINCT', types: [STRING], row: word.map((w) => [w]) },
  { name: 'HISTOGRAM', types: [STRING], row: word.map((w) => [w]) },
  { name: 'MIN', types: [INTEGER], row: smallInt.map((x) => [x]) },
  { name: 'MAX', types: [STRING], row: word.map((w) => [w]) },
  { name: 'TOPK', types: [INTEGER, INTEGER], literals: [3], row: smallInt.map((x) => [x]) },
  { name: 'TOPKDISTINCT', types: [INTEGER, INTEGER], literals: [3], row: smallInt.map((x) => [x]) },
  { name: 'EARLIEST_BY_OFFSET', types: [STRING], row: word.map((w) => [w]) },
  { name: 'LATEST_BY_OFFSET', types: [STRING, INTEGER], literals: [2], row: word.map((w) => [w]) },
  { name: 'STDDEV_SAMP', types: [INTEGER], row: smallInt.map((x) => [x]) },
  { name: 'STDDEV_SAMPLE', types: [DOUBLE], row: smallInt.map((x) => [x]) },
  { name: 'TOPK', types: [INTEGER, STRING, INTEGER], literals: [2], row: fc.tuple(smallInt, word).map(([x, w]) => [x, w]) },
  { name: 'CORRELATION', types: [DOUBLE, DOUBLE], row: fc.tuple(smallInt, smallInt).map(([x, y]) => [x, y]) },
  { name: 'ATTR', types: [STRING], row: word.map((w) => [w]) },
  { name: 'SUM_LIST', types: [{ kind: 'ARRAY', element: DOUBLE }], row: fc.option(fc.array(smallInt, { maxLength: 3 }), { nil: null }).map((l) => [l]) },
]

function fold(impl: AggregateImpl, rows: readonly unknown[][]): unknown {
  let s = impl.initialize()
  for (const r of rows) s = impl.aggregate(r, s)
  return s
}

/** Results compared loosely where floating point sums in another order. */
function same(a: unknown, b: unknown): void {
  if (typeof a === 'number' && typeof b === 'number' && !Number.isNaN(a) && !Number.isNaN(b)) expect(a).toBeCloseTo(b, 6)
  else if (typeof a === 'number' && Number.isNaN(a)) expect(Number.isNaN(b as number)).toBe(true)
  else expect(a).toEqual(b)
}

/** Whether a runtime value is a value of a SQL type (sql-type.ts's representation). */
function conforms(v: unknown, t: SqlType): boolean {
  if (v === null) return true
  switch (t.kind) {
    case 'BOOLEAN':
      return typeof v === 'boolean'
    case 'INTEGER':
      return Number.isInteger(v) && (v as number) >= -2147483648 && (v as number) <= 2147483647
    case 'BIGINT':
      return Number.isInteger(v)
    case 'DOUBLE':
      return typeof v === 'number'
    case 'DECIMAL':
      return v instanceof SqlDecimal && v.scale === t.scale && v.precision() <= t.precision
    case 'STRING':
      return typeof v === 'string'
    case 'ARRAY':
      return Array.isArray(v) && v.every((x) => conforms(x, t.element))
    case 'MAP':
      return v instanceof Map && [...v].every(([k, x]) => conforms(k, t.key) && conforms(x, t.value))
    case 'STRUCT':
      return typeof v === 'object' && t.fields.every((f) => conforms((v as Record<string, unknown>)[f.name] ?? null, f.type)) && Object.keys(v as object).length === t.fields.length
    default:
      return false
  }
}

describe.each(cases)('$name($types.length args)', (c) => {
  const make = (): AggregateImpl => aggregateFn(c.name, c.types, c.literals ?? [])
  const kind = registry.get(c.name)!.kind
  it('is an aggregate whose states conform to its stateType', () => {
    expect(kind).toBe('aggregate')
    fc.assert(
      fc.property(fc.array(c.row, { maxLength: 20 }), (rows) => {
        const impl = make()
        expect(conforms(fold(impl, rows), impl.stateType)).toBe(true)
      }),
    )
  })

  it('undo is the inverse of aggregate, where the function aggregates tables', () => {
    const impl = make()
    if (impl.undo === undefined) return
    fc.assert(
      fc.property(fc.array(c.row, { maxLength: 20 }), c.row, (rows, extra) => {
        const expected = impl.result(fold(make(), rows))
        const i = make()
        const s = i.undo!(extra, i.aggregate(extra, fold(i, rows)))
        same(i.result(s), expected)
      }),
    )
  })

  it('merge is associative and equals aggregating everything, where sessions merge', () => {
    const impl = make()
    if (impl.merge === undefined) return
    fc.assert(
      fc.property(fc.array(c.row, { maxLength: 8 }), fc.array(c.row, { maxLength: 8 }), fc.array(c.row, { maxLength: 8 }), (a, b, d) => {
        const m = make()
        const left = m.result(m.merge!(m.merge!(fold(m, a), fold(m, b)), fold(m, d)))
        const right = m.result(m.merge!(fold(m, a), m.merge!(fold(m, b), fold(m, d))))
        const whole = m.result(fold(m, [...a, ...b, ...d]))
        same(left, right)
        same(left, whole)
      }),
    )
  })
})
