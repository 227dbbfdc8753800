// Logical schemas as ksqlDB has them: key columns, value columns, and the pseudocolumns
// every row carries (ROWTIME, ROWPARTITION, ROWOFFSET; WINDOWSTART, WINDOWEND when windowed).
import { SqlTypes, type SqlType } from '../types/sql-type.js'

export type ColumnNamespace = 'KEY' | 'VALUE' | 'HEADERS' | 'HEADER'

export interface Column {
  readonly name: string
  readonly type: SqlType
  readonly namespace: ColumnNamespace
  /** HEADER('k'): the header key. */
  readonly headerKey?: string
}

export type WindowType = 'TUMBLING' | 'HOPPING' | 'SESSION' | 'SLIDING'

export interface WindowInfo {
  readonly type: WindowType
  /** Size in ms for time windows; null for SESSION. */
  readonly sizeMs: number | null
}

export interface LogicalSchema {
  /** Key columns first, then value and header columns, in declaration order. */
  readonly columns: readonly Column[]
}

export const PSEUDO_COLUMNS: ReadonlyArray<{ name: string; type: SqlType }> = [
  { name: 'ROWTIME', type: SqlTypes.BIGINT },
  { name: 'ROWPARTITION', type: SqlTypes.INTEGER },
  { name: 'ROWOFFSET', type: SqlTypes.BIGINT },
]
export const WINDOW_COLUMNS: ReadonlyArray<{ name: string; type: SqlType }> = [
  { name: 'WINDOWSTART', type: SqlTypes.BIGINT },
  { name: 'WINDOWEND', type: SqlTypes.BIGINT },
]

export function keyColumns(schema: LogicalSchema): Column[] {
  return schema.columns.filter((c) => c.namespace === 'KEY')
}
export function valueColumns(schema: LogicalSchema): Column[] {
  return schema.columns.filter((c) => c.namespace !== 'KEY')
}
