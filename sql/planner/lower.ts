// Lowers a logical plan onto Brook Streams: sources become KStreams/KTables of row arrays,
// joins/aggregations/windows/suppress map to the DSL operators, the projection computes the
// output key and value, and the sink writes them in the target's formats.
import type { StreamsBuilder } from '../../streams/dsl/streams-builder.js'
import type { KStream, KTable } from '../../streams/dsl/kstream.js'
import { Consumed, Grouped, Joined, Materialized, Produced, StreamJoined } from '../../streams/dsl/options.js'
import { BufferConfig, JoinWindows, SessionWindows, SlidingWindows, Suppressed, TimeWindows } from '../../streams/dsl/windows.js'
import { Serdes, type Serde } from '../../streams/serdes.js'
import type { Windowed } from '../../streams/dsl/windowed.js'
import type { FixedKeyProcessorContext } from '../../streams/processor/api.js'
import type { Record as StreamRecord } from '../../streams/processor/record.js'
import { pair } from '../../streams/dsl/callbacks.js'
import type { DataSource } from '../catalog/data-source.js'
import { SqlError } from '../errors.js'
import { internalRowSerde } from '../serde/internal.js'
import type { ProcessingLogger, RecordContextHolder } from '../runtime/processing-log.js'
import { durationMs } from '../analyzer/query-analyzer.js'
import type { AggregateNode, JoinNode, PlanNode, ProjectNode, QueryPlan, SourceNode } from './plan.js'
import { formatSerde, rowSerdeOf, topicKeySerde, valueFormatOf } from './serdes.js'
import { valueColumns } from '../analyzer/schema.js'
import { SqlDecimal } from '../types/decimal.js'
import { formatType } from '../types/sql-type.js'

type Row = unknown[]
type Key = unknown
type Lowered =
  | { kind: 'stream'; s: KStream<Key, Row>; windowed: boolean }
  | { kind: 'table'; t: KTable<Key, Row>; windowed: boolean }

/** Default grace of windows and stream-stream joins without GRACE PERIOD (ksqlDB's 24 hours). */
export const DEFAULT_GRACE_MS = 86_400_000

export interface LowerOptions {
  readonly queryId: string
  /** Persistent query: the sink; transient: null and `onRow` gets the rows. */
  readonly sink: DataSource | null
  readonly onRow?: (key: unknown[] | null, value: unknown[] | null, timestamp: number, window: { start: number; end: number } | null) => void
  readonly log: ProcessingLogger
  readonly context: RecordContextHolder
}

/** Where a pull query finds a materialized table's rows. */
export interface Materialization {
  readonly storeName: string
  readonly windowed: 'NONE' | 'TIME' | 'SESSION'
  /** Turns a stored aggregate (or row) into the output row (key columns then value columns), or null when HAVING drops it. */
  readonly toRow: (key: unknown[], stored: unknown[], window: { start: number; end: number } | null) => unknown[] | null
}

export interface LoweredQuery {
  readonly materialization: Materialization | null
}

const nulls = (n: number): Row => new Array<unknown>(n).fill(null)

export function lowerQuery(plan: QueryPlan, builder: StreamsBuilder, options: LowerOptions): LoweredQuery {
  return new Lowering(builder, options).lower(plan)
}

/**
 * CREATE SOURCE TABLE (ksqlDB 0.22+): the table read from its topic into a store, nothing written;
 * `plan` is `SELECT * FROM <table>`. Pull queries read the store.
 */
export function lowerSourceTable(plan: QueryPlan, builder: StreamsBuilder, options: LowerOptions): LoweredQuery {
  return new Lowering(builder, options).materializeSource(plan)
}

class Lowering {
  private readonly sources = new Map<string, Lowered>()
  private materialization: Materialization | null = null
  private fkJoins = 0
  /** The projection already applied by the aggregation step. */
  private fusedProjection: ProjectNode | null = null

  constructor(
    private readonly builder: StreamsBuilder,
    private readonly options: LowerOptions,
  ) {}

