// Types an expression against a scope and compiles it to a closure over a row array.
// Typing and compiling are one walk: every node gets its SqlType and its evaluator together,
// so the analyzer's checks and the planner's code cannot disagree.
import { SqlError, type SourcePosition } from '../errors.js'
import type { Expression } from '../parser/ast/expressions.js'
import { formatExpression } from '../parser/formatter.js'
import type { FunctionRegistry, LambdaArg, ScalarFunction, TableFunction } from '../functions/registry-types.js'
import { SqlTypes, formatType, isNumeric, typeEquals, type SqlType } from '../types/sql-type.js'
import { SqlDecimal } from '../types/decimal.js'
import { arithmeticType, canWiden, commonType, resolveType, widener } from '../analyzer/types.js'
import { castSupported, castValue, compareValues, likeToRegExp, valuesEqual } from './ops.js'

export type Row = unknown[]
export type Evaluator = (row: Row) => unknown

export interface Compiled {
  readonly type: SqlType
  readonly eval: Evaluator
  /** Set when the expression is a literal (or folds to one). */
  readonly constant?: boolean
}

/** A column visible to expressions: where it sits in the row. */
export interface ScopeColumn {
  /** The source alias qualifying it, or null (projected columns, aggregation results). */
  readonly source: string | null
  readonly name: string
  readonly type: SqlType
  readonly index: number
}

/** Where a function throws: the query keeps running with a null result, the error goes to the processing log. */
/** `fn` names the function, or for `kind` 'expression' (a CAST, DECIMAL arithmetic overflowing) the expression text. */
export type FunctionErrorHandler = (fn: string, error: unknown, kind?: 'function' | 'expression') => void

export interface CompileContext {
  readonly columns: readonly ScopeColumn[]
  readonly registry: FunctionRegistry
  readonly namedTypes?: (name: string) => SqlType | undefined
  /** Replaces a subtree before it is compiled (aggregate calls, GROUP BY expressions after aggregation). */
  readonly override?: (e: Expression) => Compiled | undefined
  /** Called for column references the override did not take; used to find non-aggregated columns. */
  readonly onColumn?: (col: ScopeColumn, e: Expression) => void
  readonly onFunctionError?: FunctionErrorHandler
  /** Whether aggregate calls are allowed here (the analyzer handles them through override). */
  readonly clause?: string
}

interface LambdaFrame {
  readonly names: readonly string[]
  readonly types: readonly SqlType[]
  readonly slots: readonly number[]
}

export function typeError(message: string, pos: SourcePosition | null): SqlError {
  return new SqlError('TYPE_ERROR', message, { position: pos })
}

export function compileExpression(e: Expression, ctx: CompileContext): Compiled {
  return new ExpressionCompiler(ctx).compile(e)
}

/** Compiles a predicate: NULL counts as false. */
export function compilePredicate(e: Expression, ctx: CompileContext, clause: string): (row: Row) => boolean {
  const c = compileExpression(e, ctx)
  if (c.type.kind !== 'BOOLEAN' && c.type.kind !== 'NULL') {
    throw typeError(`Type error in ${clause} expression: Should evaluate to boolean but is ${formatExpression(e)} (${formatType(c.type)}) instead.`, e.pos)
  }
  const f = c.eval
  return (row) => f(row) === true
}

class ExpressionCompiler {
  private readonly frames: LambdaFrame[] = []
  private nextSlot: number

  constructor(private readonly ctx: CompileContext) {
    this.nextSlot = ctx.columns.reduce((m, c) => Math.max(m, c.index + 1), 0) + 64
  }

