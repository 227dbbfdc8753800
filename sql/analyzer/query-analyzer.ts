// Analyzes a SELECT against the catalog and produces its logical plan: sources and joins
// (shapes, re-keying, co-partitioning), WHERE, table functions, GROUP BY with aggregate calls,
// windows, HAVING, PARTITION BY and the projection split into key and value columns.
import { SqlError } from '../errors.js'
import type { Expression } from '../parser/ast/expressions.js'
import type { Duration, Select, SelectItem } from '../parser/ast/query.js'
import { formatExpression } from '../parser/formatter.js'
import type { AggregateSignature, FunctionRegistry, TableSignature } from '../functions/registry-types.js'
import { SqlTypes, formatType, type SqlType } from '../types/sql-type.js'
import type { DataSource } from '../catalog/data-source.js'
import { compileExpression, compilePredicate, coerce, type Compiled, type CompileContext, type FunctionErrorHandler, type ScopeColumn } from '../expression/compile.js'
import type { AggregateCall, AggregateNode, FilterNode, FlatMapNode, JoinNode, JoinShape, OutputColumn, PlanNode, ProjectNode, QueryPlan, SourceNode, TableFunctionCall } from '../planner/plan.js'
import { PSEUDO_COLUMNS, WINDOW_COLUMNS, type Column, type WindowInfo } from './schema.js'

export interface AnalyzerContext {
  readonly registry: FunctionRegistry
  readonly getSource: (name: string) => DataSource | undefined
  readonly namedTypes: (name: string) => SqlType | undefined
  readonly onFunctionError?: FunctionErrorHandler
}

export interface AnalyzeOptions {
  /** Persistent queries must project the key columns; transient queries need not. */
  readonly persistent: boolean
}

const PSEUDO = new Set(['ROWTIME', 'ROWPARTITION', 'ROWOFFSET', 'WINDOWSTART', 'WINDOWEND'])

export function durationMs(d: Duration): number {
  const mult = { MILLISECONDS: 1, SECONDS: 1000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 }[d.unit]
  return d.value * mult
}

interface Node {
  node: PlanNode
  /** Row indexes holding the current key (a source's key columns; a join's key on both sides). */
  keyIndexes: number[]
  kind: 'STREAM' | 'TABLE'
  window: WindowInfo | null
}

export function analyzeQuery(q: Select, ctx: AnalyzerContext, options: AnalyzeOptions): QueryPlan {
  return new QueryAnalyzer(ctx, options).analyze(q)
}

class QueryAnalyzer {
  private colCounter = 0
  constructor(
    private readonly ctx: AnalyzerContext,
    private readonly options: AnalyzeOptions,
  ) {}

  private compileCtx(columns: readonly ScopeColumn[], extra: Partial<CompileContext> = {}): CompileContext {
    return { columns, registry: this.ctx.registry, namedTypes: this.ctx.namedTypes, ...(this.ctx.onFunctionError === undefined ? {} : { onFunctionError: this.ctx.onFunctionError }), ...extra }
  }

  private source(name: string, alias: string | null, pos: { line: number; column: number }): Node {
    const source = this.ctx.getSource(name)
    if (source === undefined) throw new SqlError('UNKNOWN_SOURCE', `${name} does not exist.`, { position: pos, field: name })
    const a = alias ?? source.name
    const columns: ScopeColumn[] = []
    for (const c of source.schema.columns) columns.push({ source: a, name: c.name, type: c.type, index: columns.length })
    for (const p of PSEUDO_COLUMNS) columns.push({ source: a, name: p.name, type: p.type, index: columns.length })
    if (source.window !== null) for (const p of WINDOW_COLUMNS) columns.push({ source: a, name: p.name, type: p.type, index: columns.length })
    const node: SourceNode = { kind: 'Source', source, alias: a, columns, resultKind: source.kind }
    const keyIndexes = source.schema.columns.flatMap((c, i) => (c.namespace === 'KEY' ? [i] : []))
    return { node, keyIndexes, kind: source.kind, window: source.window }
  }

