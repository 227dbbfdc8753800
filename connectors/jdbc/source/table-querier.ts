// One table's (or the custom query's) polling in one mode. Every record carries the offset
// that is complete up to and including it, so no row is skipped when many rows share a
// timestamp across a batch boundary or a restart:
//   incrementing             WHERE inc > :inc ORDER BY inc LIMIT n
//   timestamp+incrementing   WHERE ts > :ts OR (ts = :ts AND inc > :inc) ORDER BY ts, inc LIMIT n
//   timestamp                WHERE ts > :ts ORDER BY ts LIMIT n, and a batch never ends inside a
//                            group of equal timestamps: a trailing partial group is dropped (read
//                            again next time), and a group larger than the batch is read whole.
import type { SourceOffset, SourcePartition, SourceRecord } from '../../api/record.js'
import { Schemas, type Schema } from '../../api/schema.js'
import type { ColumnMapping, Dialect, JdbcConnection, QueryResult, TableColumn } from '../dialect.js'
import { msToTimestampText } from '../temporal.js'
import type { Mode } from './source-config.js'

export interface QuerierSpec {
  mode: Mode
  table: string | null
  query: string | null
  topic: string
  incrementingColumn: string | null
  timestampColumns: string[]
  delayMs: number
  batchMaxRows: number
  querySuffix: string
  /** Table metadata (primary key for the record key, nullability). */
  columns: TableColumn[] | null
}

export class TableQuerier {
  readonly partition: SourcePartition
  private inc: number | string | null = null
  private ts: string | number | null = null
  /** Bulk mode: the rows of this period's full read not handed out yet; null between periods. */
  private bulkPending: SourceRecord[] | null = null
  private mappingKey = ''
  private mapping: ColumnMapping[] = []
  private valueSchema: Schema | null = null
  private keySchema: Schema | null = null
  private keyIdx: number[] = []
  nextPollAt = 0

  constructor(private readonly spec: QuerierSpec, private readonly dialect: Dialect, stored: SourceOffset | null, private readonly now: () => number = Date.now) {
    this.partition = TableQuerier.partitionFor(spec.table)
    if (stored !== null) {
      if (stored.incrementing !== undefined) this.inc = stored.incrementing as number | string
      if (stored.timestamp !== undefined) this.ts = stored.timestamp as string | number
    }
  }

  /** Confluent's source partition shape: {protocol, table} or {query}. */
  static partitionFor(table: string | null): SourcePartition {
    return table !== null ? { protocol: '1', table } : { query: 'query' }
  }

  get name(): string {
    return this.spec.table ?? 'query'
  }

  private source(): string {
    const q = this.dialect.quote
    return this.spec.table !== null ? q(this.spec.table) : `(${this.spec.query}) ${q('brook_query')}`
  }

  private tsExpr(): string {
    const q = this.dialect.quote
    const cols = this.spec.timestampColumns.map(q)
    return cols.length === 1 ? cols[0]! : `COALESCE(${cols.join(', ')})`
  }

