// Checks a function definition before the registry accepts it, so a bad user-defined function
// fails at registration with a message naming the function, the signature and the fault,
// never later in a query.
import { FunctionError } from './errors.js'
import type { Param, ParamSpec, ReturnSpec, SqlFunction } from './registry-types.js'
import { formatSpec, genericsOf } from './type-match.js'

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/
const kinds = new Set(['scalar', 'aggregate', 'table'])
const primitiveKinds = new Set(['BOOLEAN', 'INTEGER', 'BIGINT', 'DOUBLE', 'STRING', 'BYTES', 'DATE', 'TIME', 'TIMESTAMP', 'ANY_DECIMAL', 'ANY_STRUCT'])

function specProblem(spec: unknown, lambdaAllowed: boolean): string | null {
  if (typeof spec !== 'object' || spec === null || typeof (spec as { kind?: unknown }).kind !== 'string') return 'is not a type'
  const s = spec as ParamSpec
  if (primitiveKinds.has(s.kind)) return null
  switch (s.kind) {
    case 'DECIMAL':
      return Number.isInteger(s.precision) && Number.isInteger(s.scale) && s.precision >= 1 && s.precision <= 38 && s.scale >= 0 && s.scale <= s.precision
        ? null
        : `has an invalid DECIMAL(${String(s.precision)}, ${String(s.scale)})`
    case 'GENERIC':
      return typeof s.name === 'string' && identifier.test(s.name) ? null : 'has a type variable without a name'
    case 'ARRAY':
      return specProblem(s.element, false)
    case 'ARRAY_OF':
      return specProblem(s.element, false)
    case 'MAP':
      return specProblem(s.key, false) ?? specProblem(s.value, false)
    case 'MAP_OF':
      return specProblem(s.key, false) ?? specProblem(s.value, false)
    case 'STRUCT':
      if (!Array.isArray(s.fields)) return 'has a STRUCT without fields'
      for (const f of s.fields) {
        if (typeof f?.name !== 'string' || f.name === '') return 'has a STRUCT field without a name'
        const p = specProblem(f.type, false)
        if (p !== null) return p
      }
      return null
    case 'LAMBDA':
      if (!lambdaAllowed) return 'uses a lambda where only scalar functions take them'
      if (!Array.isArray(s.params) || s.params.length === 0 || s.params.length > 3) return 'has a lambda with other than 1 to 3 parameters'
      for (const p of s.params) {
        const q = specProblem(p, false)
        if (q !== null) return q
      }
      return specProblem(s.returns, false)
    default:
      return `has the unknown type kind '${String((s as { kind: string }).kind)}'`
  }
}

export function validateFunction(fn: SqlFunction): void {
  const raw = fn as unknown as Record<string, unknown>
  const name = typeof raw.name === 'string' ? raw.name.toUpperCase() : String(raw.name)
  const fail = (message: string): never => {
    throw new FunctionError('INVALID_FUNCTION', `Invalid function '${name}': ${message}`, name)
  }
  if (typeof raw.name !== 'string' || !identifier.test(raw.name)) fail('the name must be an identifier (letters, digits, underscore)')
  if (typeof raw.kind !== 'string' || !kinds.has(raw.kind)) fail(`kind must be 'scalar', 'aggregate' or 'table'`)
  if (typeof raw.description !== 'string' || raw.description === '') fail('a description is required (DESCRIBE FUNCTION prints it)')
  if (typeof raw.category !== 'string' || raw.category === '') fail('a category is required')
  if (!Array.isArray(raw.signatures) || raw.signatures.length === 0) fail('at least one signature is required')
  const seen = new Set<string>()
  fn.signatures.forEach((sig, i) => {
    const where = `signature ${i + 1}`
    const s = sig as unknown as Record<string, unknown>
    if (!Array.isArray(s.params)) fail(`${where}: params must be an array`)
    if (typeof s.create !== 'function') fail(`${where}: create must be a function`)
    const params = sig.params as readonly Param[]
    params.forEach((p, j) => {
      if (typeof p?.name !== 'string' || p.name === '') fail(`${where}: parameter ${j + 1} has no name`)
      const problem = specProblem(p.type, fn.kind === 'scalar')
      if (problem !== null) fail(`${where}: parameter '${p.name}' ${problem}`)
    })
    if (s.variadic === true && params.length === 0) fail(`${where}: a variadic signature needs a parameter to repeat`)
    if (fn.kind === 'aggregate') {
      const lit = (sig as { literalParams?: unknown }).literalParams
      if (lit !== undefined && (typeof lit !== 'number' || !Number.isInteger(lit) || lit < 0 || lit > params.length)) {
        fail(`${where}: literalParams must be an integer between 0 and the number of parameters`)
      }
    }
    const returns = s.returns as ReturnSpec
    if (typeof returns !== 'function') {
      const problem = specProblem(returns, false)
      if (problem !== null) fail(`${where}: the return type ${problem}`)
      if (returns.kind === 'ANY_DECIMAL' || returns.kind === 'ANY_STRUCT') fail(`${where}: a ${formatSpec(returns)} return type needs a function computing it from the argument types`)
      const bound = new Set<string>()
      for (const p of params) genericsOf(p.type, bound)
      for (const g of genericsOf(returns)) if (!bound.has(g)) fail(`${where}: the return type uses ${g}, which no parameter binds`)
    }
    const key = params.map((p) => formatSpec(p.type)).join(',') + (s.variadic === true ? '...' : '')
    if (seen.has(key)) fail(`${where}: duplicates an earlier signature (${key})`)
    seen.add(key)
  })
}