  analyze(q: Select): QueryPlan {
    let cur = this.source(q.from.name, q.from.alias, q.from.pos)
    const sources = [cur.node.kind === 'Source' ? cur.node.source.name : '']
    const aliases = new Set([(cur.node as SourceNode).alias])
    for (const j of q.joins) {
      const right = this.source(j.right.name, j.right.alias, j.right.pos)
      const ra = (right.node as SourceNode).alias
      if (aliases.has(ra)) throw new SqlError('INVALID_STATEMENT', `Each side of the join must have a unique alias; '${ra}' is used twice. Use AS to alias a self-join.`, { position: j.right.pos })
      aliases.add(ra)
      sources.push((right.node as SourceNode).source.name)
      cur = this.join(cur, right, j)
    }
    if (q.orderBy.length > 0) throw new SqlError('UNSUPPORTED', 'ORDER BY is only supported in pull queries (a stream has no end to sort by).', { position: q.orderBy[0]!.expression.pos })
    const inputWindow = cur.window
    if (q.where !== null) {
      const pred = compilePredicate(q.where, this.compileCtx(cur.node.columns, { clause: 'in WHERE' }), 'WHERE')
      const f: FilterNode = { kind: 'Filter', input: cur.node, predicate: pred, text: formatExpression(q.where), columns: cur.node.columns, resultKind: cur.kind }
      cur = { ...cur, node: f }
    }
    const isAggregate = q.groupBy.length > 0 || q.items.some((i) => i.kind === 'SingleColumn' && this.containsAggregate(i.expression))
    if (q.window !== null && !isAggregate) throw new SqlError('INVALID_STATEMENT', 'WINDOW clause requires a GROUP BY clause.', { position: q.pos })
    if (q.having !== null && !isAggregate) throw new SqlError('INVALID_STATEMENT', 'HAVING clause requires a GROUP BY clause.', { position: q.having.pos })
    if (q.emit === 'FINAL' && q.window === null) throw new SqlError('INVALID_STATEMENT', 'EMIT FINAL is only supported for windowed aggregations.', { position: q.pos })
    let root: ProjectNode
    let window: WindowInfo | null = inputWindow
    let resultKind: 'STREAM' | 'TABLE' = cur.kind
    if (isAggregate) {
      if (q.partitionBy.length > 0) throw new SqlError('INVALID_STATEMENT', 'PARTITION BY and GROUP BY in the same query is not supported.', { position: q.partitionBy[0]!.pos })
      const r = this.aggregate(q, cur)
      root = r.project
      window = r.window
      resultKind = 'TABLE'
    } else {
      root = this.project(q, cur)
    }
    const schema: Column[] = [
      ...root.key.map((k) => ({ name: k.name, type: k.type, namespace: 'KEY' as const })),
      ...root.value.map((v) => ({ name: v.name, type: v.type, namespace: 'VALUE' as const })),
    ]
    const seen = new Set<string>()
    for (const c of schema) {
      if (seen.has(c.name)) throw new SqlError('INVALID_STATEMENT', `Duplicate column names: ${c.name}. Use AS to give each column its own name.`, { position: q.pos, field: c.name })
      seen.add(c.name)
    }
    return { root, resultKind, schema, window, emitFinal: q.emit === 'FINAL', limit: q.limit, sources }
  }

  // ---------------------------------------------------------------- joins

