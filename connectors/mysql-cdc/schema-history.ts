// The schema history topic (Debezium's schema.history.internal.kafka.topic): one record per
// DDL that touched a captured table and one per snapshot, each with its binlog position and the
// resulting table definitions (Debezium's tableChanges). On restart the definitions are rebuilt
// from the records at or before the position the stream resumes from, so the binlog's
// nameless rows decode with the columns of their time.
import type { BrookClient, Producer } from '../../core/client/types.js'
import { readToEnd } from '../runtime/internal-topics.js'
import { tableKey, type ColumnDef, type Schemas, type TableDef } from './ddl.js'
import { comparePositions, type BinlogPosition } from './server.js'

export interface TableChange {
  type: 'CREATE' | 'ALTER' | 'DROP'
  id: string
  table: {
    defaultCharsetName: string | null
    primaryKeyColumnNames: string[]
    columns: Array<{ name: string; typeExpression: string; charsetName: string | null; position: number; optional: boolean }>
  } | null
}

export interface HistoryRecord {
  source: { server: string }
  position: BinlogPosition
  ts_ms: number
  databaseName: string
  ddl: string
  /** A snapshot record replaces every table definition; a DDL record changes the tables it lists. */
  snapshot?: boolean
  tableChanges: TableChange[]
}

export function tableId(db: string, table: string): string {
  return `"${db}"."${table}"`
}

function parseTableId(id: string): { db: string; table: string } {
  const m = /^"((?:[^"]|"")*)"\."((?:[^"]|"")*)"$/.exec(id)
  if (m === null) throw new Error(`bad table id ${id}`)
  return { db: m[1]!, table: m[2]! }
}

export function tableChange(type: TableChange['type'], db: string, table: string, def: TableDef | undefined): TableChange {
  return {
    type,
    id: tableId(db, table),
    table: def === undefined ? null : {
      defaultCharsetName: def.charset,
      primaryKeyColumnNames: [...def.pk],
      columns: def.columns.map((c, i) => ({ name: c.name, typeExpression: c.type, charsetName: c.charset, position: i + 1, optional: c.nullable })),
    },
  }
}

/** Applies one history record to table definitions (pure). */
export function applyHistoryRecord(schemas: Schemas, rec: HistoryRecord): void {
  if (rec.snapshot === true) schemas.clear()
  for (const ch of rec.tableChanges) {
    const { db, table } = parseTableId(ch.id)
    if (ch.type === 'DROP' || ch.table === null) {
      schemas.delete(tableKey(db, table))
      continue
    }
    const columns: ColumnDef[] = ch.table.columns.map((c) => ({ name: c.name, type: c.typeExpression, charset: c.charsetName, nullable: c.optional }))
    schemas.set(tableKey(db, table), { db, table, columns, pk: [...ch.table.primaryKeyColumnNames], charset: ch.table.defaultCharsetName })
  }
}

export class SchemaHistory {
  private producer: Producer | null = null
  private readonly recorded = new Set<string>()

  constructor(private readonly client: BrookClient, readonly topic: string, private readonly server: string) {}

  async ensureTopic(): Promise<void> {
    const admin = this.client.admin()
    try {
      const existing = new Set(await admin.listTopics({ includeInternal: true }))
      if (!existing.has(this.topic)) {
        await admin.createTopics([{ topic: this.topic, numPartitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'delete', 'retention.ms': '-1', 'retention.bytes': '-1' } }]).catch((err: unknown) => {
          if (!/already exists/i.test(String((err as Error).message))) throw err
        })
      }
    } finally {
      await admin.close()
    }
  }

  /**
   * Rebuilds the definitions as of `upTo` (inclusive; null: every record). Returns how many
   * records applied, 0 when the history holds nothing for this server.
   */
  async recover(upTo: { file: string; pos: number } | null): Promise<{ schemas: Schemas; applied: number }> {
    const schemas: Schemas = new Map()
    let applied = 0
    await readToEnd(this.client, this.topic, (r) => {
      if (r.value === null) return
      const rec = JSON.parse(r.value.toString('utf8')) as HistoryRecord
      if (rec.source?.server !== this.server) return
      this.recorded.add(recordId(rec))
      if (upTo !== null && comparePositions(rec.position, upTo) > 0) return
      applyHistoryRecord(schemas, rec)
      applied++
    })
    return { schemas, applied }
  }

  /** Appends a record (acknowledged before returning); a record already in the topic (replayed DDL) is not written twice. */
  async record(rec: Omit<HistoryRecord, 'source'>): Promise<void> {
    const full: HistoryRecord = { source: { server: this.server }, ...rec }
    const id = recordId(full)
    if (this.recorded.has(id)) return
    this.producer ??= this.client.producer({ clientId: `schema-history-${this.server}`, acks: 'all' })
    await this.producer.sendBatch([{ topic: this.topic, partition: 0, key: JSON.stringify({ server: this.server }), value: JSON.stringify(full) }])
    this.recorded.add(id)
  }

  async close(): Promise<void> {
    await this.producer?.close().catch(() => {})
    this.producer = null
  }
}

function recordId(r: HistoryRecord): string {
  return `${r.snapshot === true ? 's' : 'd'}:${r.position.file}:${r.position.pos}:${r.ddl}`
}
