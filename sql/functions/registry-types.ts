// The contract between the SQL analyzer/planner and the function library (built-in and
// user-defined functions). The analyzer resolves a call to one signature from the argument
// types, asks the signature for its return type, and the planner asks it for an
// implementation specialised to those types once per query, never per record.
import type { SqlType } from '../types/sql-type.js'

/** What a parameter accepts. Numeric SqlTypes also accept narrower numbers (INTEGER -> BIGINT -> DECIMAL -> DOUBLE), as in ksqlDB. */
export type ParamSpec =
  | SqlType
  /** A type variable (T, K, V, U...): bound by the first argument in its position, every later use must match. */
  | { readonly kind: 'GENERIC'; readonly name: string }
  | { readonly kind: 'ARRAY_OF'; readonly element: ParamSpec }
  | { readonly kind: 'MAP_OF'; readonly key: ParamSpec; readonly value: ParamSpec }
  /** Any DECIMAL(p, s). */
  | { readonly kind: 'ANY_DECIMAL' }
  /** Any STRUCT. */
  | { readonly kind: 'ANY_STRUCT' }
  /** A lambda argument: `x => ...` with params.length parameters; the body's type binds `returns`. */
  | { readonly kind: 'LAMBDA'; readonly params: readonly ParamSpec[]; readonly returns: ParamSpec }

export interface Param {
  readonly name: string
  readonly type: ParamSpec
  readonly description?: string
}

export type ReturnSpec = ParamSpec | ((argTypes: readonly SqlType[]) => SqlType)

/** A scalar implementation: fixed arity as declared (lambdas arrive as JS functions); rest args when variadic. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ScalarImpl = (...args: any[]) => unknown

export interface ScalarSignature {
  readonly params: readonly Param[]
  /** The last param repeats zero or more times (CONCAT, COALESCE, GREATEST). */
  readonly variadic?: boolean
  readonly returns: ReturnSpec
  readonly description?: string
  /** Called once per query with the resolved argument and return types. Null handling is the function's own (ksqlDB differs per function). */
  create(argTypes: readonly SqlType[], returnType: SqlType): ScalarImpl
}

export interface ScalarFunction {
  readonly kind: 'scalar'
  readonly name: string
  readonly category: string
  readonly description: string
  /** RANDOM, UUID: never folded as constants. */
  readonly nondeterministic?: boolean
  readonly signatures: readonly ScalarSignature[]
}

/**
 * One aggregation in progress. `state` is a value of `stateType` in the runtime representation
 * (see sql-type.ts), so the planner serializes it generically into the store and its changelog.
 * aggregate/undo may mutate and return the state they are given.
 */
export interface AggregateImpl<S = unknown> {
  readonly stateType: SqlType
  initialize(): S
  /** args holds the column arguments of one record; the caller reuses the array between calls. */
  aggregate(args: readonly unknown[], state: S): S
  /** Removes a record's contribution (aggregations over tables). Absent: the function cannot aggregate a table. */
  undo?(args: readonly unknown[], state: S): S
  /** Combines two states (session windows merging). Absent: the function cannot aggregate session windows. */
  merge?(a: S, b: S): S
  /** The value the query sees. */
  result(state: S): unknown
}

export interface AggregateSignature {
  /** Column arguments, then literal arguments (TOPK(col, 3): the 3 is a literal param). */
  readonly params: readonly Param[]
  /** How many trailing params must be literals; they are passed to create, not per record. */
  readonly literalParams?: number
  readonly returns: ReturnSpec
  readonly description?: string
  create(argTypes: readonly SqlType[], literalArgs: readonly unknown[], returnType: SqlType): AggregateImpl
}

export interface AggregateFunction {
  readonly kind: 'aggregate'
  readonly name: string
  readonly category: string
  readonly description: string
  readonly signatures: readonly AggregateSignature[]
}

export interface TableSignature {
  readonly params: readonly Param[]
  readonly variadic?: boolean
  /** The type of one produced row value. */
  readonly returns: ReturnSpec
  readonly description?: string
  /** Returns the rows for one input; null or [] produce nothing. */
  create(argTypes: readonly SqlType[], returnType: SqlType): (...args: unknown[]) => readonly unknown[] | null
}

export interface TableFunction {
  readonly kind: 'table'
  readonly name: string
  readonly category: string
  readonly description: string
  readonly signatures: readonly TableSignature[]
}

export type SqlFunction = ScalarFunction | AggregateFunction | TableFunction

/** A resolved call: the signature chosen, the argument types after implicit widening, the return type. */
export interface ResolvedCall<F extends SqlFunction = SqlFunction> {
  readonly fn: F
  readonly signature: F['signatures'][number]
  /** The declared type each argument is widened to (the planner inserts the casts). */
  readonly argTypes: readonly SqlType[]
  readonly returnType: SqlType
}

/**
 * The function registry. Names are case-insensitive. `resolve` picks the signature ksqlDB would
 * (exact match first, then the fewest implicit widenings); on failure it throws an error whose
 * message lists the signatures that exist.
 */
export interface FunctionRegistry {
  get(name: string): SqlFunction | undefined
  list(): readonly SqlFunction[]
  /** argTypes of lambda arguments are the lambda's param count only; the analyzer calls resolveLambda for their body types. */
  resolve(name: string, argTypes: readonly (SqlType | LambdaArg)[]): ResolvedCall
  register(fn: SqlFunction): void
}

/**
 * A lambda argument during resolution: the registry tells the analyzer the parameter types
 * (from the generics bound so far), the analyzer types the body and reports its type back.
 */
export interface LambdaArg {
  readonly kind: 'LAMBDA_ARG'
  readonly arity: number
  /** Types the body given its parameter types. */
  typeBody(paramTypes: readonly SqlType[]): SqlType
}
