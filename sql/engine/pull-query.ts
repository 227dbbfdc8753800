// Pull queries: a SELECT without EMIT CHANGES, answered from the store behind a materialized table.
// preparePull analyzes and compiles the statement once (scope, WHERE, key lookups and ranges,
// projection, ORDER BY); run() only reads the store and evaluates, so a statement pulled again costs
// no analysis (the engine keeps prepared plans per Select while the catalog is unchanged).
import { QueryableStoreTypes, type QueryableStoreType } from '../../streams/state/queryable.js'
import type { ReadOnlyKeyValueStore } from '../../streams/state/types.js'
import { SqlError } from '../errors.js'
import type { Expression } from '../parser/ast/expressions.js'
import type { Select } from '../parser/ast/query.js'
import type { FunctionRegistry } from '../functions/registry-types.js'
import { SqlTypes, type SqlType } from '../types/sql-type.js'
import { WINDOW_COLUMNS, keyColumns } from '../analyzer/schema.js'
import { compileExpression, compilePredicate, coerce, type ScopeColumn } from '../expression/compile.js'
import { compareValues } from '../expression/ops.js'
import type { Materialization } from '../planner/lower.js'
import type { DataSource } from '../catalog/data-source.js'
import { RawKeyBytes } from '../serde/internal.js'
import { doubleKeySegments, intKeySegments, numericKeyBounds } from './key-ranges.js'

/** What run() needs of the running query: its stores. */
export interface PullStores {
  store<T>(name: string, type: QueryableStoreType<T>): T | null
}

export interface PullResult {
  header: string[]
  rows: unknown[][]
}

export interface PreparedPull {
  readonly materialization: Materialization
  run(stores: PullStores): PullResult
}

type Row = unknown[]
type Window = { start: number; end: number }

const KV = QueryableStoreTypes.keyValueStore<unknown[], unknown[]>()
const WINDOWS = QueryableStoreTypes.windowStore<unknown[], unknown[]>()
const SESSIONS = QueryableStoreTypes.sessionStore<unknown[], unknown[]>()