  lower(plan: QueryPlan): LoweredQuery {
    const out = this.project(plan.root, plan)
    const sink = this.options.sink
    const stream: KStream<Key, Row> = out.kind === 'stream' ? out.s : out.t.toStream()
    if (sink !== null) {
      const keySerde = this.sinkKeySerde(sink)
      const valueSerde = formatSerde(valueFormatOf(sink))
      this.decimalGuard(stream, sink).to(sink.topic, Produced.with(keySerde, valueSerde as Serde<Row>))
    } else {
      const onRow = this.options.onRow!
      const windowed = out.windowed
      stream.foreach((k, v) => {
        if (windowed) {
          const w = k as Windowed<unknown[]>
          onRow(w.key, v, 0, { start: w.window.start, end: w.window.end })
        } else onRow(k as unknown[] | null, v, 0, null)
      })
    }
    return { materialization: this.materialization }
  }

  /**
   * Sinks with DECIMAL value columns: a value with more digits than its column's precision is never
   * written (it would be silently wrong for every reader); the record is dropped and logged as a
   * serialization error. Other sinks are left as they are.
   */
  private decimalGuard(stream: KStream<Key, Row>, sink: DataSource): KStream<Key, Row> {
    const decimals = valueColumns(sink.schema).filter((c) => c.namespace === 'VALUE').flatMap((c, i) => (c.type.kind === 'DECIMAL' ? [{ i, name: c.name, type: c.type }] : []))
    if (decimals.length === 0) return stream
    const log = this.options.log
    const ctx = this.options.context
    const queryId = this.options.queryId
    return stream.filter((_k, v) => {
      if (v === null) return true
      for (const d of decimals) {
        const x = v[d.i]
        if (!(x instanceof SqlDecimal)) continue
        const y = x.scale === d.type.scale ? x : x.setScale(d.type.scale)
        if (y.fits(d.type.precision)) continue
        log.log({ type: 'SERIALIZATION_ERROR', queryId, topic: ctx.topic, partition: ctx.partition, offset: ctx.offset, target: 'value', sinkTopic: sink.topic, message: `Error serializing message to topic: ${sink.topic}. Numeric field overflow: ${y.toString()} does not fit ${formatType(d.type)} of column ${d.name}`, timestamp: Date.now() })
        return false
      }
      return true
    })
  }

  materializeSource(plan: QueryPlan): LoweredQuery {
    const src = plan.root.kind === 'Project' ? plan.root.input : plan.root
    if (src.kind !== 'Source' || src.source.kind !== 'TABLE' || src.source.window !== null) throw new SqlError('UNSUPPORTED', 'Only non-windowed source tables are materialized')
    const out = this.lowerNode(src, plan)
    if (out.kind !== 'table') throw new SqlError('UNSUPPORTED', 'A source table lowers to a table')
    // the row of the source's store: its schema columns (key first) then pseudocolumns
    const width = src.source.schema.columns.length
    return { materialization: { storeName: `KsqlTopic-${src.source.name}-Reduce`, windowed: 'NONE', toRow: (_key, stored) => stored.slice(0, width) } }
  }

  private sinkKeySerde(sink: DataSource): Serde<Key> {
    return topicKeySerde(sink) as Serde<Key>
  }

  private lowerNode(n: PlanNode, plan: QueryPlan): Lowered {
    switch (n.kind) {
      case 'Source':
        return this.source(n)
      case 'Join':
        return this.join(n, plan)
      case 'Filter': {
        const input = this.lowerNode(n.input, plan)
        const p = n.predicate
        if (input.kind === 'stream') return { ...input, s: input.s.filter((_k, v) => p(v)) }
        return { ...input, t: input.t.filter((_k, v) => p(v)) }
      }
      case 'FlatMap': {
        const input = this.lowerNode(n.input, plan)
        if (input.kind !== 'stream') throw new SqlError('UNSUPPORTED', 'Table functions need a stream input')
        const calls = n.calls
        const log = this.options.log
        const ctx = this.options.context
        const queryId = this.options.queryId
        const s = input.s.flatMapValues((row: Row): Iterable<Row> => {
          const results: Array<readonly unknown[]> = []
          let max = 0
          for (const c of calls) {
            let r: readonly unknown[] | null = null
            try {
              r = c.impl(...c.args.map((a) => a(row)))
            } catch (err) {
              log.log({ type: 'RECORD_PROCESSING_ERROR', queryId, topic: ctx.topic, partition: ctx.partition, offset: ctx.offset, message: `Error in table function ${c.text}: ${(err as Error).message}`, timestamp: Date.now() })
            }
            const arr = r ?? []
            results.push(arr)
            if (arr.length > max) max = arr.length
          }
          // table functions zip: the longest result sets the row count, shorter ones pad with NULL
          const out: Row[] = []
          for (let i = 0; i < max; i++) out.push([...row, ...results.map((r) => r[i] ?? null)])
          return out
        })
        return { kind: 'stream', s, windowed: input.windowed }
      }
      case 'Aggregate':
        return this.aggregate(n, plan)
      case 'Project':
        return this.project(n, plan)
    }
  }

