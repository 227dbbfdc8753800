// Statement nodes, one family per block: DDL (CREATE/DROP of sources and types), DML (AS SELECT,
// INSERT), queries, and the administrative statements of the CLI.
import type { SourcePosition } from '../../errors.js'
import type { Expression, Literal } from './expressions.js'
import type { Select } from './query.js'
import type { TypeNode } from './types.js'
import type { ConnectorStatement } from './connectors.js'

export type SourceKind = 'STREAM' | 'TABLE'

export type ColumnConstraint =
  | { readonly kind: 'KEY' }
  | { readonly kind: 'PRIMARY_KEY' }
  | { readonly kind: 'HEADERS' }
  | { readonly kind: 'HEADER'; readonly key: string }

export interface ColumnDefinition {
  readonly name: string
  readonly type: TypeNode
  readonly constraint: ColumnConstraint | null
  readonly pos: SourcePosition
}

/** WITH (NAME = literal, ...): property names upper-cased, values as literals. */
export interface Property {
  readonly name: string
  readonly value: Literal
  readonly pos: SourcePosition
}

export interface CreateSource {
  readonly kind: 'CreateSource'
  readonly sourceKind: SourceKind
  readonly orReplace: boolean
  readonly isSource: boolean
  readonly ifNotExists: boolean
  readonly name: string
  readonly columns: readonly ColumnDefinition[]
  readonly properties: readonly Property[]
  readonly pos: SourcePosition
}

export interface CreateAsSelect {
  readonly kind: 'CreateAsSelect'
  readonly sourceKind: SourceKind
  readonly orReplace: boolean
  readonly ifNotExists: boolean
  readonly name: string
  readonly properties: readonly Property[]
  readonly query: Select
  readonly pos: SourcePosition
}

export interface InsertInto {
  readonly kind: 'InsertInto'
  readonly target: string
  readonly properties: readonly Property[]
  readonly query: Select
  readonly pos: SourcePosition
}

export interface InsertValues {
  readonly kind: 'InsertValues'
  readonly target: string
  /** Columns named in the statement, or empty for all columns in order. */
  readonly columns: readonly string[]
  readonly values: readonly Expression[]
  readonly pos: SourcePosition
}

export interface QueryStatement {
  readonly kind: 'Query'
  readonly query: Select
  readonly pos: SourcePosition
}

export interface DropSource {
  readonly kind: 'DropSource'
  readonly sourceKind: SourceKind
  readonly ifExists: boolean
  readonly name: string
  readonly deleteTopic: boolean
  readonly pos: SourcePosition
}

export interface CreateType {
  readonly kind: 'CreateType'
  readonly ifNotExists: boolean
  readonly name: string
  readonly type: TypeNode
  readonly pos: SourcePosition
}

export interface DropType {
  readonly kind: 'DropType'
  readonly ifExists: boolean
  readonly name: string
  readonly pos: SourcePosition
}

export type ListWhat = 'STREAMS' | 'TABLES' | 'TOPICS' | 'QUERIES' | 'PROPERTIES' | 'FUNCTIONS' | 'TYPES' | 'VARIABLES'

export interface ListStatement {
  readonly kind: 'List'
  readonly what: ListWhat
  readonly extended: boolean
  /** SHOW or LIST, kept for the formatter. */
  readonly verb: 'SHOW' | 'LIST'
  readonly pos: SourcePosition
}

export interface DescribeSource {
  readonly kind: 'DescribeSource'
  readonly name: string
  readonly extended: boolean
  readonly pos: SourcePosition
}

export interface DescribeFunction {
  readonly kind: 'DescribeFunction'
  readonly name: string
  readonly pos: SourcePosition
}

export interface Explain {
  readonly kind: 'Explain'
  /** EXPLAIN <query id> or EXPLAIN <statement>. */
  readonly queryId: string | null
  readonly statement: Statement | null
  readonly pos: SourcePosition
}

export interface Print {
  readonly kind: 'Print'
  readonly topic: string
  readonly fromBeginning: boolean
  readonly interval: number | null
  readonly limit: number | null
  readonly pos: SourcePosition
}

export interface Terminate {
  readonly kind: 'Terminate'
  /** null means ALL. */
  readonly queryId: string | null
  readonly pos: SourcePosition
}

export interface PauseResume {
  readonly kind: 'PauseResume'
  readonly action: 'PAUSE' | 'RESUME'
  /** null means ALL. */
  readonly queryId: string | null
  readonly pos: SourcePosition
}

export interface SetProperty {
  readonly kind: 'SetProperty'
  readonly name: string
  readonly value: string
  readonly pos: SourcePosition
}

export interface UnsetProperty {
  readonly kind: 'UnsetProperty'
  readonly name: string
  readonly pos: SourcePosition
}

export interface DefineVariable {
  readonly kind: 'DefineVariable'
  readonly name: string
  readonly value: string
  readonly pos: SourcePosition
}

export interface UndefineVariable {
  readonly kind: 'UndefineVariable'
  readonly name: string
  readonly pos: SourcePosition
}

export interface RunScript {
  readonly kind: 'RunScript'
  readonly path: string
  readonly pos: SourcePosition
}

export type Statement =
  | CreateSource
  | CreateAsSelect
  | InsertInto
  | InsertValues
  | QueryStatement
  | DropSource
  | CreateType
  | DropType
  | ListStatement
  | DescribeSource
  | DescribeFunction
  | Explain
  | Print
  | Terminate
  | PauseResume
  | SetProperty
  | UnsetProperty
  | DefineVariable
  | UndefineVariable
  | RunScript
  | ConnectorStatement

export type StatementKind = Statement['kind']