  private join(left: Node, right: Node, j: Select['joins'][number]): Node {
    const pos = j.pos
    const lName = this.describeSide(left)
    const rName = this.describeSide(right)
    if (left.kind === 'TABLE' && right.kind === 'STREAM') {
      throw new SqlError('INVALID_STATEMENT', `Invalid join order: table-stream joins are not supported; only stream-table joins. Got ${lName} ${j.type} JOIN ${rName}.`, { position: pos })
    }
    if (j.on.kind !== 'Comparison' || j.on.op !== '=') {
      throw new SqlError('INVALID_STATEMENT', `Unsupported join expression: ${formatExpression(j.on)}. Joins need an equality of one expression from each side.`, { position: j.on.pos })
    }
    const lc = left.node.columns
    const rc = right.node.columns
    let le = j.on.left
    let re = j.on.right
    if (!this.resolvesIn(le, lc) || !this.resolvesIn(re, rc)) {
      if (this.resolvesIn(le, rc) && this.resolvesIn(re, lc)) [le, re] = [re, le]
      else {
        throw new SqlError('INVALID_STATEMENT', `Invalid comparison expression '${formatExpression(j.on)}' in join '${formatExpression(j.on)}'. Each side of the join comparision must contain references from exactly one source.`, { position: j.on.pos })
      }
    }
    const lk = this.outputColumn(le, lc)
    const rk = this.outputColumn(re, rc)
    if (lk.type.kind !== rk.type.kind) {
      throw new SqlError('TYPE_ERROR', `Invalid join condition: types don't match. Got ${formatExpression(le)}{${formatType(lk.type)}} = ${formatExpression(re)}{${formatType(rk.type)}}.`, { position: j.on.pos })
    }
    const lKeyCol = this.keyColumnIndex(le, left)
    const rKeyCol = this.keyColumnIndex(re, right)
    let shape: JoinShape
    let withinMs: JoinNode['withinMs'] = null
    if (left.kind === 'STREAM' && right.kind === 'STREAM') {
      shape = 'STREAM_STREAM'
      if (j.within === null) throw new SqlError('INVALID_STATEMENT', 'Stream-Stream joins must have a WITHIN clause specified. None was provided. To learn about how to specify a WITHIN clause with a stream-stream join, please visit: https://docs.confluent.io/current/ksql/docs/syntax-reference.html#create-stream-as-select', { position: pos })
      withinMs = { before: durationMs(j.within.before), after: durationMs(j.within.after), grace: j.within.grace === null ? null : durationMs(j.within.grace) }
    } else {
      if (j.within !== null) throw new SqlError('INVALID_STATEMENT', `A window definition was provided for a ${left.kind === 'STREAM' ? 'Stream-Table' : 'Table-Table'} join. These joins are not windowed. Please drop the window definition (i.e. the WITHIN clause) and try to execute your join again.`, { position: pos })
      if (rKeyCol === null) {
        throw new SqlError('INVALID_STATEMENT', `Cannot repartition a TABLE source. If this is a join, make sure that the criteria uses the TABLE's key column ${this.keyNames(right)} instead of ${formatExpression(re)}`, { position: re.pos })
      }
      if (left.kind === 'STREAM') {
        shape = 'STREAM_TABLE'
        if (j.type !== 'INNER' && j.type !== 'LEFT') throw new SqlError('INVALID_STATEMENT', `Invalid join type: ${j.type === 'FULL' ? 'full-outer' : 'right'} join not supported for stream-table join. Got ${lName} ${j.type} JOIN ${rName}.`, { position: pos })
      } else if (lKeyCol !== null) {
        shape = 'TABLE_TABLE'
      } else {
        shape = 'FOREIGN_KEY'
        if (j.type !== 'INNER' && j.type !== 'LEFT') throw new SqlError('INVALID_STATEMENT', `Invalid join type: ${j.type === 'FULL' ? 'full-outer' : 'right'} join not supported for foreign-key table-table join. Got ${lName} ${j.type} JOIN ${rName}.`, { position: pos })
      }
    }
    const rekeyLeft = left.kind === 'STREAM' && lKeyCol === null
    const rekeyRight = right.kind === 'STREAM' && rKeyCol === null
    if (!rekeyLeft && !rekeyRight && shape !== 'FOREIGN_KEY') {
      const lp = this.partitionsOf(left)
      const rp = this.partitionsOf(right)
      if (lp !== null && rp !== null && lp !== rp) {
        throw new SqlError('INVALID_STATEMENT', `Can't join \`${lName}\` with \`${rName}\` since the number of partitions don't match. \`${lName}\` partitions = ${lp}; \`${rName}\` partitions = ${rp}. Please repartition either one so that the number of partitions match.`, { position: pos })
      }
    }
    const lw = lc.length
    const columns: ScopeColumn[] = [...lc, ...rc.map((c) => ({ ...c, index: c.index + lw }))]
    // a FULL OUTER join's key is neither side's column (either may be NULL): ksqlDB's synthetic key column
    let syntheticKey: ScopeColumn | null = null
    if (j.type === 'FULL') {
      const taken = new Set(columns.map((c) => c.name))
      let name = 'ROWKEY'
      for (let i = 1; taken.has(name); i++) name = `ROWKEY_${i}`
      syntheticKey = { source: null, name, type: lk.type, index: lw + rc.length }
      columns.push(syntheticKey)
    }
    const node: JoinNode = {
      kind: 'Join', joinType: j.type, shape, left: left.node, right: right.node, leftKey: lk, rightKey: rk, rekeyLeft, rekeyRight, withinMs,
      leftWidth: lw, rightWidth: rc.length, syntheticKey, columns, resultKind: left.kind === 'TABLE' && right.kind === 'TABLE' ? 'TABLE' : 'STREAM',
    }
    let keyIndexes: number[]
    if (syntheticKey !== null) keyIndexes = [syntheticKey.index]
    else if (shape === 'FOREIGN_KEY') keyIndexes = left.keyIndexes
    else {
      const li = lKeyCol ?? this.plainColumnIndex(le, lc)
      const ri = rKeyCol ?? this.plainColumnIndex(re, rc)
      keyIndexes = [...(li === null ? [] : [li]), ...(ri === null ? [] : [ri + lw])]
    }
    return { node, keyIndexes, kind: node.resultKind, window: null }
  }