/** Analyzes and compiles a pull query over `src`, materialized as `mat`. */
export function preparePull(q: Select, src: DataSource, mat: Materialization, env: { registry: FunctionRegistry; namedTypes: (name: string) => SqlType | undefined }): PreparedPull {
  const windowed = mat.windowed !== 'NONE'
  // scope: output columns then WINDOWSTART, WINDOWEND
  const schema = src.schema.columns
  const columns: ScopeColumn[] = schema.map((c, i) => ({ source: q.from.alias ?? src.name, name: c.name, type: c.type, index: i }))
  if (windowed) WINDOW_COLUMNS.forEach((p, i) => columns.push({ source: q.from.alias ?? src.name, name: p.name, type: p.type, index: schema.length + i }))
  const ctx = { columns, registry: env.registry, namedTypes: env.namedTypes }
  const where = q.where === null ? null : compilePredicate(q.where, ctx, 'WHERE')
  const keyCount = keyColumns(src.schema).length
  const lookup = q.where === null ? null : keyLookup(q.where, schema.slice(0, keyCount).map((c) => c.name), ctx)
  const keyName = schema[0]?.name ?? ''
  const keyKind = schema[0]?.type.kind
  const pushable = lookup === null && q.where !== null && keyCount === 1
  const range = pushable && keyKind === 'STRING' ? keyRange(q.where!, keyName) : null
  const bounds = pushable && (keyKind === 'INTEGER' || keyKind === 'BIGINT' || keyKind === 'DOUBLE') ? numericKeyBounds(q.where!, keyName, keyKind) : null
  const doubleKey = keyKind === 'DOUBLE'
  const unavailable = (): SqlError => new SqlError('EXECUTION_ERROR', `The state store of ${src.name} is not available (yet).`, { position: q.pos })

  // projection over the output row
  const items = q.items.flatMap((it) =>
    it.kind === 'AllColumns' ? columns.filter((c) => !['WINDOWSTART', 'WINDOWEND'].includes(c.name) || windowed).map((c) => ({ expr: { kind: 'ColumnRef', source: null, name: c.name, pos: it.pos } as Expression, alias: null as string | null })) : [{ expr: it.expression, alias: it.alias }],
  )
  let n = 0
  const compiled = items.map((i) => ({ name: i.alias ?? (i.expr.kind === 'ColumnRef' ? i.expr.name : `KSQL_COL_${n++}`), f: compileExpression(i.expr, ctx).eval }))
  const evals = compiled.map((c) => c.f)
  const width = evals.length
  const header = compiled.map((c) => c.name)
  const orderKeys = q.orderBy.map((o) => ({ f: compileExpression(o.expression, ctx).eval, desc: o.descending }))
  const limit = q.limit

  const project = (r: Row): Row => {
    const out = new Array<unknown>(width)
    for (let i = 0; i < width; i++) out[i] = evals[i]!(r)
    return out
  }
  const sortRows = (candidates: Row[]): Row[] => {
    const decorated = candidates.map((r) => ({ r, k: orderKeys.map((k) => k.f(r)) }))
    decorated.sort((a, b) => {
      for (let i = 0; i < orderKeys.length; i++) {
        const x = a.k[i] ?? null
        const y = b.k[i] ?? null
        // NULLs sort last ascending, first descending (PostgreSQL's default)
        const c = x === null ? (y === null ? 0 : 1) : y === null ? -1 : compareValues(x, y)
        if (c !== 0) return orderKeys[i]!.desc ? -c : c
      }
      return 0
    })
    return decorated.map((d) => d.r)
  }

  /** Reads the key-value store: key lookups, pushed-down ranges, or a scan; calls emit per stored row. */
  const readKeyValue = (kv: ReadOnlyKeyValueStore<unknown[], unknown[]>, emit: (key: Row, stored: Row, win: Window | null) => void): void => {
    const keys = lookup === null ? null : lookup()
    if (keys !== null) {
      for (const k of keys) {
        const v = kv.get(k)
        if (v !== null && v !== undefined) emit(k, v, null)
      }
    } else if (bounds !== null && doubleKey) {
      // one store range per sign and written shape of the bounds (raw key bytes); WHERE still applies
      for (const seg of doubleKeySegments(bounds.lo, bounds.hi)) {
        for (const e of kv.range(new RawKeyBytes(seg.from) as unknown as Row, new RawKeyBytes(seg.to) as unknown as Row)) {
          const k = e.key[0]
          if (e.value !== null && typeof k === 'number' && seg.keep(k)) emit(e.key, e.value, null)
        }
      }
    } else if (bounds !== null) {
      // one store range per sign and digit count of the bounds; WHERE still applies
      for (const seg of intKeySegments(bounds.lo, bounds.hi)) {
        for (const e of kv.range([seg.from], [seg.to])) {
          const k = e.key[0] as number
          if (e.value !== null && k >= seg.lo && k <= seg.hi) emit(e.key, e.value, null)
        }
      }
    } else if (range !== null) {
      // STRING keys are stored as JSON text, whose byte order is the string order for plain ASCII bounds; WHERE still applies
      // the lower bound drops its last character: a key extending it with a character below '"' sorts before it as JSON
      const from = range.from === null || range.from.length === 0 ? null : [range.from.slice(0, -1)]
      for (const e of kv.range(from, range.to === null ? null : [range.to])) if (e.value !== null) emit(e.key, e.value, null)
    } else {
      for (const e of kv.all()) if (e.value !== null) emit(e.key, e.value, null)
    }
  }

  const run = (stores: PullStores): PullResult => {
    const candidates: Row[] = []
    const emit = (key: Row, stored: Row, win: Window | null): void => {
      const row = mat.toRow(key, stored, win)
      if (row === null) return
      if (win !== null) row.push(win.start, win.end)
      if (where === null || where(row)) candidates.push(row)
    }
    if (mat.windowed === 'NONE') {
      const kv = stores.store(mat.storeName, KV)
      if (kv === null) throw unavailable()
      readKeyValue(kv, emit)
    } else if (mat.windowed === 'TIME') {
      const ws = stores.store(mat.storeName, WINDOWS)
      if (ws === null) throw unavailable()
      const size = src.window?.sizeMs ?? 0
      const keys = lookup === null ? null : lookup()
      const entries = keys !== null ? keys.flatMap((k) => ws.fetch(k, 0, Number.MAX_SAFE_INTEGER).map((e) => ({ key: { key: k, window: { start: e.key, end: e.key + size } }, value: e.value }))) : ws.all()
      for (const e of entries) emit(e.key.key, e.value, { start: e.key.window.start, end: e.key.window.start + size })
    } else {
      const ss = stores.store(mat.storeName, SESSIONS)
      if (ss === null) throw unavailable()
      const keys = lookup === null ? null : lookup()
      if (keys === null) throw new SqlError('UNSUPPORTED', `Pull queries on session-windowed tables need the key in the WHERE clause (${keyColumns(src.schema).map((c) => c.name).join(', ')} = ...).`, { position: q.pos })
      for (const k of keys) for (const e of ss.fetch(k)) emit(e.key.key, e.value, { start: e.key.window.start, end: e.key.window.end })
    }
    const ordered = orderKeys.length > 0 ? sortRows(candidates) : candidates
    const count = limit === null ? ordered.length : Math.min(limit, ordered.length)
    const rows = new Array<Row>(count)
    for (let i = 0; i < count; i++) rows[i] = project(ordered[i]!)
    return { header, rows }
  }
  return { materialization: mat, run }
}