  compile(e: Expression): Compiled {
    // lambda parameters shadow everything, including the analyzer's overrides
    if (e.kind === 'ColumnRef' && e.source === null && this.frames.some((f) => f.names.includes(e.name))) return this.column(e)
    const o = this.ctx.override?.(e)
    if (o !== undefined) return o
    switch (e.kind) {
      case 'Literal':
        return literal(e.type, e.value)
      case 'ColumnRef':
        return this.column(e)
      case 'Dereference': {
        const base = this.compile(e.base)
        if (base.type.kind !== 'STRUCT') throw typeError(`Expected STRUCT type for '->' but got ${formatType(base.type)}: ${formatExpression(e)}`, e.pos)
        const field = base.type.fields.find((f) => f.name === e.field) ?? base.type.fields.find((f) => f.name.toUpperCase() === e.field.toUpperCase())
        if (field === undefined) {
          throw new SqlError('UNKNOWN_COLUMN', `Could not find field '${e.field}' in '${formatExpression(e.base)}'. Available fields: ${base.type.fields.map((f) => f.name).join(', ')}`, { position: e.pos })
        }
        const b = base.eval
        const name = field.name
        return { type: field.type, eval: (r) => {
          const s = b(r) as Record<string, unknown> | null
          return s === null ? null : (s[name] ?? null)
        } }
      }
      case 'Subscript': {
        const base = this.compile(e.base)
        const idx = this.compile(e.index)
        const b = base.eval
        const ix = idx.eval
        if (base.type.kind === 'ARRAY') {
          if (idx.type.kind !== 'INTEGER' && idx.type.kind !== 'BIGINT') throw typeError(`Array index must be INTEGER, got ${formatType(idx.type)}`, e.index.pos)
          return { type: base.type.element, eval: (r) => {
            const a = b(r) as unknown[] | null
            const i = ix(r) as number | null
            if (a === null || i === null) return null
            // 1-based; negative counts from the end, as ksqlDB
            const at = i > 0 ? i - 1 : a.length + i
            return at >= 0 && at < a.length ? (a[at] ?? null) : null
          } }
        }
        if (base.type.kind === 'MAP') {
          if (!canWiden(idx.type, base.type.key)) throw typeError(`Map key must be ${formatType(base.type.key)}, got ${formatType(idx.type)}`, e.index.pos)
          return { type: base.type.value, eval: (r) => {
            const m = b(r) as Map<unknown, unknown> | null
            const k = ix(r)
            if (m === null || k === null) return null
            const v = m.get(k)
            if (v !== undefined) return v
            for (const [mk, mv] of m) if (valuesEqual(mk, k)) return mv
            return null
          } }
        }
        throw typeError(`Subscript expects ARRAY or MAP, got ${formatType(base.type)}: ${formatExpression(e)}`, e.pos)
      }
      case 'FunctionCall':
        return this.call(e)
      case 'Arithmetic':
        return this.arithmetic(e)
      case 'Comparison':
        return this.comparison(e)
      case 'Logical': {
        const l = this.boolOperand(e.left, e.op)
        const r = this.boolOperand(e.right, e.op)
        if (e.op === 'AND') {
          return { type: SqlTypes.BOOLEAN, eval: (row) => {
            const a = l(row)
            if (a === false) return false
            const b = r(row)
            if (b === false) return false
            return a === null || b === null ? null : true
          } }
        }
        return { type: SqlTypes.BOOLEAN, eval: (row) => {
          const a = l(row)
          if (a === true) return true
          const b = r(row)
          if (b === true) return true
          return a === null || b === null ? null : false
        } }
      }
      case 'Not': {
        const o = this.boolOperand(e.operand, 'NOT')
        return { type: SqlTypes.BOOLEAN, eval: (r) => {
          const v = o(r)
          return v === null ? null : !v
        } }
      }
      case 'Negate': {
        const o = this.compile(e.operand)
        if (!isNumeric(o.type)) throw typeError(`Unsupported type for unary minus: ${formatType(o.type)}`, e.pos)
        const f = o.eval
        if (o.type.kind === 'DECIMAL') return { type: o.type, eval: (r) => {
          const v = f(r) as SqlDecimal | null
          return v === null ? null : v.negate()
        } }
        const int = o.type.kind === 'INTEGER'
        return { type: o.type, eval: (r) => {
          const v = f(r) as number | null
          return v === null ? null : int ? -v | 0 : -v
        } }
      }
      case 'IsNull': {
        const f = this.compile(e.operand).eval
        const neg = e.negated
        return { type: SqlTypes.BOOLEAN, eval: (r) => (f(r) === null) !== neg }
      }
      case 'IsDistinctFrom': {
        const [l, r] = this.comparable(e.left, e.right, 'IS DISTINCT FROM')
        const neg = e.negated
        return { type: SqlTypes.BOOLEAN, eval: (row) => {
          const a = l(row)
          const b = r(row)
          const same = a === null || b === null ? a === b : valuesEqual(a, b)
          return neg ? same : !same
        } }
      }
      case 'Between': {
        const [v, lo] = this.comparable(e.operand, e.low, 'BETWEEN')
        const [, hi] = this.comparable(e.operand, e.high, 'BETWEEN')
        const neg = e.negated
        return { type: SqlTypes.BOOLEAN, eval: (row) => {
          const x = v(row)
          const a = lo(row)
          const b = hi(row)
          if (x === null || a === null || b === null) return null
          const inside = compareValues(x, a) >= 0 && compareValues(x, b) <= 0
          return inside !== neg
        } }
      }
      case 'InList': {
        const v = this.compile(e.operand)
        const items = e.items.map((i) => {
          const c = this.compile(i)
          if (commonType([v.type, c.type]) === null) throw typeError(`Invalid Predicate: operator IN cannot compare ${formatType(v.type)} and ${formatType(c.type)}`, i.pos)
          return c.eval
        })
        const f = v.eval
        const neg = e.negated
        return { type: SqlTypes.BOOLEAN, eval: (row) => {
          const x = f(row)
          if (x === null) return null
          let sawNull = false
          for (const it of items) {
            const y = it(row)
            if (y === null) sawNull = true
            else if (valuesEqual(x, y)) return !neg
          }
          return sawNull ? null : neg
        } }
      }
      case 'Like': {
        const v = this.compile(e.operand)
        const p = this.compile(e.pattern)
        if (v.type.kind !== 'STRING' && v.type.kind !== 'NULL') throw typeError(`LIKE expects STRING operands, got ${formatType(v.type)}`, e.operand.pos)
        if (p.type.kind !== 'STRING' && p.type.kind !== 'NULL') throw typeError(`LIKE expects a STRING pattern, got ${formatType(p.type)}`, e.pattern.pos)
        const f = v.eval
        const pf = p.eval
        const esc = e.escape
        const neg = e.negated
        const fixed = p.constant === true ? (pf([]) as string | null) : undefined
        const fixedRe = fixed !== undefined && fixed !== null ? likeToRegExp(fixed, esc) : null
        return { type: SqlTypes.BOOLEAN, eval: (row) => {
          const s = f(row) as string | null
          if (s === null) return null
          let re = fixedRe
          if (re === null) {
            const pat = pf(row) as string | null
            if (pat === null) return null
            re = likeToRegExp(pat, esc)
          }
          return re.test(s) !== neg
        } }
      }
      case 'Case':
        return this.caseExpr(e)
      case 'Cast': {
        const o = this.compile(e.operand)
        const to = resolveType(e.type, this.ctx.namedTypes ?? (() => undefined))
        if (!castSupported(o.type, to)) throw typeError(`Cast of ${formatType(o.type)} to ${formatType(to)} is not supported`, e.pos)
        const f = o.eval
        const from = o.type
        if (typeEquals(from, to)) return o
        // in a running query a value that cannot be cast (a DECIMAL that does not fit, text that is no number) is an
        // error of that record: logged, and the result is NULL (ksqlDB's); elsewhere it fails the statement
        const onError = this.ctx.onFunctionError
        if (onError === undefined) return { type: to, eval: (r) => castValue(f(r), from, to) }
        const text = formatExpression(e)
        return { type: to, eval: (r) => {
          try {
            return castValue(f(r), from, to)
          } catch (err) {
            onError(text, err, 'expression')
            return null
          }
        } }
      }
      case 'ArrayConstructor': {
        const items = e.items.map((i) => this.compile(i))
        const t = commonType(items.map((i) => i.type))
        if (t === null) throw typeError(`invalid input syntax for type ARRAY: all elements must be of the same type, got ${items.map((i) => formatType(i.type)).join(', ')}`, e.pos)
        const el = t.kind === 'NULL' ? SqlTypes.STRING : t
        const fs = items.map((i) => coerce(i, el).eval)
        return { type: SqlTypes.array(el), eval: (r) => fs.map((f) => f(r)) }
      }
      case 'MapConstructor': {
        const keys = e.entries.map((x) => this.compile(x.key))
        const vals = e.entries.map((x) => this.compile(x.value))
        const kt = commonType(keys.map((k) => k.type))
        const vt = commonType(vals.map((v) => v.type))
        if (kt === null || vt === null) throw typeError('invalid input syntax for type MAP: all keys and all values must be of the same type', e.pos)
        const K = kt.kind === 'NULL' ? SqlTypes.STRING : kt
        const V = vt.kind === 'NULL' ? SqlTypes.STRING : vt
        const kf = keys.map((k) => coerce(k, K).eval)
        const vf = vals.map((v) => coerce(v, V).eval)
        return { type: SqlTypes.map(K, V), eval: (r) => {
          const m = new Map<unknown, unknown>()
          for (let i = 0; i < kf.length; i++) m.set(kf[i]!(r), vf[i]!(r))
          return m
        } }
      }
      case 'StructConstructor': {
        const fields = e.fields.map((f) => ({ name: f.name, c: this.compile(f.value) }))
        return { type: SqlTypes.struct(fields.map((f) => ({ name: f.name, type: f.c.type.kind === 'NULL' ? SqlTypes.STRING : f.c.type }))), eval: (r) => {
          const o: Record<string, unknown> = {}
          for (const f of fields) o[f.name] = f.c.eval(r)
          return o
        } }
      }
      case 'Lambda':
        throw typeError('A lambda is only allowed as an argument of a function that takes one', e.pos)
    }
  }