  private describeSide(n: Node): string {
    return n.node.kind === 'Source' ? n.node.alias : 'join result'
  }

  private partitionsOf(n: Node): number | null {
    let p: PlanNode = n.node
    while (p.kind === 'Join') {
      if (p.rekeyLeft) return null
      p = p.left
    }
    return p.kind === 'Source' ? p.source.partitions : null
  }

  private keyNames(n: Node): string {
    return n.keyIndexes.map((i) => n.node.columns[i]!.name).join(', ')
  }

  private resolvesIn(e: Expression, cols: readonly ScopeColumn[]): boolean {
    try {
      compileExpression(e, this.compileCtx(cols))
      return true
    } catch {
      return false
    }
  }

  private plainColumnIndex(e: Expression, cols: readonly ScopeColumn[]): number | null {
    if (e.kind !== 'ColumnRef') return null
    let found: ScopeColumn | null = null
    compileExpression(e, this.compileCtx(cols, { onColumn: (c) => (found = c) }))
    return (found as ScopeColumn | null)?.index ?? null
  }

  /** The row index when `e` is exactly the (single) key of the node. */
  private keyColumnIndex(e: Expression, n: Node): number | null {
    const i = this.plainColumnIndex(e, n.node.columns)
    if (i === null) return null
    if (n.node.kind === 'Source') {
      const keys = n.keyIndexes
      return keys.length === 1 && keys[0] === i ? i : null
    }
    return n.keyIndexes.includes(i) ? i : null
  }

  private outputColumn(e: Expression, cols: readonly ScopeColumn[], name?: string): OutputColumn {
    const c = compileExpression(e, this.compileCtx(cols))
    return { name: name ?? this.nameOf(e), type: c.type.kind === 'NULL' ? SqlTypes.STRING : c.type, eval: c.eval, text: formatExpression(e) }
  }

  private nameOf(e: Expression): string {
    if (e.kind === 'ColumnRef') return e.name
    if (e.kind === 'Dereference') return e.field
    return `KSQL_COL_${this.colCounter++}`
  }

  // ---------------------------------------------------------------- projection

  private expandItems(items: readonly SelectItem[], cur: Node): Array<{ expr: Expression; alias: string | null }> {
    const out: Array<{ expr: Expression; alias: string | null }> = []
    const isJoin = cur.node.kind === 'Join'
    for (const item of items) {
      if (item.kind === 'SingleColumn') {
        out.push({ expr: item.expression, alias: item.alias })
        continue
      }
      const cols = cur.node.columns.filter((c) => !PSEUDO.has(c.name) && (item.source === null || c.source === item.source))
      if (item.source !== null && cols.length === 0) throw new SqlError('UNKNOWN_SOURCE', `Source '${item.source}' is not in the FROM clause.`, { position: item.pos })
      for (const c of cols) {
        out.push({ expr: { kind: 'ColumnRef', source: c.source, name: c.name, pos: item.pos }, alias: isJoin && c.source !== null ? `${c.source}_${c.name}` : null })
      }
    }
    return out
  }