/** Bounds a WHERE clause puts on a STRING key (>=, >, <=, <, BETWEEN, ANDed), as inclusive plain-ASCII strings; null when none. */
function keyRange(where: Expression, key: string): { from: string | null; to: string | null } | null {
  let from: string | null = null
  let to: string | null = null
  const ascii = (e: Expression): string | null => (e.kind === 'Literal' && e.type === 'STRING' && /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(e.value) ? e.value : null)
  const isKey = (e: Expression): boolean => e.kind === 'ColumnRef' && e.name === key
  const lower = (v: string | null): void => {
    if (v !== null && (from === null || v > from)) from = v
  }
  const upper = (v: string | null): void => {
    if (v !== null && (to === null || v < to)) to = v
  }
  const visit = (e: Expression): void => {
    if (e.kind === 'Logical' && e.op === 'AND') {
      visit(e.left)
      visit(e.right)
    } else if (e.kind === 'Between' && !e.negated && isKey(e.operand)) {
      lower(ascii(e.low))
      upper(ascii(e.high))
    } else if (e.kind === 'Comparison' && isKey(e.left)) {
      if (e.op === '>' || e.op === '>=') lower(ascii(e.right))
      if (e.op === '<' || e.op === '<=') upper(ascii(e.right))
    } else if (e.kind === 'Comparison' && isKey(e.right)) {
      if (e.op === '<' || e.op === '<=') lower(ascii(e.left))
      if (e.op === '>' || e.op === '>=') upper(ascii(e.left))
    }
  }
  visit(where)
  return from === null && to === null ? null : { from, to }
}

/**
 * The key values a WHERE clause pins down (`K = x`, `K IN (...)`, ANDed with anything), for store
 * lookups: compiled once, evaluated per run (a value may depend on the time); null when the clause
 * pins none, and the function gives null when a value cannot be computed (the query then scans).
 */
function keyLookup(where: Expression, keyNames: readonly string[], ctx: { columns: readonly ScopeColumn[]; registry: FunctionRegistry }): (() => Row[] | null) | null {
  if (keyNames.length !== 1) return null
  const key = keyNames[0]!
  const keyType = ctx.columns.find((c) => c.name === key)?.type ?? SqlTypes.STRING
  const isKey = (e: Expression): boolean => e.kind === 'ColumnRef' && e.name === key
  const constant = (e: Expression): (row: Row) => unknown => coerce(compileExpression(e, { columns: [], registry: ctx.registry }), keyType).eval
  const visit = (e: Expression): Array<(row: Row) => unknown> | null => {
    try {
      if (e.kind === 'Comparison' && e.op === '=') {
        if (isKey(e.left)) return [constant(e.right)]
        if (isKey(e.right)) return [constant(e.left)]
      }
      if (e.kind === 'InList' && !e.negated && isKey(e.operand)) return e.items.map((i) => constant(i))
      if (e.kind === 'Logical' && e.op === 'AND') return visit(e.left) ?? visit(e.right)
    } catch {
      return null
    }
    return null
  }
  const values = visit(where)
  if (values === null) return null
  const none: Row = []
  return () => {
    try {
      const out = new Array<Row>(values.length)
      for (let i = 0; i < values.length; i++) out[i] = [values[i]!(none)]
      return out
    } catch {
      return null
    }
  }
}