  private source(n: SourceNode): Lowered {
    const src = n.source
    const cached = this.sources.get(src.name)
    if (cached !== undefined) {
      // a self-join: the second side reads the same source node through its own step
      if (cached.kind === 'stream') return { ...cached, s: cached.s.mapValues((v: Row) => v) }
      return { ...cached, t: cached.t.mapValues((v: Row) => v) }
    }
    const keySerde = topicKeySerde(src)
    const valueFormat = valueFormatOf(src)
    const schemaCols = src.schema.columns
    const keyCount = schemaCols.filter((c) => c.namespace === 'KEY').length
    const valueSlots = schemaCols.map((c, i) => ({ c, i })).filter((x) => x.c.namespace === 'VALUE').map((x) => x.i)
    const headerSlots = schemaCols.map((c, i) => ({ c, i })).filter((x) => x.c.namespace === 'HEADERS' || x.c.namespace === 'HEADER')
    const width = n.columns.length
    const windowed = src.window !== null
    const tsIndex = src.timestampColumn === null ? -1 : schemaCols.findIndex((c) => c.name === src.timestampColumn)
    const tsType = tsIndex >= 0 ? schemaCols[tsIndex]!.type : null
    const tsFormat = src.timestampFormat
    const isTable = src.kind === 'TABLE'
    const log = this.options.log
    const holder = this.options.context
    const queryId = this.options.queryId
    // A format that may have to fetch what a record needs (AVRO: its schema) checks in the source,
    // where the runtime can hold the record until it is here; decoding stays below, where a bad
    // record goes to the processing log.
    const ready = valueFormat.ready?.bind(valueFormat)
    const valueSerde: Serde<Buffer> = ready === undefined ? Serdes.Bytes() : { serialize: (_t, b) => b, deserialize: (_t, b) => (ready(b), b) }
    const raw = this.builder.stream<Key, Buffer>(src.topic, Consumed.with(keySerde, valueSerde))
    const rows = raw.processValues<Row>(() => {
      let ctx: FixedKeyProcessorContext<Key, Row>
      return {
        init(c) {
          ctx = c
        },
        process(rec: StreamRecord<Key, Buffer>) {
          const md = ctx.recordMetadata()
          holder.topic = md?.topic ?? src.topic
          holder.partition = md?.partition ?? null
          holder.offset = md?.offset ?? null
          let values: unknown[] | null
          try {
            values = valueFormat.deserialize(rec.value)
          } catch (err) {
            log.log({ type: 'DESERIALIZATION_ERROR', queryId, topic: holder.topic, partition: holder.partition, offset: holder.offset, message: `Failed to deserialize value from topic: ${src.topic}. ${(err as Error).message}`, timestamp: Date.now(), recordBytes: rec.value, target: 'value' })
            return
          }
          if (values === null) {
            if (isTable) ctx.forward(rec.withValue(null as unknown as Row))
            return
          }
          const keyArr = windowed ? ((rec.key as Windowed<unknown[]> | null)?.key ?? nulls(keyCount)) : ((rec.key as unknown[] | null) ?? nulls(keyCount))
          const row = new Array<unknown>(width)
          for (let i = 0; i < keyCount; i++) row[i] = keyArr[i] ?? null
          for (let i = 0; i < valueSlots.length; i++) row[valueSlots[i]!] = values[i] ?? null
          for (const h of headerSlots) {
            if (h.c.namespace === 'HEADERS') row[h.i] = rec.headers.map((x) => ({ KEY: x.key, VALUE: x.value ?? null }))
            else row[h.i] = rec.headers.filter((x) => x.key === h.c.headerKey).pop()?.value ?? null
          }
          let ts = rec.timestamp
          if (tsIndex >= 0) {
            const v = row[tsIndex]
            if (v === null || v === undefined) return
            if (tsType?.kind === 'STRING') {
              const parsed = parseTimestamp(v as string, tsFormat)
              if (Number.isNaN(parsed)) {
                log.log({ type: 'RECORD_PROCESSING_ERROR', queryId, topic: holder.topic, partition: holder.partition, offset: holder.offset, message: `Failed to parse timestamp '${v as string}' with format ${tsFormat ?? 'ISO-8601'}`, timestamp: Date.now() })
                return
              }
              ts = parsed
            } else ts = v as number
          }
          const base = schemaCols.length
          row[base] = ts
          row[base + 1] = md?.partition ?? 0
          row[base + 2] = md?.offset ?? 0
          if (windowed) {
            const w = (rec.key as Windowed<unknown[]> | null)?.window
            row[base + 3] = w?.start ?? null
            row[base + 4] = w?.end ?? null
          }
          // header columns are read into the row; headers are not carried on to sinks
          let out = ts === rec.timestamp ? rec.withValue(row) : rec.withValue(row).withTimestamp(ts)
          if (rec.headers.length > 0) out = out.withHeaders([])
          ctx.forward(out)
        },
      }
    })
    let out: Lowered
    if (isTable) {
      const t = rows.toTable(Materialized.as<Key, Row>(`KsqlTopic-${src.name}-Reduce`).withKeySerde(internalRowSerde(schemaCols.filter((c) => c.namespace === 'KEY').map((c) => c.type)) as Serde<Key>).withValueSerde(rowSerdeOf(n.columns)))
      out = { kind: 'table', t, windowed }
    } else out = { kind: 'stream', s: rows, windowed }
    this.sources.set(src.name, out)
    return out
  }

