// SELECT and its clauses: relations and joins, windows, EMIT, LIMIT.
import type { SourcePosition } from '../../errors.js'
import type { Expression } from './expressions.js'

/** A duration as written: `10 SECONDS`. */
export interface Duration {
  readonly value: number
  readonly unit: TimeUnit
}
export type TimeUnit = 'MILLISECONDS' | 'SECONDS' | 'MINUTES' | 'HOURS' | 'DAYS'

export type SelectItem =
  | { readonly kind: 'AllColumns'; readonly source: string | null; readonly pos: SourcePosition }
  | { readonly kind: 'SingleColumn'; readonly expression: Expression; readonly alias: string | null; readonly pos: SourcePosition }

export interface AliasedSource {
  readonly kind: 'AliasedSource'
  readonly name: string
  readonly alias: string | null
  readonly pos: SourcePosition
}

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL'

export interface WithinClause {
  readonly before: Duration
  readonly after: Duration
  /** Whether written as one duration (`WITHIN 1 HOUR`) or two (`WITHIN (1 HOUR, 2 HOURS)`). */
  readonly symmetric: boolean
  readonly grace: Duration | null
}

export interface JoinClause {
  readonly kind: 'Join'
  readonly type: JoinType
  readonly right: AliasedSource
  readonly within: WithinClause | null
  readonly on: Expression
  readonly pos: SourcePosition
}

export type WindowKind = 'TUMBLING' | 'HOPPING' | 'SESSION' | 'SLIDING'

export interface WindowExpression {
  readonly kind: WindowKind
  /** SIZE of TUMBLING/HOPPING/SLIDING, the gap of SESSION. */
  readonly size: Duration
  readonly advanceBy: Duration | null
  readonly retention: Duration | null
  readonly grace: Duration | null
}

export interface OrderItem {
  readonly expression: Expression
  readonly descending: boolean
}

export interface Select {
  readonly kind: 'Select'
  readonly items: readonly SelectItem[]
  readonly from: AliasedSource
  readonly joins: readonly JoinClause[]
  readonly window: WindowExpression | null
  readonly where: Expression | null
  readonly groupBy: readonly Expression[]
  readonly partitionBy: readonly Expression[]
  readonly having: Expression | null
  /** EMIT CHANGES / EMIT FINAL, or null (a pull query). */
  readonly emit: 'CHANGES' | 'FINAL' | null
  /** ORDER BY (pull queries only, beyond ksqlDB). */
  readonly orderBy: readonly OrderItem[]
  readonly limit: number | null
  readonly pos: SourcePosition
}