  private column(e: Expression & { kind: 'ColumnRef' }): Compiled {
    if (e.source === null) {
      for (let f = this.frames.length - 1; f >= 0; f--) {
        const frame = this.frames[f]!
        const i = frame.names.indexOf(e.name)
        if (i >= 0) {
          const slot = frame.slots[i]!
          return { type: frame.types[i]!, eval: (r) => r[slot] ?? null }
        }
      }
    }
    const cols = this.ctx.columns
    let matches = cols.filter((c) => c.name === e.name && (e.source === null || c.source === e.source))
    if (matches.length === 0 && e.source !== null) {
      // `alias.column` where the scope holds projected names (after a join, `A_COL`)
      matches = cols.filter((c) => c.source === null && c.name === `${e.source}_${e.name}`)
    }
    if (matches.length > 1 && e.source === null) {
      const distinct = new Set(matches.map((m) => m.index))
      if (distinct.size > 1) {
        throw new SqlError('UNKNOWN_COLUMN', `Column '${e.name}' is ambiguous. Could be any of: ${matches.map((m) => `${m.source ?? ''}.${m.name}`).join(', ')}`, { position: e.pos })
      }
    }
    const c = matches[0]
    if (c === undefined) {
      const name = e.source === null ? e.name : `${e.source}.${e.name}`
      const available = cols.map((x) => (x.source === null ? x.name : `${x.source}.${x.name}`))
      throw new SqlError('UNKNOWN_COLUMN', `Column '${name}' cannot be resolved. Available columns: ${[...new Set(available)].join(', ')}`, { position: e.pos, field: name })
    }
    this.ctx.onColumn?.(c, e)
    const i = c.index
    return { type: c.type, eval: (r) => r[i] ?? null }
  }