  private project(q: Select, cur: Node): ProjectNode {
    let input = cur.node
    let columns = input.columns
    // table functions
    const tfCalls: TableFunctionCall[] = []
    const items = this.expandItems(q.items, cur)
    const tfSlots = new Map<string, number>()
    for (const it of items) this.collectTableFunctions(it.expr, columns, tfCalls, tfSlots)
    if (tfCalls.length > 0) {
      if (cur.kind !== 'STREAM') throw new SqlError('INVALID_STATEMENT', 'Table functions can only be used on streams.', { position: q.pos })
      const w = columns.reduce((m, c) => Math.max(m, c.index + 1), 0)
      const extended: ScopeColumn[] = [...columns, ...tfCalls.map((t, i) => ({ source: null, name: `__TF_${i}`, type: t.type, index: w + i }))]
      for (const [k, i] of tfSlots) tfSlots.set(k, w + i)
      const fm: FlatMapNode = { kind: 'FlatMap', input, calls: tfCalls, columns: extended, resultKind: 'STREAM' }
      input = fm
      columns = extended
    }
    const tfOverride = (e: Expression): Compiled | undefined => {
      if (e.kind !== 'FunctionCall') return undefined
      const slot = tfSlots.get(formatExpression(e))
      if (slot === undefined) return undefined
      const t = columns.find((c) => c.index === slot)!.type
      return { type: t, eval: (r) => r[slot] ?? null }
    }
    const keyIdx = new Set(cur.keyIndexes)
    const key: OutputColumn[] = []
    const value: OutputColumn[] = []
    const partitionBy = q.partitionBy.length > 0
    const partitionTexts = q.partitionBy.map((p) => formatExpression(p))
    const partitionNull = partitionBy && q.partitionBy.length === 1 && q.partitionBy[0]!.kind === 'Literal' && (q.partitionBy[0] as { type: string }).type === 'NULL'
    const keyFound = new Map<number, OutputColumn>()
    for (const it of items) {
      let colIndex: number | null = null
      const c = compileExpression(it.expr, this.compileCtx(columns, { override: tfOverride, clause: 'in the SELECT list of a non-aggregate query', onColumn: (col, e) => {
        if (e === it.expr) colIndex = col.index
      } }))
      const name = it.alias ?? this.nameOf(it.expr)
      const oc: OutputColumn = { name, type: c.type.kind === 'NULL' ? SqlTypes.STRING : c.type, eval: c.eval, text: formatExpression(it.expr) }
      if (partitionBy) {
        const pi = partitionTexts.indexOf(oc.text)
        if (pi >= 0 && !partitionNull) {
          keyFound.set(pi, oc)
          continue
        }
      } else if (colIndex !== null && keyIdx.has(colIndex) && !(cur.node.kind === 'Join' && [...keyFound.values()].length > 0)) {
        keyFound.set(colIndex, oc)
        continue
      }
      value.push(oc)
    }
    if (partitionBy) {
      if (!partitionNull) {
        q.partitionBy.forEach((p, i) => {
          const found = keyFound.get(i)
          key.push(found ?? this.outputColumn(p, columns))
        })
      }
    } else {
      const required = cur.node.kind === 'Join' ? (cur.keyIndexes.length > 0 ? [cur.keyIndexes[0]!] : []) : cur.keyIndexes
      for (const i of cur.node.kind === 'Join' ? [...keyFound.keys()] : cur.keyIndexes) {
        const f = keyFound.get(i)
        if (f !== undefined) key.push(f)
      }
      const synthetic = cur.node.kind === 'Join' ? cur.node.syntheticKey : null
      if (this.options.persistent && synthetic !== null && key.length === 0) {
        throw new SqlError('INVALID_STATEMENT', `Key missing from projection (ie, SELECT). The query used to build the result must include the join expression ${synthetic.name} in its projection (eg, SELECT ${synthetic.name}...). ${synthetic.name} is the synthetic key of the FULL OUTER join: the first non-null of the join keys.`, { position: q.pos })
      }
      if (this.options.persistent && required.length > 0 && key.length === 0) {
        const names = cur.keyIndexes.map((i) => columns[i]!.name)
        throw new SqlError('INVALID_STATEMENT', `Key missing from projection (ie, SELECT). The query used to build the result must include the key column${names.length > 1 ? 's' : ''} ${names.join(', ')} in its projection${cur.node.kind === 'Join' ? ' (either side of the join criteria)' : ''}.`, { position: q.pos })
      }
      if (this.options.persistent && cur.node.kind === 'Source' && key.length < cur.keyIndexes.length) {
        const missing = cur.keyIndexes.filter((i) => !keyFound.has(i)).map((i) => columns[i]!.name)
        throw new SqlError('INVALID_STATEMENT', `Key missing from projection (ie, SELECT). The query used to build the result must include the key columns ${missing.join(', ')} in its projection.`, { position: q.pos })
      }
    }
    if (partitionBy && cur.kind === 'TABLE') throw new SqlError('INVALID_STATEMENT', 'Cannot repartition a TABLE source. PARTITION BY is only supported on streams.', { position: q.partitionBy[0]!.pos })
    return { kind: 'Project', input, key, value, partitionBy, resultKind: cur.kind, columns }
  }

