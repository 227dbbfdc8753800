// JdbcSourceTask: round-robin over its tables, each polled at most every poll.interval.ms.
// A broken connection is reopened on the next poll (RetriableException → worker backoff).
import type { SourceTask, SourceTaskContext, TaskConfig } from '../../api/connector.js'
import type { SourceRecord } from '../../api/record.js'
import { ConnectException, RetriableException, errorMessage } from '../../errors.js'
import { sleepUnlessAborted } from '../../../core/common/time.js'
import type { ConnectionTarget, Dialect, JdbcConnection } from '../dialect.js'
import { openConnection, resolveTarget } from '../dialects.js'
import { parsedTables } from './jdbc-source-connector.js'
import { jdbcSourceConfigDef, type Mode } from './source-config.js'
import { TableQuerier } from './table-querier.js'

export class JdbcSourceTask implements SourceTask {
  private queriers: TableQuerier[] = []
  private conn: JdbcConnection | null = null
  private dialect!: Dialect
  private target!: ConnectionTarget
  private url = ''
  private connector = ''
  private pollInterval = 5000
  private next = 0
  private batchMaxRows = 100
  private mode: Mode = 'bulk'
  /** The query already sent for the next batch of a table whose last batch was full. */
  private prefetched: { querier: TableQuerier; records: Promise<SourceRecord[]> } | null = null
  private context!: SourceTaskContext

  async start(props: TaskConfig, context: SourceTaskContext): Promise<void> {
    this.context = context
    this.connector = context.connector
    const cfg = jdbcSourceConfigDef().parse(props, context.connector)
    this.url = cfg.getString('connection.url')
    ;({ dialect: this.dialect, target: this.target } = resolveTarget(this.connector, this.url, cfg.getOptionalString('connection.user'), cfg.getOptionalString('connection.password')))
    this.pollInterval = cfg.getInt('poll.interval.ms')
    this.batchMaxRows = cfg.getInt('batch.max.rows')
    const conn = await this.connection()
    const mode = cfg.getString('mode') as Mode
    this.mode = mode
    const query = cfg.getString('query')
    const prefix = cfg.getString('topic.prefix')
    const base = {
      mode,
      incrementingColumn: cfg.getString('incrementing.column.name') || null,
      timestampColumns: cfg.getList('timestamp.column.name'),
      delayMs: cfg.getInt('timestamp.delay.interval.ms'),
      batchMaxRows: cfg.getInt('batch.max.rows'),
      querySuffix: cfg.getString('query.suffix'),
    }
    const tables = query !== '' ? [null] : parsedTables(cfg)
    for (const table of tables) {
      const columns = table === null ? null : await this.dialect.describeTable(conn, table)
      const stored = context.offsetStorageReader.offset(TableQuerier.partitionFor(table))
      this.queriers.push(new TableQuerier({ ...base, table, query: table === null ? query : null, topic: table === null ? prefix : `${prefix}${table}`, columns }, this.dialect, stored))
    }
  }

  private async query(q: TableQuerier): Promise<SourceRecord[]> {
    const conn = await this.connection()
    return q.poll(conn, (total) => this.context.progress.start(`${this.connector} bulk ${q.name}`, total))
  }

  private async connection(): Promise<JdbcConnection> {
    if (this.conn === null) this.conn = await openConnection(this.connector, this.url, this.dialect, this.target, false)
    return this.conn
  }

  async poll(): Promise<SourceRecord[]> {
    if (this.queriers.length === 0) {
      await sleepUnlessAborted(this.pollInterval, this.context.signal)
      return []
    }
    for (let tries = 0; tries < this.queriers.length; tries++) {
      const prefetched = this.prefetched
      this.prefetched = null
      const q = prefetched?.querier ?? this.queriers[this.next]!
      if (prefetched === null) {
        this.next = (this.next + 1) % this.queriers.length
        if (q.nextPollAt > Date.now()) continue
      }
      let records: SourceRecord[]
      try {
        records = await (prefetched?.records ?? this.query(q))
        // A full batch of a one-table task: more rows are likely, so the next query runs while the
        // worker produces these (not in bulk mode, whose next query is the next period's full read).
        if (this.mode !== 'bulk' && records.length >= this.batchMaxRows && this.queriers.length === 1) {
          const next = this.query(q)
          next.catch(() => {}) // surfaces at the next poll
          this.prefetched = { querier: q, records: next }
        }
      } catch (err) {
        if (err instanceof ConnectException) throw err
        if (this.dialect.isRetriable(err)) {
          await this.conn?.close().catch(() => {})
          this.conn = null
          throw new RetriableException(`polling '${q.name}' failed: ${errorMessage(err)}`, { connector: this.connector, cause: err })
        }
        throw new ConnectException(`polling table '${q.name}' failed: ${errorMessage(err)}`, { connector: this.connector, field: q.name, cause: err })
      }
      if (records.length > 0) {
        this.context.progress.advance(records.length)
        return records
      }
      q.nextPollAt = Date.now() + this.pollInterval
    }
    const wake = Math.min(...this.queriers.map((q) => q.nextPollAt))
    await sleepUnlessAborted(Math.max(0, wake - Date.now()), this.context.signal)
    return []
  }

  async stop(): Promise<void> {
    await this.prefetched?.records.catch(() => {})
    this.prefetched = null
    await this.conn?.close()
    this.conn = null
  }
}