  private boolOperand(e: Expression, op: string): Evaluator {
    const c = this.compile(e)
    if (c.type.kind !== 'BOOLEAN' && c.type.kind !== 'NULL') throw typeError(`${op} expects BOOLEAN operands, got ${formatType(c.type)}: ${formatExpression(e)}`, e.pos)
    return c.eval
  }

  /** Both sides of a comparison, widened to a common type. */
  private comparable(a: Expression, b: Expression, op: string): [Evaluator, Evaluator] {
    const l = this.compile(a)
    const r = this.compile(b)
    const t = commonType([l.type, r.type])
    if (t === null) throw typeError(`Cannot compare ${formatExpression(a)} (${formatType(l.type)}) to ${formatExpression(b)} (${formatType(r.type)}) with ${op}.`, a.pos)
    return [l.eval, r.eval]
  }

  private comparison(e: Expression & { kind: 'Comparison' }): Compiled {
    const [l, r] = this.comparable(e.left, e.right, e.op)
    const lt = this.compile(e.left).type
    if ((lt.kind === 'ARRAY' || lt.kind === 'MAP' || lt.kind === 'STRUCT') && e.op !== '=' && e.op !== '<>') {
      throw typeError(`Cannot compare ${formatType(lt)} values with ${e.op}`, e.pos)
    }
    const test: (c: number) => boolean =
      e.op === '=' ? (c) => c === 0 : e.op === '<>' ? (c) => c !== 0 : e.op === '<' ? (c) => c < 0 : e.op === '<=' ? (c) => c <= 0 : e.op === '>' ? (c) => c > 0 : (c) => c >= 0
    if (e.op === '=' || e.op === '<>') {
      const eq = e.op === '='
      return { type: SqlTypes.BOOLEAN, eval: (row) => {
        const a = l(row)
        const b = r(row)
        if (a === null || b === null) return null
        return valuesEqual(a, b) === eq
      } }
    }
    return { type: SqlTypes.BOOLEAN, eval: (row) => {
      const a = l(row)
      const b = r(row)
      if (a === null || b === null) return null
      return test(compareValues(a, b))
    } }
  }