  private collectTableFunctions(e: Expression, columns: readonly ScopeColumn[], out: TableFunctionCall[], slots: Map<string, number>): void {
    if (e.kind === 'FunctionCall') {
      const fn = this.ctx.registry.get(e.name)
      if (fn?.kind === 'table') {
        const text = formatExpression(e)
        if (slots.has(text)) return
        const args = e.args.map((a) => compileExpression(a, this.compileCtx(columns)))
        let resolved
        try {
          resolved = this.ctx.registry.resolve(e.name, args.map((a) => a.type))
        } catch (err) {
          throw new SqlError('FUNCTION_ERROR', (err as Error).message, { position: e.pos, cause: err })
        }
        const sig = resolved.signature as TableSignature
        const impl = sig.create(resolved.argTypes, resolved.returnType)
        slots.set(text, out.length)
        out.push({ text, impl, args: args.map((a, i) => coerce(a, resolved.argTypes[i] ?? a.type).eval), type: resolved.returnType })
        return
      }
    }
    forEachChild(e, (c) => this.collectTableFunctions(c, columns, out, slots))
  }

  // ---------------------------------------------------------------- aggregation

  private containsAggregate(e: Expression): boolean {
    if (e.kind === 'FunctionCall' && this.ctx.registry.get(e.name)?.kind === 'aggregate') return true
    let found = false
    forEachChild(e, (c) => {
      if (!found && this.containsAggregate(c)) found = true
    })
    return found
  }

