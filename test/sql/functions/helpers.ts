// Resolves calls the way the analyzer and planner do, for the function family tests.
import { createBuiltinRegistry } from '../../../sql/functions/builtin.js'
import type { AggregateImpl, AggregateSignature, LambdaArg, ScalarSignature, TableSignature } from '../../../sql/functions/registry-types.js'
import { SqlDecimal } from '../../../sql/types/decimal.js'
import { SqlTypes, type SqlType } from '../../../sql/types/sql-type.js'

export const registry = createBuiltinRegistry()
export const { BOOLEAN, INTEGER, BIGINT, DOUBLE, STRING, BYTES, DATE, TIME, TIMESTAMP, NULL } = SqlTypes
export const dec = (text: string): SqlDecimal => SqlDecimal.parse(text)
export const decType = SqlTypes.decimal

/** The type of a value in tests: numbers are INTEGER when whole, DOUBLE otherwise; pass types explicitly for anything else. */
export function scalarFn(name: string, argTypes: readonly (SqlType | LambdaArg)[]): (...args: unknown[]) => unknown {
  const call = registry.resolve(name, argTypes)
  if (call.fn.kind !== 'scalar') throw new Error(`${name} is not scalar`)
  return (call.signature as ScalarSignature).create(call.argTypes, call.returnType)
}

export function returnType(name: string, argTypes: readonly (SqlType | LambdaArg)[]): SqlType {
  return registry.resolve(name, argTypes).returnType
}

export function aggregateFn(name: string, argTypes: readonly SqlType[], literals: readonly unknown[] = []): AggregateImpl {
  const call = registry.resolve(name, argTypes)
  if (call.fn.kind !== 'aggregate') throw new Error(`${name} is not an aggregate`)
  return (call.signature as AggregateSignature).create(call.argTypes, literals, call.returnType)
}

/** Folds rows (each an args array) into an aggregate and returns the result. */
export function runAggregate(impl: AggregateImpl, rows: readonly (readonly unknown[])[]): unknown {
  let state = impl.initialize()
  for (const r of rows) state = impl.aggregate(r, state)
  return impl.result(state)
}

export function tableFnOf(name: string, argTypes: readonly SqlType[]): (...args: unknown[]) => readonly unknown[] | null {
  const call = registry.resolve(name, argTypes)
  if (call.fn.kind !== 'table') throw new Error(`${name} is not a table function`)
  return (call.signature as TableSignature).create(call.argTypes, call.returnType)
}

/** A lambda argument whose body has a fixed type (or one computed from its parameter types). */
export function lambdaArg(arity: number, body: SqlType | ((params: readonly SqlType[]) => SqlType)): LambdaArg & { seen: SqlType[][] } {
  const seen: SqlType[][] = []
  return {
    kind: 'LAMBDA_ARG',
    arity,
    seen,
    typeBody: (params) => {
      seen.push([...params])
      return typeof body === 'function' ? body(params) : body
    },
  }
}