  private arithmetic(e: Expression & { kind: 'Arithmetic' }): Compiled {
    const l = this.compile(e.left)
    const r = this.compile(e.right)
    if (e.op === '||') {
      if ((l.type.kind !== 'STRING' && l.type.kind !== 'NULL') || (r.type.kind !== 'STRING' && r.type.kind !== 'NULL')) {
        throw typeError(`Unsupported arithmetic types. ${formatType(l.type)} ${formatType(r.type)}`, e.pos)
      }
      const a = l.eval
      const b = r.eval
      return { type: SqlTypes.STRING, eval: (row) => {
        const x = a(row)
        const y = b(row)
        return x === null || y === null ? null : (x as string) + (y as string)
      } }
    }
    const lt = l.type.kind === 'NULL' ? r.type : l.type
    const rt = r.type.kind === 'NULL' ? l.type : r.type
    if (e.op === '+' && lt.kind === 'STRING' && rt.kind === 'STRING') {
      const a = l.eval
      const b = r.eval
      return { type: SqlTypes.STRING, eval: (row) => {
        const x = a(row)
        const y = b(row)
        return x === null || y === null ? null : (x as string) + (y as string)
      } }
    }
    const t = arithmeticType(e.op, lt, rt)
    if (t === null) throw typeError(`Error processing expression: ${formatExpression(e)}. Unsupported arithmetic types. ${formatType(l.type)} ${formatType(r.type)}`, e.pos)
    const a = coerce(l, t).eval
    const b = coerce(r, t).eval
    const op = e.op
    if (t.kind === 'DECIMAL') {
      const scale = t.scale
      // ksqlDB's result types always hold the result, except where they are capped at 38 digits: checked there
      if (t.precision === 38) return this.checkedDecimal(e, t, a, b)
      return { type: t, eval: (row) => {
        const x = a(row) as SqlDecimal | null
        const y = b(row) as SqlDecimal | null
        if (x === null || y === null) return null
        switch (op) {
          case '+':
            return x.add(y).setScale(scale)
          case '-':
            return x.subtract(y).setScale(scale)
          case '*':
            return x.multiply(y).setScale(scale)
          case '/':
            return y.unscaled === 0n ? null : x.divide(y, scale)
          default: {
            if (y.unscaled === 0n) return null
            const q = x.divide(y, 0, 'DOWN')
            return x.subtract(q.multiply(y)).setScale(scale)
          }
        }
      } }
    }
    const int = t.kind === 'INTEGER'
    const integral = int || t.kind === 'BIGINT'
    return { type: t, eval: (row) => {
      const x = a(row) as number | null
      const y = b(row) as number | null
      if (x === null || y === null) return null
      let v: number
      switch (op) {
        case '+':
          v = x + y
          break
        case '-':
          v = x - y
          break
        case '*':
          v = int ? Math.imul(x, y) : x * y
          break
        case '/':
          if (integral) {
            if (y === 0) return null
            v = Math.trunc(x / y)
          } else v = x / y
          break
        default:
          if (integral && y === 0) return null
          v = x % y
      }
      return int ? v | 0 : v
    } }
  }