  private aggregate(q: Select, cur: Node): { project: ProjectNode; window: WindowInfo | null } {
    const inCols = cur.node.columns
    if (cur.window !== null) throw new SqlError('INVALID_STATEMENT', 'Aggregating a windowed source is not supported.', { position: q.pos })
    if (q.groupBy.length === 0) throw new SqlError('INVALID_STATEMENT', 'Aggregate functions need a GROUP BY clause.', { position: q.pos })
    const items = this.expandItems(q.items, cur)
    const aliasOf = new Map<string, string>()
    for (const it of items) if (it.alias !== null) aliasOf.set(formatExpression(it.expr), it.alias)
    const groupBy: OutputColumn[] = q.groupBy.map((g) => {
      if (this.containsAggregate(g)) throw new SqlError('INVALID_STATEMENT', `GROUP BY does not support aggregate functions: ${formatExpression(g)} is an aggregate function.`, { position: g.pos })
      const text = formatExpression(g)
      return this.outputColumn(g, inCols, aliasOf.get(text) ?? (g.kind === 'ColumnRef' || g.kind === 'Dereference' ? undefined : undefined))
    })
    const groupTexts = groupBy.map((g) => g.text)
    // GROUP BY the current key (same columns, same order): no repartition
    const groupIdx = q.groupBy.map((g) => this.plainColumnIndex(g, inCols))
    const groupByKey = cur.node.kind === 'Source' && cur.keyIndexes.length === groupIdx.length && cur.keyIndexes.every((k, i) => groupIdx[i] === k)
    const windowed = q.window !== null
    const aggregates: AggregateCall[] = []
    const aggTexts: string[] = []
    const G = groupBy.length
    const postColumns = (): ScopeColumn[] => [
      ...groupBy.map((g, i) => ({ source: null, name: g.name, type: g.type, index: i })),
      ...aggregates.map((a, i) => ({ source: null, name: `KSQL_AGG_VARIABLE_${i}`, type: a.type, index: G + i })),
    ]
    const nonAggregated: string[] = []
    const override = (e: Expression): Compiled | undefined => {
      const text = formatExpression(e)
      const gi = groupTexts.indexOf(text)
      if (gi >= 0) {
        const g = groupBy[gi]!
        return { type: g.type, eval: (r) => r[gi] ?? null }
      }
      if (e.kind === 'ColumnRef' && e.source === null && (e.name === 'WINDOWSTART' || e.name === 'WINDOWEND') && windowed) {
        return { type: SqlTypes.BIGINT, eval: e.name === 'WINDOWSTART' ? (r) => r[G + aggregates.length] ?? null : (r) => r[G + aggregates.length + 1] ?? null }
      }
      if (e.kind === 'FunctionCall') {
        const fn = this.ctx.registry.get(e.name)
        if (fn?.kind === 'aggregate') {
          let ai = aggTexts.indexOf(text)
          if (ai < 0) {
            ai = aggregates.length
            aggregates.push(this.aggregateCall(e, inCols))
            aggTexts.push(text)
          }
          const slot = G + ai
          return { type: aggregates[ai]!.type, eval: (r) => r[slot] ?? null }
        }
      }
      if (e.kind === 'ColumnRef') {
        // a column neither grouped nor aggregated
        compileExpression(e, this.compileCtx(inCols))
        nonAggregated.push(formatExpression(e))
        return { type: SqlTypes.NULL, eval: () => null }
      }
      return undefined
    }
    const outCols: Array<{ oc: OutputColumn; isKey: number }> = []
    for (const it of items) {
      const c = compileExpression(it.expr, this.compileCtx([], { override, clause: 'in GROUP BY' }))
      const text = formatExpression(it.expr)
      const gi = groupTexts.indexOf(text)
      const name = it.alias ?? (gi >= 0 ? groupBy[gi]!.name : this.nameOf(it.expr))
      outCols.push({ oc: { name, type: c.type.kind === 'NULL' ? SqlTypes.STRING : c.type, eval: c.eval, text }, isKey: gi })
    }
    let having: ((row: unknown[]) => boolean) | null = null
    if (q.having !== null) having = compilePredicate(q.having, this.compileCtx([], { override }), 'HAVING')
    if (nonAggregated.length > 0) {
      throw new SqlError('INVALID_STATEMENT', `Non-aggregate SELECT expression(s) not part of GROUP BY: ${[...new Set(nonAggregated)].join(', ')}`, { position: q.pos })
    }
    const key: OutputColumn[] = []
    const value: OutputColumn[] = []
    const keyByGroup = new Map<number, OutputColumn>()
    for (const { oc, isKey } of outCols) {
      if (isKey >= 0 && !keyByGroup.has(isKey)) keyByGroup.set(isKey, oc)
      else value.push(oc)
    }
    for (let i = 0; i < G; i++) {
      const k = keyByGroup.get(i)
      if (k === undefined && this.options.persistent) {
        throw new SqlError('INVALID_STATEMENT', `Key missing from projection (ie, SELECT). The query used to build the result must include the grouping expression${G > 1 ? 's' : ''} ${groupTexts.join(', ')} in its projection.`, { position: q.pos })
      }
      key.push(k ?? groupBy[i]!)
    }
    let window: WindowInfo | null = null
    if (q.window !== null) {
      const w = q.window
      window = { type: w.kind, sizeMs: w.kind === 'SESSION' ? null : durationMs(w.size) }
    }
    const columns = postColumns()
    if (windowed) for (const p of WINDOW_COLUMNS) columns.push({ source: null, name: p.name, type: p.type, index: columns.length })
    const agg: AggregateNode = {
      kind: 'Aggregate', input: cur.node, groupBy, groupByKey, aggregates, window: q.window, columns, having, havingText: q.having === null ? null : formatExpression(q.having), resultKind: 'TABLE',
    }
    if (cur.kind === 'TABLE') {
      for (const a of aggregates) {
        if (a.impl.undo === undefined) throw new SqlError('FUNCTION_ERROR', `The aggregation function ${a.text} cannot be applied to a table source, only to a stream.`, { position: q.pos })
      }
    }
    if (q.window?.kind === 'SESSION') {
      for (const a of aggregates) {
        if (a.impl.merge === undefined) throw new SqlError('FUNCTION_ERROR', `The aggregation function ${a.text} does not support SESSION windows.`, { position: q.pos })
      }
    }
    return { project: { kind: 'Project', input: agg, key, value, partitionBy: false, resultKind: 'TABLE', columns }, window }
  }

