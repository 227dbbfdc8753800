// The logical plan of a query: what the analyzer decided, with the compiled expressions the
// lowering needs. One node per step, printed by EXPLAIN.
import type { AggregateImpl } from '../functions/registry-types.js'
import type { DataSource } from '../catalog/data-source.js'
import type { Evaluator, ScopeColumn } from '../expression/compile.js'
import type { JoinType, WindowExpression } from '../parser/ast/query.js'
import type { SqlType } from '../types/sql-type.js'
import type { Column, WindowInfo } from '../analyzer/schema.js'

export interface OutputColumn {
  readonly name: string
  readonly type: SqlType
  readonly eval: Evaluator
  readonly text: string
}

export interface SourceNode {
  readonly kind: 'Source'
  readonly source: DataSource
  readonly alias: string
  /** Row layout: key columns, value columns, ROWTIME, ROWPARTITION, ROWOFFSET, [WINDOWSTART, WINDOWEND]. */
  readonly columns: readonly ScopeColumn[]
  readonly resultKind: 'STREAM' | 'TABLE'
}

export type JoinShape = 'STREAM_STREAM' | 'STREAM_TABLE' | 'TABLE_TABLE' | 'FOREIGN_KEY'

export interface JoinNode {
  readonly kind: 'Join'
  readonly joinType: JoinType
  readonly shape: JoinShape
  readonly left: PlanNode
  readonly right: PlanNode
  /** Join expressions of each side, evaluated over that side's row. */
  readonly leftKey: OutputColumn
  readonly rightKey: OutputColumn
  /** Whether a side must be re-keyed (repartitioned) on its join expression first. */
  readonly rekeyLeft: boolean
  readonly rekeyRight: boolean
  readonly withinMs: { before: number; after: number; grace: number | null } | null
  readonly leftWidth: number
  readonly rightWidth: number
  /**
   * FULL OUTER joins: the synthetic key column (ROWKEY, or ROWKEY_n when a source has a ROWKEY), the
   * first non-null join key, kept after both sides' columns (ksqlDB's synthetic join key).
   */
  readonly syntheticKey: ScopeColumn | null
  readonly columns: readonly ScopeColumn[]
  readonly resultKind: 'STREAM' | 'TABLE'
}

export interface FilterNode {
  readonly kind: 'Filter'
  readonly input: PlanNode
  readonly predicate: (row: unknown[]) => boolean
  readonly text: string
  readonly columns: readonly ScopeColumn[]
  readonly resultKind: 'STREAM' | 'TABLE'
}

export interface AggregateCall {
  readonly text: string
  readonly impl: AggregateImpl
  readonly args: readonly Evaluator[]
  /** The types the arguments are widened to. */
  readonly argTypes: readonly SqlType[]
  readonly type: SqlType
}

export interface AggregateNode {
  readonly kind: 'Aggregate'
  readonly input: PlanNode
  readonly groupBy: readonly OutputColumn[]
  /** GROUP BY equals the input's key: no repartition. */
  readonly groupByKey: boolean
  readonly aggregates: readonly AggregateCall[]
  readonly window: WindowExpression | null
  /** Row after aggregation: group key values, aggregate results, WINDOWSTART, WINDOWEND. */
  readonly columns: readonly ScopeColumn[]
  readonly having: ((row: unknown[]) => boolean) | null
  readonly havingText: string | null
  readonly resultKind: 'TABLE'
}

export interface TableFunctionCall {
  readonly text: string
  readonly impl: (...args: unknown[]) => readonly unknown[] | null
  readonly args: readonly Evaluator[]
  readonly type: SqlType
}

export interface FlatMapNode {
  readonly kind: 'FlatMap'
  readonly input: PlanNode
  readonly calls: readonly TableFunctionCall[]
  /** Input row, then one slot per table function result. */
  readonly columns: readonly ScopeColumn[]
  readonly resultKind: 'STREAM'
}

export interface ProjectNode {
  readonly kind: 'Project'
  readonly input: PlanNode
  readonly key: readonly OutputColumn[]
  readonly value: readonly OutputColumn[]
  /** PARTITION BY: the key is re-computed (the stream is repartitioned). */
  readonly partitionBy: boolean
  readonly resultKind: 'STREAM' | 'TABLE'
  readonly columns: readonly ScopeColumn[]
}

export type PlanNode = SourceNode | JoinNode | FilterNode | AggregateNode | FlatMapNode | ProjectNode

export interface QueryPlan {
  readonly root: ProjectNode
  readonly resultKind: 'STREAM' | 'TABLE'
  /** Output schema: key columns then value columns. */
  readonly schema: readonly Column[]
  readonly window: WindowInfo | null
  readonly emitFinal: boolean
  readonly limit: number | null
  /** The sources read, by name. */
  readonly sources: readonly string[]
}

export function describePlan(plan: QueryPlan): string {
  const lines: string[] = []
  const walk = (n: PlanNode, depth: number): void => {
    const pad = '  '.repeat(depth)
    switch (n.kind) {
      case 'Source':
        lines.push(`${pad}> [ SOURCE ] | Schema: ${n.columns.filter((c) => !['ROWTIME', 'ROWPARTITION', 'ROWOFFSET', 'WINDOWSTART', 'WINDOWEND'].includes(c.name)).map((c) => `${c.name}`).join(', ')} | Topic: ${n.source.topic} | ${n.source.kind} ${n.source.name}${n.alias !== n.source.name ? ` AS ${n.alias}` : ''}`)
        return
      case 'Join':
        lines.push(`${pad}> [ JOIN ] | ${n.joinType} ${n.shape.replace('_', '-')} | ON ${n.leftKey.text} = ${n.rightKey.text}${n.withinMs !== null ? ` | WITHIN (${n.withinMs.before} ms, ${n.withinMs.after} ms)` : ''}${n.rekeyLeft ? ' | repartition left' : ''}${n.rekeyRight ? ' | repartition right' : ''}`)
        walk(n.left, depth + 1)
        walk(n.right, depth + 1)
        return
      case 'Filter':
        lines.push(`${pad}> [ FILTER ] | ${n.text}`)
        break
      case 'Aggregate':
        lines.push(`${pad}> [ AGGREGATE ] | GROUP BY ${n.groupBy.map((g) => g.text).join(', ')}${n.groupByKey ? '' : ' (repartition)'} | ${n.aggregates.map((a) => a.text).join(', ')}${n.window !== null ? ` | WINDOW ${n.window.kind}` : ''}${n.havingText !== null ? ` | HAVING ${n.havingText}` : ''}`)
        break
      case 'FlatMap':
        lines.push(`${pad}> [ FLAT_MAP ] | ${n.calls.map((c) => c.text).join(', ')}`)
        break
      case 'Project':
        lines.push(`${pad}> [ PROJECT ] | KEY: ${n.key.map((k) => `${k.name} := ${k.text}`).join(', ') || '(none)'} | VALUE: ${n.value.map((v) => `${v.name} := ${v.text}`).join(', ')}${n.partitionBy ? ' | PARTITION BY' : ''}`)
        break
    }
    walk(n.input, depth + 1)
  }
  lines.push(`> [ SINK ] | ${plan.resultKind}${plan.window !== null ? ` | WINDOWED ${plan.window.type}` : ''}${plan.emitFinal ? ' | EMIT FINAL' : ''}`)
  walk(plan.root, 1)
  return lines.join('\n')
}
