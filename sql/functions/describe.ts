// What DESCRIBE FUNCTION and SHOW FUNCTIONS print for a function, as structured data; the CLI
// lays it out as ksqlDB's CLI does (Name, Overview, Type, Variations with per-argument docs).
import { formatParams } from './registry.js'
import type { Param, ReturnSpec, SqlFunction } from './registry-types.js'
import { formatSpec } from './type-match.js'

export interface FunctionVariation {
  /** `ABS(val BIGINT)`. */
  readonly signature: string
  /** The arguments alone: `val BIGINT`. */
  readonly arguments: string
  readonly returnType: string
  readonly description: string
  readonly params: readonly { readonly name: string; readonly type: string; readonly description: string }[]
}

export interface FunctionDescription {
  readonly name: string
  /** SCALAR, AGGREGATE or TABLE, as ksqlDB prints it. */
  readonly type: 'SCALAR' | 'AGGREGATE' | 'TABLE'
  readonly category: string
  readonly description: string
  readonly variations: readonly FunctionVariation[]
}

function describeReturn(returns: ReturnSpec): string {
  if (typeof returns === 'function') {
    const doc = (returns as { returnTypeDoc?: unknown }).returnTypeDoc
    return typeof doc === 'string' ? doc : 'depends on the arguments'
  }
  return formatSpec(returns)
}

function describeArgs(params: readonly Param[], variadic: boolean): string {
  return params.map((p, i) => `${p.name} ${formatSpec(p.type)}${variadic && i === params.length - 1 ? '...' : ''}`).join(', ')
}

export function describeFunction(fn: SqlFunction): FunctionDescription {
  const variations = (fn.signatures as readonly { params: readonly Param[]; variadic?: boolean; returns: ReturnSpec; description?: string }[]).map((s) => {
    const args = describeArgs(s.params, s.variadic === true)
    return {
      signature: `${fn.name}(${args})`,
      arguments: args,
      returnType: describeReturn(s.returns),
      description: s.description ?? fn.description,
      params: s.params.map((p) => ({ name: p.name, type: formatSpec(p.type), description: p.description ?? '' })),
    }
  })
  return { name: fn.name, type: fn.kind === 'scalar' ? 'SCALAR' : fn.kind === 'aggregate' ? 'AGGREGATE' : 'TABLE', category: fn.category, description: fn.description, variations }
}

/** Compact one-line signatures (`ABS(BIGINT)`), as resolution errors list them. */
export function signatureList(fn: SqlFunction): string[] {
  return (fn.signatures as readonly { params: readonly Param[]; variadic?: boolean; returns: ReturnSpec }[]).map((s) => `${fn.name}(${formatParams(s)})`)
}