  private caseExpr(e: Expression & { kind: 'Case' }): Compiled {
    const operand = e.operand === null ? null : this.compile(e.operand)
    const whens = e.whens.map((w) => {
      const cond = this.compile(w.when)
      if (operand === null && cond.type.kind !== 'BOOLEAN' && cond.type.kind !== 'NULL') {
        throw typeError(`WHEN operand type should be boolean. Type for '${formatExpression(w.when)}' is ${formatType(cond.type)}`, w.when.pos)
      }
      return { cond, then: this.compile(w.then) }
    })
    const other = e.otherwise === null ? null : this.compile(e.otherwise)
    const results = [...whens.map((w) => w.then), ...(other === null ? [] : [other])]
    const t = commonType(results.map((x) => x.type))
    if (t === null) throw typeError(`Invalid Case expression. Type for all 'THEN' clauses should be the same. Got ${results.map((x) => formatType(x.type)).join(', ')}`, e.pos)
    const ws = whens.map((w) => ({ c: w.cond.eval, t: coerce(w.then, t).eval }))
    const o = other === null ? null : coerce(other, t).eval
    const op = operand?.eval ?? null
    return { type: t, eval: (row) => {
      if (op !== null) {
        const v = op(row)
        for (const w of ws) {
          const x = w.c(row)
          if (v !== null && x !== null && valuesEqual(v, x)) return w.t(row)
        }
      } else {
        for (const w of ws) if (w.c(row) === true) return w.t(row)
      }
      return o === null ? null : o(row)
    } }
  }

  private call(call: Expression & { kind: 'FunctionCall' }): Compiled {
    const e = withUnitKeyword(call)
    if (e.name === 'AS_VALUE' && this.ctx.registry.get('AS_VALUE') === undefined) {
      // ksqlDB's AS_VALUE(keyColumn): the key's value as a value column
      if (e.args.length !== 1) throw new SqlError('FUNCTION_ERROR', `Function 'AS_VALUE' does not accept parameters (${e.args.length} arguments). Valid alternatives are: AS_VALUE(T)`, { position: e.pos })
      return this.compile(e.args[0]!)
    }
    const fn = this.ctx.registry.get(e.name)
    if (fn === undefined) throw new SqlError('FUNCTION_ERROR', `Can't find any functions with the name '${e.name}'`, { position: e.pos })
    if (fn.kind === 'aggregate') {
      throw new SqlError('INVALID_STATEMENT', `Aggregate functions can not be used ${this.ctx.clause ?? 'here'}: ${formatExpression(e)}`, { position: e.pos })
    }
    if (fn.kind === 'table') throw new SqlError('INVALID_STATEMENT', `Table functions can only be used in the SELECT list: ${formatExpression(e)}`, { position: e.pos })
    return this.scalarCall(fn, e)
  }