  private aggregateCall(e: Expression & { kind: 'FunctionCall' }, cols: readonly ScopeColumn[]): AggregateCall {
    const text = formatExpression(e)
    for (const a of e.args) {
      if (this.containsAggregate(a)) throw new SqlError('INVALID_STATEMENT', `Aggregate functions can not be nested: ${text}`, { position: e.pos })
    }
    const args = e.args.map((a) => compileExpression(a, this.compileCtx(cols)))
    let resolved
    try {
      resolved = this.ctx.registry.resolve(e.name, args.map((a) => a.type))
    } catch (err) {
      if (err instanceof SqlError) throw err
      throw new SqlError('FUNCTION_ERROR', (err as Error).message, { position: e.pos, cause: err })
    }
    const sig = resolved.signature as AggregateSignature
    const nLit = sig.literalParams ?? 0
    const colArgs = args.slice(0, args.length - nLit)
    const litArgs = args.slice(args.length - nLit).map((a, i) => {
      if (a.constant !== true) throw new SqlError('FUNCTION_ERROR', `Parameter ${args.length - nLit + i + 1} of ${e.name} must be a literal`, { position: e.args[args.length - nLit + i]!.pos })
      return a.eval([])
    })
    const impl = sig.create(resolved.argTypes, litArgs, resolved.returnType)
    return { text, impl, args: colArgs.map((a, i) => coerce(a, resolved.argTypes[i] ?? a.type).eval), argTypes: colArgs.map((a, i) => (resolved.argTypes[i] ?? a.type).kind === 'NULL' ? SqlTypes.STRING : (resolved.argTypes[i] ?? a.type)), type: resolved.returnType }
  }
}

/** Calls `f` on each direct sub-expression. */
export function forEachChild(e: Expression, f: (c: Expression) => void): void {
  switch (e.kind) {
    case 'Literal':
    case 'ColumnRef':
      return
    case 'Dereference':
      f(e.base)
      return
    case 'Subscript':
      f(e.base)
      f(e.index)
      return
    case 'FunctionCall':
      e.args.forEach(f)
      return
    case 'Arithmetic':
    case 'Comparison':
    case 'Logical':
    case 'IsDistinctFrom':
      f(e.left)
      f(e.right)
      return
    case 'Not':
    case 'Negate':
    case 'IsNull':
      f(e.operand)
      return
    case 'Between':
      f(e.operand)
      f(e.low)
      f(e.high)
      return
    case 'InList':
      f(e.operand)
      e.items.forEach(f)
      return
    case 'Like':
      f(e.operand)
      f(e.pattern)
      return
    case 'Case':
      if (e.operand !== null) f(e.operand)
      for (const w of e.whens) {
        f(w.when)
        f(w.then)
      }
      if (e.otherwise !== null) f(e.otherwise)
      return
    case 'Cast':
      f(e.operand)
      return
    case 'ArrayConstructor':
      e.items.forEach(f)
      return
    case 'MapConstructor':
      for (const x of e.entries) {
        f(x.key)
        f(x.value)
      }
      return
    case 'StructConstructor':
      for (const x of e.fields) f(x.value)
      return
    case 'Lambda':
      f(e.body)
  }
}