  /** The next batch (empty when nothing new). */
  async poll(conn: JdbcConnection, onBulkStart?: (total: number) => void): Promise<SourceRecord[]> {
    const { mode, batchMaxRows } = this.spec
    const q = this.dialect.quote
    const p = (i: number): string => this.dialect.param(i)
    if (mode === 'bulk') {
      if (this.bulkPending === null) {
        const res = await conn.query(`SELECT * FROM ${this.source()}${this.suffix()}`)
        this.bulkPending = this.toRecords(res, () => ({}))
        onBulkStart?.(this.bulkPending.length)
      }
      const batch = this.bulkPending.splice(0, batchMaxRows)
      // The read is handed out: the empty batch ends the period, and the table is read whole again
      // after poll.interval.ms (as Connect's bulk mode does), not at once.
      if (batch.length === 0) this.bulkPending = null
      return batch
    }
    const inc = this.spec.incrementingColumn !== null ? q(this.spec.incrementingColumn) : null
    const limit = ` LIMIT ${batchMaxRows}`
    const upper = this.spec.delayMs > 0 ? msToTimestampText(this.now() - this.spec.delayMs) : null
    if (mode === 'incrementing') {
      const where = this.inc === null ? '' : ` WHERE ${inc} > ${p(1)}`
      const res = await conn.query(`SELECT * FROM ${this.source()}${where}${this.suffix()} ORDER BY ${inc} ASC${limit}`, this.inc === null ? [] : [this.inc])
      const incIdx = res.columns.findIndex((c) => c.name === this.spec.incrementingColumn)
      return this.toRecords(res, (row) => {
        this.inc = rawOffset(row[incIdx])
        return { incrementing: this.inc }
      })
    }
    const ts = this.tsExpr()
    const params: unknown[] = []
    const conds: string[] = []
    if (mode === 'timestamp+incrementing') {
      if (this.ts !== null) {
        params.push(this.ts, this.ts, this.inc ?? -1)
        conds.push(`(${ts} > ${p(1)} OR (${ts} = ${p(2)} AND ${inc} > ${p(3)}))`)
      } else conds.push(`${ts} IS NOT NULL`)
    } else if (this.ts !== null) {
      params.push(this.ts)
      conds.push(`${ts} > ${p(params.length)}`)
    } else conds.push(`${ts} IS NOT NULL`)
    if (upper !== null) {
      params.push(upper)
      conds.push(`${ts} < ${p(params.length)}`)
    }
    const order = mode === 'timestamp+incrementing' ? `${ts} ASC, ${inc} ASC` : `${ts} ASC`
    const sql = `SELECT *, ${ts} AS ${q('__brook_ts')} FROM ${this.source()} WHERE ${conds.join(' AND ')}${this.suffix()} ORDER BY ${order}`
    let res = await conn.query(sql + limit, params)
    const tsIdx = res.columns.length - 1
    if (mode === 'timestamp' && res.rows.length === batchMaxRows) {
      const last = res.rows[res.rows.length - 1]![tsIdx]
      let end = res.rows.length
      while (end > 0 && sameTs(res.rows[end - 1]![tsIdx], last)) end--
      if (end > 0) res = { columns: res.columns, rows: res.rows.slice(0, end) }
      else {
        // One group of equal timestamps larger than the batch: read the whole group.
        res = await conn.query(`SELECT *, ${ts} AS ${q('__brook_ts')} FROM ${this.source()} WHERE ${ts} = ${p(1)}${this.suffix()}`, [last])
      }
    }
    const rows = res.rows
    const incIdx = inc === null ? -1 : res.columns.findIndex((c) => c.name === this.spec.incrementingColumn)
    const trimmed: QueryResult = { columns: res.columns.slice(0, tsIdx), rows }
    let i = 0
    return this.toRecords(trimmed, (row) => {
      const t = rawOffset(row[tsIdx]) as string | number
      if (mode === 'timestamp+incrementing') {
        this.ts = t
        this.inc = rawOffset(row[incIdx])
        i++
        return { timestamp: this.ts, incrementing: this.inc }
      }
      const next = rows[++i]
      // Inside a group the complete offset is still the previous one; the group's last row completes it.
      if (next === undefined || !sameTs(next[tsIdx], row[tsIdx])) this.ts = t
      return this.ts === null ? {} : { timestamp: this.ts }
    })
  }

  private suffix(): string {
    return this.spec.querySuffix === '' ? '' : ` ${this.spec.querySuffix}`
  }

  private toRecords(res: QueryResult, offsetOf: (row: unknown[]) => SourceOffset): SourceRecord[] {
    this.ensureMapping(res)
    const out: SourceRecord[] = new Array(res.rows.length)
    const mapping = this.mapping
    const n = mapping.length
    for (let r = 0; r < res.rows.length; r++) {
      const row = res.rows[r]!
      const value: Record<string, unknown> = {}
      for (let c = 0; c < n; c++) {
        const m = mapping[c]!
        value[m.name] = m.convert(row[c] ?? null)
      }
      let key: Record<string, unknown> | null = null
      if (this.keyIdx.length > 0) {
        key = {}
        for (const k of this.keyIdx) key[mapping[k]!.name] = value[mapping[k]!.name]
      }
      out[r] = {
        sourcePartition: this.partition,
        sourceOffset: offsetOf(row),
        topic: this.spec.topic,
        kafkaPartition: null,
        keySchema: this.keySchema,
        key,
        valueSchema: this.valueSchema,
        value,
        timestamp: null,
        headers: [],
      }
    }
    return out
  }

  private ensureMapping(res: QueryResult): void {
    const key = res.columns.map((c) => `${c.name}:${c.type}:${c.scale ?? ''}`).join('|')
    if (key === this.mappingKey) return
    this.mappingKey = key
    this.mapping = this.dialect.mapColumns(res.columns, this.spec.columns)
    this.valueSchema = Schemas.struct(this.spec.table ?? 'query', this.mapping.map((m) => ({ name: m.name, schema: m.schema })))
    const pk = (this.spec.columns ?? []).filter((c) => c.pkPosition > 0).sort((a, b) => a.pkPosition - b.pkPosition)
    this.keyIdx = pk.map((c) => this.mapping.findIndex((m) => m.name === c.name)).filter((i) => i >= 0)
    this.keySchema = this.keyIdx.length === 0 ? null : Schemas.struct(`${this.spec.table}.Key`, this.keyIdx.map((i) => ({ name: this.mapping[i]!.name, schema: { ...this.mapping[i]!.schema, optional: false } })))
  }
}

function rawOffset(v: unknown): number | string {
  if (typeof v === 'number' || typeof v === 'string') return v
  if (typeof v === 'bigint') return v.toString()
  if (v instanceof Date) return msToTimestampText(v.getTime())
  return String(v)
}

function sameTs(a: unknown, b: unknown): boolean {
  return a === b || String(a) === String(b)
}
