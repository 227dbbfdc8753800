// Expression nodes. Readonly, discriminated by `kind`; `pos` is where the expression starts.
import type { SourcePosition } from '../../errors.js'
import type { TypeNode } from './types.js'

export type LiteralType = 'NULL' | 'BOOLEAN' | 'INTEGER' | 'BIGINT' | 'DECIMAL' | 'DOUBLE' | 'STRING'

export interface Literal {
  readonly kind: 'Literal'
  readonly type: LiteralType
  /** The literal's text: digits as written, the unescaped string, TRUE/FALSE, NULL. */
  readonly value: string
  readonly pos: SourcePosition
}

export interface ColumnRef {
  readonly kind: 'ColumnRef'
  /** The source or alias qualifying the column (`o.ID`), or null. */
  readonly source: string | null
  readonly name: string
  readonly pos: SourcePosition
}

export interface Dereference {
  readonly kind: 'Dereference'
  readonly base: Expression
  readonly field: string
  readonly pos: SourcePosition
}

export interface Subscript {
  readonly kind: 'Subscript'
  readonly base: Expression
  readonly index: Expression
  readonly pos: SourcePosition
}

export interface FunctionCall {
  readonly kind: 'FunctionCall'
  readonly name: string
  readonly args: readonly Expression[]
  /** COUNT(*). */
  readonly star: boolean
  readonly pos: SourcePosition
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '||'
export type ComparisonOp = '=' | '<>' | '<' | '<=' | '>' | '>='

export interface Arithmetic {
  readonly kind: 'Arithmetic'
  readonly op: ArithmeticOp
  readonly left: Expression
  readonly right: Expression
  readonly pos: SourcePosition
}

export interface Comparison {
  readonly kind: 'Comparison'
  readonly op: ComparisonOp
  readonly left: Expression
  readonly right: Expression
  readonly pos: SourcePosition
}

export interface Logical {
  readonly kind: 'Logical'
  readonly op: 'AND' | 'OR'
  readonly left: Expression
  readonly right: Expression
  readonly pos: SourcePosition
}

export interface Not {
  readonly kind: 'Not'
  readonly operand: Expression
  readonly pos: SourcePosition
}

export interface Negate {
  readonly kind: 'Negate'
  readonly operand: Expression
  readonly pos: SourcePosition
}

export interface IsNull {
  readonly kind: 'IsNull'
  readonly operand: Expression
  readonly negated: boolean
  readonly pos: SourcePosition
}

export interface IsDistinctFrom {
  readonly kind: 'IsDistinctFrom'
  readonly left: Expression
  readonly right: Expression
  readonly negated: boolean
  readonly pos: SourcePosition
}

export interface Between {
  readonly kind: 'Between'
  readonly operand: Expression
  readonly low: Expression
  readonly high: Expression
  readonly negated: boolean
  readonly pos: SourcePosition
}

export interface InList {
  readonly kind: 'InList'
  readonly operand: Expression
  readonly items: readonly Expression[]
  readonly negated: boolean
  readonly pos: SourcePosition
}

export interface Like {
  readonly kind: 'Like'
  readonly operand: Expression
  readonly pattern: Expression
  readonly escape: string | null
  readonly negated: boolean
  readonly pos: SourcePosition
}

export interface WhenClause {
  readonly when: Expression
  readonly then: Expression
}

export interface Case {
  readonly kind: 'Case'
  /** `CASE x WHEN 1 THEN ...` (simple form); null for the searched form. */
  readonly operand: Expression | null
  readonly whens: readonly WhenClause[]
  readonly otherwise: Expression | null
  readonly pos: SourcePosition
}

export interface Cast {
  readonly kind: 'Cast'
  readonly operand: Expression
  readonly type: TypeNode
  readonly pos: SourcePosition
}

export interface ArrayConstructor {
  readonly kind: 'ArrayConstructor'
  readonly items: readonly Expression[]
  readonly pos: SourcePosition
}

export interface MapConstructor {
  readonly kind: 'MapConstructor'
  readonly entries: readonly { readonly key: Expression; readonly value: Expression }[]
  readonly pos: SourcePosition
}

export interface StructConstructor {
  readonly kind: 'StructConstructor'
  readonly fields: readonly { readonly name: string; readonly value: Expression }[]
  readonly pos: SourcePosition
}

export interface Lambda {
  readonly kind: 'Lambda'
  readonly params: readonly string[]
  readonly body: Expression
  readonly pos: SourcePosition
}

export type Expression =
  | Literal
  | ColumnRef
  | Dereference
  | Subscript
  | FunctionCall
  | Arithmetic
  | Comparison
  | Logical
  | Not
  | Negate
  | IsNull
  | IsDistinctFrom
  | Between
  | InList
  | Like
  | Case
  | Cast
  | ArrayConstructor
  | MapConstructor
  | StructConstructor
  | Lambda

export type ExpressionKind = Expression['kind']