  private join(n: JoinNode, plan: QueryPlan): Lowered {
    const left = this.lowerNode(n.left, plan)
    const right = this.lowerNode(n.right, plan)
    const lw = n.leftWidth
    const rw = n.rightWidth
    const lk = n.leftKey.eval
    const rk = n.rightKey.eval
    const keySerde = internalRowSerde([n.leftKey.type]) as Serde<Key>
    const lSerde = rowSerdeOf(n.left.columns)
    const rSerde = rowSerdeOf(n.right.columns)
    const concat = (l: Row | null, r: Row | null): Row => [...(l ?? nulls(lw)), ...(r ?? nulls(rw))]
    // FULL OUTER: the synthetic key after both sides, the first non-null join key
    const concatWithKey = (l: Row | null, r: Row | null): Row => [...(l ?? nulls(lw)), ...(r ?? nulls(rw)), l !== null ? lk(l) : r !== null ? rk(r) : null]
    const rekey = (s: KStream<Key, Row>, f: (r: Row) => unknown): KStream<Key, Row> => s.selectKey((_k, v) => [f(v)]).filter((k) => (k as unknown[])[0] !== null)
    switch (n.shape) {
      case 'STREAM_STREAM': {
        if (left.kind !== 'stream' || right.kind !== 'stream') throw new SqlError('UNSUPPORTED', 'stream-stream join over tables')
        const ls = n.rekeyLeft ? rekey(left.s, lk) : left.s
        const rs = n.rekeyRight ? rekey(right.s, rk) : right.s
        const w = n.withinMs!
        const windows = JoinWindows.ofTimeDifferenceAndGrace(0, w.grace ?? DEFAULT_GRACE_MS).before(w.before).after(w.after)
        const sj = StreamJoined.with<Key, Row, Row>(keySerde, lSerde, rSerde)
        let s: KStream<Key, Row>
        switch (n.joinType) {
          case 'INNER':
            s = ls.join(rs, (l: Row, r: Row) => concat(l, r), windows, sj)
            break
          case 'LEFT':
            s = ls.leftJoin(rs, (l: Row, r: Row | null) => concat(l, r), windows, sj)
            break
          case 'FULL':
            s = ls.outerJoin(rs, concatWithKey, windows, sj)
            break
          case 'RIGHT': {
            const rev = JoinWindows.ofTimeDifferenceAndGrace(0, w.grace ?? DEFAULT_GRACE_MS).before(w.after).after(w.before)
            s = rs.leftJoin(ls, (r: Row, l: Row | null) => concat(l, r), rev, StreamJoined.with<Key, Row, Row>(keySerde, rSerde, lSerde))
            break
          }
        }
        return { kind: 'stream', s, windowed: false }
      }
      case 'STREAM_TABLE': {
        if (left.kind !== 'stream' || right.kind !== 'table') throw new SqlError('UNSUPPORTED', 'stream-table join shape')
        const ls = n.rekeyLeft ? rekey(left.s, lk) : left.s
        const joined = Joined.with<Key, Row, Row>(keySerde, lSerde, rSerde)
        const s = n.joinType === 'INNER' ? ls.join(right.t, (l: Row, r: Row) => concat(l, r), joined) : ls.leftJoin(right.t, (l: Row, r: Row | null) => concat(l, r), joined)
        return { kind: 'stream', s, windowed: false }
      }
      case 'TABLE_TABLE': {
        if (left.kind !== 'table' || right.kind !== 'table') throw new SqlError('UNSUPPORTED', 'table-table join shape')
        let t: KTable<Key, Row>
        switch (n.joinType) {
          case 'INNER':
            t = left.t.join(right.t, (l: Row, r: Row) => concat(l, r))
            break
          case 'LEFT':
            t = left.t.leftJoin(right.t, (l: Row, r: Row | null) => concat(l, r))
            break
          case 'FULL':
            t = left.t.outerJoin(right.t, concatWithKey)
            break
          case 'RIGHT':
            t = right.t.leftJoin(left.t, (r: Row, l: Row | null) => concat(l, r))
            break
        }
        return { kind: 'table', t, windowed: false }
      }
      case 'FOREIGN_KEY': {
        if (left.kind !== 'table' || right.kind !== 'table') throw new SqlError('UNSUPPORTED', 'foreign-key join shape')
        const fk = (row: Row): Key => {
          const v = lk(row)
          return v === null ? (null as unknown as Key) : [v]
        }
        // materialized, so the result can be joined again (several foreign-key joins in one query)
        const leftKeyTypes = (n.left.kind === 'Source' ? n.left.source.schema.columns.filter((c) => c.namespace === 'KEY') : []).map((c) => c.type)
        const mat = Materialized.as<Key, Row>(`FkJoin-${this.fkJoins++}-Materialize`).withValueSerde(rowSerdeOf(n.columns))
        const m = leftKeyTypes.length > 0 ? mat.withKeySerde(internalRowSerde(leftKeyTypes) as Serde<Key>) : mat
        const t = n.joinType === 'INNER' ? left.t.join(right.t, fk, (l: Row, r: Row) => concat(l, r), m) : left.t.leftJoin(right.t, fk, (l: Row, r: Row | null) => concat(l, r), m)
        return { kind: 'table', t, windowed: false }
      }
    }
  }

