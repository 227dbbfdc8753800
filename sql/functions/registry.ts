// The function registry: built-in and user-defined functions by case-insensitive name, and
// call resolution as ksqlDB's UDF index does it (exact match first, then the fewest implicit
// widenings, type variables bound across arguments, variadic tails, lambdas typed through the
// analyzer).
import { SqlTypes, formatType, type SqlType } from '../types/sql-type.js'
import { FunctionError } from './errors.js'
import type {
  FunctionRegistry,
  LambdaArg,
  Param,
  ParamSpec,
  ResolvedCall,
  ReturnSpec,
  SqlFunction,
} from './registry-types.js'
import { bindSpec, formatSpec, instantiate, wideningDistance, type Bindings } from './type-match.js'
import { validateFunction } from './validate.js'

interface SignatureLike {
  readonly params: readonly Param[]
  readonly variadic?: boolean
  readonly returns: ReturnSpec
}

interface Candidate {
  readonly index: number
  readonly argTypes: readonly SqlType[]
  readonly returnType: SqlType
  readonly cost: number
  readonly variadic: boolean
}

function isLambdaArg(arg: SqlType | LambdaArg): arg is LambdaArg {
  return arg.kind === 'LAMBDA_ARG'
}

function describeArg(arg: SqlType | LambdaArg): string {
  return isLambdaArg(arg) ? `LAMBDA(${arg.arity})` : formatType(arg)
}

/** One signature's parameters as ksqlDB lists them in errors: `ARRAY<T> list, INTEGER... n`. */
export function formatParams(sig: SignatureLike): string {
  return sig.params
    .map((p, i) => `${formatSpec(p.type)}${sig.variadic === true && i === sig.params.length - 1 ? '...' : ''} ${p.name}`)
    .join(', ')
}

function specAt(sig: SignatureLike, i: number): ParamSpec | undefined {
  const n = sig.params.length
  if (i < n) return sig.params[i]!.type
  return sig.variadic === true && n > 0 ? sig.params[n - 1]!.type : undefined
}

/** Tries one signature; null when the arguments do not fit. */
function matchSignature(sig: SignatureLike, index: number, args: readonly (SqlType | LambdaArg)[]): Candidate | null {
  const n = sig.params.length
  const variadic = sig.variadic === true
  if (variadic ? args.length < n - 1 : args.length !== n) return null
  const bindings: Bindings = new Map()
  // Plain arguments first: they bind the type variables lambdas' parameters need.
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const spec = specAt(sig, i)!
    if (isLambdaArg(arg) !== (spec.kind === 'LAMBDA')) return null
    if (!isLambdaArg(arg) && !bindSpec(spec, arg, bindings)) return null
  }
  const lambdaTypes = new Map<number, SqlType>()
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const spec = specAt(sig, i)!
    if (!isLambdaArg(arg) || spec.kind !== 'LAMBDA') continue
    if (arg.arity !== spec.params.length) return null
    const paramTypes = spec.params.map((p) => instantiate(p, SqlTypes.NULL, bindings))
    const body = arg.typeBody(paramTypes)
    if (!bindSpec(spec.returns, body, bindings)) return null
    lambdaTypes.set(i, instantiate(spec.returns, body, bindings))
  }
  const argTypes: SqlType[] = []
  let cost = 0
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const lambdaType = lambdaTypes.get(i)
    if (lambdaType !== undefined || isLambdaArg(arg)) {
      argTypes.push(lambdaType ?? SqlTypes.NULL)
      continue
    }
    const target = instantiate(specAt(sig, i)!, arg, bindings)
    const d = wideningDistance(arg, target)
    if (d === null) return null
    cost += d
    argTypes.push(target)
  }
  const returnType = typeof sig.returns === 'function' ? sig.returns(argTypes) : instantiate(sig.returns, SqlTypes.NULL, bindings)
  return { index, argTypes, returnType, cost, variadic }
}

function better(a: Candidate, b: Candidate): boolean {
  if (a.cost !== b.cost) return a.cost < b.cost
  if (a.variadic !== b.variadic) return !a.variadic
  return a.index < b.index
}

/** Resolves a call against one function's signatures; throws NO_MATCHING_SIGNATURE listing them. */
export function resolveCall(fn: SqlFunction, args: readonly (SqlType | LambdaArg)[]): ResolvedCall {
  const sigs: readonly SignatureLike[] = fn.signatures
  let best: Candidate | null = null
  for (let i = 0; i < sigs.length; i++) {
    const c = matchSignature(sigs[i]!, i, args)
    if (c !== null && (best === null || better(c, best))) best = c
  }
  if (best === null) {
    const alternatives = sigs.map((s) => `${fn.name}(${formatParams(s)})`).join('\n')
    throw new FunctionError(
      'NO_MATCHING_SIGNATURE',
      `Function '${fn.name}' does not accept parameters (${args.map(describeArg).join(', ')}).\nValid alternatives are:\n${alternatives}\n` +
        'For detailed information on a function run: DESCRIBE FUNCTION <Function-Name>;',
      fn.name,
    )
  }
  return {
    fn,
    signature: fn.signatures[best.index]!,
    argTypes: best.argTypes,
    returnType: best.returnType,
  } as ResolvedCall
}

export class DefaultFunctionRegistry implements FunctionRegistry {
  private readonly functions = new Map<string, SqlFunction>()
  private readonly builtins = new Set<string>()

  get(name: string): SqlFunction | undefined {
    return this.functions.get(name.toUpperCase())
  }

  list(): readonly SqlFunction[] {
    return [...this.functions.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  resolve(name: string, argTypes: readonly (SqlType | LambdaArg)[]): ResolvedCall {
    const fn = this.get(name)
    if (fn === undefined) throw new FunctionError('UNKNOWN_FUNCTION', `Can't find any functions with the name '${name.toUpperCase()}'`, name.toUpperCase())
    return resolveCall(fn, argTypes)
  }

  /** Whether `name` is one of the library's own functions (users cannot replace those). */
  isBuiltin(name: string): boolean {
    return this.builtins.has(name.toUpperCase())
  }

  /** Adds a user-defined function after checking its definition; a name already taken is refused. */
  register(fn: SqlFunction): void {
    validateFunction(fn)
    const key = fn.name.toUpperCase()
    if (this.builtins.has(key)) {
      throw new FunctionError('INVALID_FUNCTION', `Function '${key}' is a built-in function and cannot be replaced`, key)
    }
    if (this.functions.has(key)) throw new FunctionError('INVALID_FUNCTION', `Function '${key}' is already registered`, key)
    this.functions.set(key, fn.name === key ? fn : { ...fn, name: key })
  }

  /** Adds library functions (also validated), marked as built-in. */
  registerBuiltin(...fns: readonly SqlFunction[]): void {
    for (const fn of fns) {
      this.register(fn)
      this.builtins.add(fn.name.toUpperCase())
    }
  }
}