  /** Resolves and compiles a scalar or table function call; returns the evaluated arguments' thunk for table functions. */
  resolveCall(fn: ScalarFunction | TableFunction, e: Expression & { kind: 'FunctionCall' }): { type: SqlType; impl: (...a: unknown[]) => unknown; args: Evaluator[] } {
    const argExprs = e.args
    const compiled: Array<Compiled | null> = []
    const lambdaCompiled = new Map<number, { params: string[]; compile: (types: readonly SqlType[]) => Compiled; last: Compiled | null; types: readonly SqlType[] }>()
    const argTypes: Array<SqlType | LambdaArg> = argExprs.map((a, i) => {
      if (a.kind === 'Lambda') {
        const entry = {
          params: [...a.params],
          last: null as Compiled | null,
          types: [] as readonly SqlType[],
          compile: (types: readonly SqlType[]): Compiled => {
            const slots = types.map(() => this.nextSlot++)
            this.frames.push({ names: a.params, types, slots })
            try {
              const body = this.compile(a.body)
              return { type: body.type, eval: lambdaEval(body.eval, slots) }
            } finally {
              this.frames.pop()
            }
          },
        }
        lambdaCompiled.set(i, entry)
        compiled.push(null)
        const arg: LambdaArg = {
          kind: 'LAMBDA_ARG',
          arity: a.params.length,
          typeBody: (types) => {
            const c = entry.compile(types)
            entry.last = c
            entry.types = types
            return c.type
          },
        }
        return arg
      }
      const c = this.compile(a)
      compiled.push(c)
      return c.type
    })
    let resolved
    try {
      resolved = this.ctx.registry.resolve(e.name, argTypes)
    } catch (err) {
      if (err instanceof SqlError) throw err
      throw new SqlError('FUNCTION_ERROR', (err as Error).message, { position: e.pos, cause: err })
    }
    const args: Evaluator[] = compiled.map((c, i) => {
      if (c === null) {
        const l = lambdaCompiled.get(i)!
        const body = l.last ?? l.compile(l.types)
        const f = body.eval
        return (row: Row) => f(row)
      }
      const to = resolved.argTypes[i]
      return to === undefined ? c.eval : coerce(c, to).eval
    })
    const impl = (resolved.signature as { create(a: readonly SqlType[], r: SqlType): (...x: unknown[]) => unknown }).create(resolved.argTypes, resolved.returnType)
    return { type: resolved.returnType, impl, args }
  }

  /** DECIMAL arithmetic whose result type was capped at 38 digits: a result that does not fit is an error of the record. */
  private checkedDecimal(e: Expression & { kind: 'Arithmetic' }, t: SqlType & { kind: 'DECIMAL' }, a: (r: Row) => unknown, b: (r: Row) => unknown): Compiled {
    const { precision, scale } = t
    const op = e.op
    const onError = this.ctx.onFunctionError
    const text = formatExpression(e)
    const compute = (x: SqlDecimal, y: SqlDecimal): SqlDecimal | null => {
      let v: SqlDecimal
      switch (op) {
        case '+':
          v = x.add(y).setScale(scale)
          break
        case '-':
          v = x.subtract(y).setScale(scale)
          break
        case '*':
          v = x.multiply(y).setScale(scale)
          break
        case '/':
          if (y.unscaled === 0n) return null
          v = x.divide(y, scale)
          break
        default: {
          if (y.unscaled === 0n) return null
          const q = x.divide(y, 0, 'DOWN')
          v = x.subtract(q.multiply(y)).setScale(scale)
        }
      }
      if (!v.fits(precision)) throw new SqlError('EXECUTION_ERROR', `Numeric field overflow: ${v.toString()} does not fit ${formatType(t)}`)
      return v
    }
    return { type: t, eval: (row) => {
      const x = a(row) as SqlDecimal | null
      const y = b(row) as SqlDecimal | null
      if (x === null || y === null) return null
      if (onError === undefined) return compute(x, y)
      try {
        return compute(x, y)
      } catch (err) {
        onError(text, err, 'expression')
        return null
      }
    } }
  }