  private aggregate(n: AggregateNode, plan: QueryPlan): Lowered {
    const input = this.lowerNode(n.input, plan)
    const groupEvals = n.groupBy.map((g) => g.eval)
    const G = groupEvals.length
    const aggs = n.aggregates
    const A = aggs.length
    const keySerde = internalRowSerde(n.groupBy.map((g) => g.type)) as Serde<Key>
    const rowSerde = rowSerdeOf(n.input.columns)
    const stateSerde = internalRowSerde(aggs.map((a) => a.impl.stateType))
    const argBufs = aggs.map((a) => new Array<unknown>(a.args.length))
    const log = this.options.log
    const ctx = this.options.context
    const queryId = this.options.queryId
    const fail = (a: (typeof aggs)[number], err: unknown): void => {
      log.log({ type: 'RECORD_PROCESSING_ERROR', queryId, topic: ctx.topic, partition: ctx.partition, offset: ctx.offset, message: `Error computing ${a.text}: ${(err as Error).message}`, timestamp: Date.now() })
    }
    const init = (): Row => {
      const st = new Array<unknown>(A)
      for (let i = 0; i < A; i++) st[i] = aggs[i]!.impl.initialize()
      return st
    }
    // Stream aggregations repartition a compact row: only the aggregate arguments (ksqlDB's Aggregate-Prepare step).
    const offsets: number[] = []
    let width = 0
    for (const a of aggs) {
      offsets.push(width)
      width += a.args.length
    }
    const prepare = (row: Row): Row => {
      const out = new Array<unknown>(width)
      let o = 0
      for (const a of aggs) for (const f of a.args) out[o++] = f(row)
      return out
    }
    const prepared = input.kind === 'stream'
    const step = (undo: boolean) => (_k: Key, row: Row, st: Row): Row => {
      const next = st.slice()
      for (let i = 0; i < A; i++) {
        const a = aggs[i]!
        const buf = argBufs[i]!
        if (prepared) {
          const off = offsets[i]!
          for (let j = 0; j < buf.length; j++) buf[j] = row[off + j]
        } else for (let j = 0; j < buf.length; j++) buf[j] = a.args[j]!(row)
        try {
          next[i] = undo ? a.impl.undo!(buf, next[i]) : a.impl.aggregate(buf, next[i])
        } catch (err) {
          fail(a, err)
        }
      }
      return next
    }
    const groupKey = (row: Row): Key => {
      const k = new Array<unknown>(G)
      for (let i = 0; i < G; i++) {
        const v = groupEvals[i]!(row)
        if (v === null) return null
        k[i] = v
      }
      return k
    }
    const storeName = 'Aggregate-Aggregate-Materialize'
    let mat = Materialized.as<Key, Row>(storeName).withKeySerde(keySerde).withValueSerde(stateSerde)
    let aggregated: KTable<Key, Row>
    const w = n.window
    const grace = w?.grace === null || w?.grace === undefined ? DEFAULT_GRACE_MS : durationMs(w.grace)
    if (w !== null && w.retention !== null) mat = mat.withRetention(durationMs(w.retention))
    if (input.kind === 'stream') {
      const preparedSerde = internalRowSerde(aggs.flatMap((a) => a.argTypes))
      const grouped = n.groupByKey
        ? input.s.filter((k) => k !== null && (k as unknown[]).every((x) => x !== null)).mapValues((row: Row) => prepare(row)).groupByKey(Grouped.with<Key, Row>(keySerde, preparedSerde))
        : input.s.map((_k, row) => pair(groupKey(row), prepare(row))).filter((k) => k !== null).groupByKey(Grouped.with<Key, Row>('Aggregate-GroupBy', keySerde, preparedSerde))
      if (w === null) aggregated = grouped.aggregate(init, step(false), mat)
      else if (w.kind === 'SESSION') {
        const merge = (_k: Key, a: Row, b: Row): Row => a.map((x, i) => aggs[i]!.impl.merge!(x, b[i]))
        aggregated = grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(durationMs(w.size), grace)).aggregate(init, step(false), merge, mat) as unknown as KTable<Key, Row>
      } else if (w.kind === 'SLIDING') {
        aggregated = grouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(durationMs(w.size), grace)).aggregate(init, step(false), mat) as unknown as KTable<Key, Row>
      } else {
        let tw = TimeWindows.ofSizeAndGrace(durationMs(w.size), grace)
        if (w.advanceBy !== null) tw = tw.advanceBy(durationMs(w.advanceBy))
        aggregated = grouped.windowedBy(tw).aggregate(init, step(false), mat) as unknown as KTable<Key, Row>
      }
    } else {
      if (w !== null) throw new SqlError('INVALID_STATEMENT', 'Windowed aggregation of a table is not supported.')
      const grouped = input.t.groupBy((_k, row) => pair(groupKey(row), row), Grouped.with<Key, Row>('Aggregate-GroupBy', keySerde, rowSerde))
      aggregated = grouped.aggregate(init, step(false), step(true), mat)
    }
    if (n.window !== null && plan.emitFinal) aggregated = aggregated.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('Suppress'))
    const windowed = w !== null
    const toPost = (key: unknown[], st: Row, win: { start: number; end: number } | null): Row => {
      const row = new Array<unknown>(G + A + (windowed ? 2 : 0))
      for (let i = 0; i < G; i++) row[i] = key[i] ?? null
      for (let i = 0; i < A; i++) row[G + i] = aggs[i]!.impl.result(st[i]) ?? null
      if (win !== null) {
        row[G + A] = win.start
        row[G + A + 1] = win.end
      }
      return row
    }
    const having = n.having
    const root = plan.root
    // Without HAVING, the projection is applied in the same step as the aggregate results (one node, one row).
    const fuse = root.input === n && having === null
    const rootValues = root.value.map((v) => v.eval)
    const finish = fuse ? (r: Row): Row => rootValues.map((f) => f(r)) : (r: Row): Row => r
    if (fuse) this.fusedProjection = root
    const post = aggregated.mapValues((k: Key, st: Row): Row => {
      if (st === null) return null as unknown as Row
      if (windowed) {
        const wk = k as Windowed<unknown[]>
        return finish(toPost(wk.key, st, wk.window))
      }
      return finish(toPost(k as unknown[], st, null))
    })
    if (root.input === n) {
      const valueEvals = root.value.map((v) => v.eval)
      const sessionLike = w?.kind === 'SESSION'
      this.materialization = {
        storeName,
        windowed: w === null ? 'NONE' : sessionLike ? 'SESSION' : 'TIME',
        toRow: (key, st, win) => {
          const r = toPost(key, st, win)
          if (having !== null && !having(r)) return null
          return [...root.key.map((kc) => kc.eval(r)), ...valueEvals.map((f) => f(r))]
        },
      }
    }
    const filtered = having === null ? post : post.filter((_k, row) => row !== null && having(row))
    return { kind: 'table', t: filtered, windowed }
  }

  private project(n: ProjectNode, plan: QueryPlan): Lowered {
    const input = this.lowerNode(n.input, plan)
    if (this.fusedProjection === n) return input
    const values = n.value.map((v) => v.eval)
    const V = values.length
    const project = (row: Row): Row => {
      const out = new Array<unknown>(V)
      for (let i = 0; i < V; i++) out[i] = values[i]!(row)
      return out
    }
    if (input.kind === 'table') {
      const mapper = (row: Row): Row => (row === null ? (null as unknown as Row) : project(row))
      if (n === plan.root && this.materialization === null && this.options.sink !== null && !input.windowed) {
        // a table derived without aggregation: materialize its rows for pull queries
        const storeName = `${this.options.sink.name}-Materialize`
        const keySerde = internalRowSerde(n.key.map((k) => k.type)) as Serde<Key>
        const valueSerde = internalRowSerde(n.value.map((v) => v.type))
        this.materialization = { storeName, windowed: 'NONE', toRow: (key, stored) => [...key, ...stored] }
        return { kind: 'table', t: input.t.mapValues(mapper, Materialized.as<Key, Row>(storeName).withKeySerde(keySerde).withValueSerde(valueSerde)), windowed: false }
      }
      return { kind: 'table', t: input.t.mapValues(mapper), windowed: input.windowed }
    }
    if (n.partitionBy) {
      const keys = n.key.map((k) => k.eval)
      const s = input.s.map((_k, row) => pair(keys.length === 0 ? null : keys.map((f) => f(row)), project(row)))
      return { kind: 'stream', s: s as KStream<Key, Row>, windowed: false }
    }
    if (n.input.kind === 'Join' || n.input.kind === 'FlatMap' || (n.input.kind === 'Filter' && n.input.input.kind === 'Join')) {
      // the key after a join is the join expression; the output key is the projected key column
      const keys = n.key.map((k) => k.eval)
      if (keys.length > 0) {
        const s = input.s.map((k, row) => pair(input.windowed ? k : keys.map((f) => f(row)), project(row)))
        return { kind: 'stream', s: s as KStream<Key, Row>, windowed: input.windowed }
      }
    }
    return { kind: 'stream', s: input.s.mapValues((row: Row) => project(row)), windowed: input.windowed }
  }
}

function parseTimestamp(text: string, format: string | null): number {
  if (format === null) return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`)
  // the common Java patterns: yyyy-MM-dd HH:mm:ss[.SSS], yyyy-MM-dd'T'HH:mm:ss[.SSS][X]
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim())
  if (m === null) return NaN
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}.${(m[7] ?? '0').padEnd(3, '0')}${m[8] ?? 'Z'}`
  return Date.parse(iso)
}
