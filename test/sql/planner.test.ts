// The logical plan: repartition decisions, join shapes, key columns, window info.
import { describe, expect, it } from 'vitest'
import { analyzeQuery } from '../../sql/analyzer/query-analyzer.js'
import { parseStatement } from '../../sql/parser/parser.js'
import { createBuiltinRegistry } from '../../sql/functions/builtin.js'
import { describePlan, type JoinNode, type PlanNode, type QueryPlan } from '../../sql/planner/plan.js'
import type { DataSource } from '../../sql/catalog/data-source.js'
import { SqlTypes } from '../../sql/types/sql-type.js'

const base = { keyFormat: 'KAFKA', valueFormat: 'JSON', keyDelimiter: ',', valueDelimiter: ',', wrapSingleValue: true, partitions: 1, replicas: 1, timestampColumn: null, timestampFormat: null, window: null, isSource: false, sql: '' }
const sources: Record<string, DataSource> = {
  ORDERS: { ...base, name: 'ORDERS', kind: 'STREAM', topic: 'orders', schema: { columns: [
    { name: 'ID', type: SqlTypes.INTEGER, namespace: 'KEY' }, { name: 'USER_ID', type: SqlTypes.STRING, namespace: 'VALUE' }, { name: 'AMOUNT', type: SqlTypes.DOUBLE, namespace: 'VALUE' },
  ] } },
  USERS: { ...base, name: 'USERS', kind: 'TABLE', topic: 'users', schema: { columns: [
    { name: 'ID', type: SqlTypes.STRING, namespace: 'KEY' }, { name: 'REGION', type: SqlTypes.STRING, namespace: 'VALUE' },
  ] } },
}
const registry = createBuiltinRegistry()

function plan(sql: string): QueryPlan {
  const st = parseStatement(sql)
  if (st.kind !== 'CreateAsSelect') throw new Error('CAS expected')
  return analyzeQuery(st.query, { registry, getSource: (n) => sources[n], namedTypes: () => undefined }, { persistent: true })
}

function find<K extends PlanNode['kind']>(n: PlanNode, kind: K): Extract<PlanNode, { kind: K }> | null {
  if (n.kind === kind) return n as Extract<PlanNode, { kind: K }>
  if (n.kind === 'Source') return null
  if (n.kind === 'Join') return find(n.left, kind) ?? find(n.right, kind)
  return find(n.input, kind)
}

describe('planner', () => {
  it('groups by the key without a repartition, by anything else with one', () => {
    expect(find(plan('CREATE TABLE t AS SELECT id, COUNT(*) FROM orders GROUP BY id;').root, 'Aggregate')!.groupByKey).toBe(true)
    const p = plan('CREATE TABLE t AS SELECT user_id, SUM(amount) AS s FROM orders GROUP BY user_id;')
    expect(find(p.root, 'Aggregate')!.groupByKey).toBe(false)
    expect(p.schema.map((c) => `${c.name}:${c.namespace}:${c.type.kind}`)).toEqual(['USER_ID:KEY:STRING', 'S:VALUE:DOUBLE'])
    expect(describePlan(p)).toContain('GROUP BY USER_ID (repartition)')
  })

  it('re-keys a stream joined to a table on a value column, never the table', () => {
    const p = plan('CREATE STREAM j AS SELECT o.user_id AS uid, o.amount, u.region FROM orders o JOIN users u ON o.user_id = u.id;')
    const j = find(p.root, 'Join') as JoinNode
    expect([j.shape, j.joinType, j.rekeyLeft, j.rekeyRight]).toEqual(['STREAM_TABLE', 'INNER', true, false])
    expect(p.schema[0]).toMatchObject({ name: 'UID', namespace: 'KEY' })
  })

  it('keeps window info and EMIT FINAL on windowed aggregations', () => {
    const p = plan('CREATE TABLE t AS SELECT id, COUNT(*) AS n FROM orders WINDOW HOPPING (SIZE 1 MINUTE, ADVANCE BY 10 SECONDS) GROUP BY id EMIT FINAL;')
    expect(p.window).toEqual({ type: 'HOPPING', sizeMs: 60_000 })
    expect(p.emitFinal).toBe(true)
    expect(p.resultKind).toBe('TABLE')
  })

  it('moves PARTITION BY expressions into the key', () => {
    const p = plan('CREATE STREAM s AS SELECT user_id, id, amount FROM orders PARTITION BY user_id;')
    expect(p.schema.map((c) => `${c.name}:${c.namespace}`)).toEqual(['USER_ID:KEY', 'ID:VALUE', 'AMOUNT:VALUE'])
    expect(p.root.partitionBy).toBe(true)
  })
})