  private scalarCall(fn: ScalarFunction, e: Expression & { kind: 'FunctionCall' }): Compiled {
    const { type, impl, args } = this.resolveCall(fn, e)
    const onError = this.ctx.onFunctionError
    const name = fn.name
    const n = args.length
    const call = (row: Row): unknown => {
      try {
        switch (n) {
          case 0:
            return impl() ?? null
          case 1:
            return impl(args[0]!(row)) ?? null
          case 2:
            return impl(args[0]!(row), args[1]!(row)) ?? null
          case 3:
            return impl(args[0]!(row), args[1]!(row), args[2]!(row)) ?? null
          default:
            return impl(...args.map((a) => a(row))) ?? null
        }
      } catch (err) {
        if (onError === undefined) throw err
        onError(name, err)
        return null
      }
    }
    return { type, eval: call }
  }
}

/** A lambda argument becomes a JS function of its parameters, evaluated over the current row. */
function lambdaEval(body: Evaluator, slots: readonly number[]): Evaluator {
  return (row) =>
    (...params: unknown[]) => {
      for (let i = 0; i < slots.length; i++) row[slots[i]!] = params[i] ?? null
      return body(row)
    }
}

/** Wraps an expression so its values have type `to` (numeric widening); errors if not allowed. */
export function coerce(c: Compiled, to: SqlType): Compiled {
  if (c.type.kind === 'NULL') return { type: to, eval: c.eval }
  const w = widener(c.type, to)
  if (w === null) return c
  const f = c.eval
  return { type: to, eval: (r) => w(f(r)) }
}

export function literal(type: string, value: string): Compiled {
  let v: unknown
  let t: SqlType
  switch (type) {
    case 'NULL':
      v = null
      t = SqlTypes.NULL
      break
    case 'BOOLEAN':
      v = value === 'TRUE'
      t = SqlTypes.BOOLEAN
      break
    case 'INTEGER':
      v = Number(value)
      t = SqlTypes.INTEGER
      break
    case 'BIGINT':
      v = Number(value)
      t = SqlTypes.BIGINT
      break
    case 'DOUBLE':
      v = Number(value)
      t = SqlTypes.DOUBLE
      break
    case 'DECIMAL': {
      const d = SqlDecimal.parse(value)
      v = d
      t = SqlTypes.decimal(Math.max(d.precision(), d.scale), d.scale)
      break
    }
    default:
      v = value
      t = SqlTypes.STRING
  }
  return { type: t, eval: () => v, constant: true }
}

/** Functions whose first argument is a time unit, written as a keyword in ksqlDB: TIMESTAMPADD(MINUTES, 5, ts). */
const UNIT_FUNCTIONS = new Set(['TIMESTAMPADD', 'TIMESTAMPSUB', 'DATEADD', 'DATESUB', 'TIMEADD', 'TIMESUB'])
const UNIT_KEYWORD = /^(?:(?:NANO|MICRO|MILLI)?SECONDS?|MINUTES?|HOURS?|DAYS?)$/

/** The unit keyword of TIMESTAMPADD and its kin becomes the function's STRING unit argument (it is never a column). */
function withUnitKeyword(e: Expression & { kind: 'FunctionCall' }): Expression & { kind: 'FunctionCall' } {
  if (!UNIT_FUNCTIONS.has(e.name)) return e
  const unit = e.args[0]
  if (unit?.kind !== 'ColumnRef' || unit.source !== null || !UNIT_KEYWORD.test(unit.name)) return e
  return { ...e, args: [{ kind: 'Literal', type: 'STRING', value: unit.name, pos: unit.pos }, ...e.args.slice(1)] }
}
