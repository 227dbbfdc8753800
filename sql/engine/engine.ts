// The SQL engine: executes statements against a catalog of streams, tables, types and queries,
// starts persistent queries on a QueryRuntime, answers pull queries from their stores and keeps
// every catalog change in a command log that is replayed at start.
import { StreamsBuilder } from '../../streams/dsl/streams-builder.js'
import { SqlError } from '../errors.js'
import { parseStatement, parseStatements, splitStatements, substituteVariables } from '../parser/parser.js'
import { formatExpression } from '../parser/formatter.js'
import type { CreateAsSelect, CreateSource, InsertInto, InsertValues, Statement } from '../parser/ast/statements.js'
import type { Select } from '../parser/ast/query.js'
import type { TypeNode } from '../parser/ast/types.js'
import type { FunctionRegistry } from '../functions/registry-types.js'
import { createBuiltinRegistry } from '../functions/builtin.js'
import { describeFunction } from '../functions/describe.js'
import { formatType, type SqlType } from '../types/sql-type.js'
import { SqlDecimal } from '../types/decimal.js'
import { resolveType } from '../analyzer/types.js'
import { analyzeQuery } from '../analyzer/query-analyzer.js'
import type { Column, LogicalSchema, WindowInfo } from '../analyzer/schema.js'
import { PSEUDO_COLUMNS, WINDOW_COLUMNS, keyColumns } from '../analyzer/schema.js'
import { compileExpression, coerce } from '../expression/compile.js'
import { describePlan, type QueryPlan } from '../planner/plan.js'
import { lowerQuery, lowerSourceTable, type Materialization } from '../planner/lower.js'
import { keyFormatOf, topicKeySerde, valueFormatOf } from '../planner/serdes.js'
import { windowed } from '../../streams/dsl/windowed.js'
import type { DataSource } from '../catalog/data-source.js'
import { ProcessingLog, causesOf, processingLogRecord, processingLogStreamDdl, type ProcessingLogEntry, type ProcessingLogger, type RecordContextHolder } from '../runtime/processing-log.js'
import { WithProperties, parseWindowSize } from './properties.js'
import type { QueryRuntime, RunningQuery } from './runtime.js'
import { queryStartOptions, validateProperty, validateUnset } from './session-properties.js'
import { preparePull, type PreparedPull } from './pull-query.js'
import type { ConnectorHost, ResultSection } from './connectors.js'
import { HttpSchemaRegistryClient } from '../../registry/http/client.js'
import type { SchemaRegistryClient } from '../../registry/types.js'
import { SqlSchemaRegistry, type AvroBinding } from '../serde/avro/binding.js'
import { columnsOf as avroColumnsOf } from '../serde/avro/avro-schema.js'
import { formatStatement } from '../parser/formatter.js'

export interface StatementResult {
  /** The statement as written. */
  readonly statement: string
  readonly kind: 'message' | 'table' | 'rows'
  readonly message?: string
  readonly queryId?: string
  /** Column headers of `table` and `rows` results. */
  readonly header?: readonly string[]
  readonly rows?: readonly (readonly unknown[])[]
  /** Further tables of a `table` result, printed after it (DESCRIBE CONNECTOR). */
  readonly sections?: readonly ResultSection[]
}

export interface StreamedRow {
  readonly columns: readonly string[]
  readonly row: readonly unknown[]
  readonly window: { start: number; end: number } | null
}

export interface PersistentQuery {
  readonly id: string
  readonly statement: string
  readonly sink: string
  readonly sources: readonly string[]
  readonly plan: QueryPlan
  readonly topologyDescription: string
  readonly mermaid: string
  readonly materialization: Materialization | null
  readonly applicationId: string
  state: 'RUNNING' | 'PAUSED'
  running: RunningQuery
}

/** Who a query's processing-log entries belong to; filled in once the query has its id and has started. */
interface QueryLogRef {
  queryId: string
  running: RunningQuery | null
}

/** A catalog change as it is kept in the command topic. */
export interface Command {
  readonly statement: string
  readonly queryId?: string
  readonly properties?: Record<string, string>
}

export interface CommandLog {
  append(command: Command): Promise<void>
  readAll(): Promise<Command[]>
}

export interface KsqlEngineOptions {
  readonly runtime: QueryRuntime
  /**
   * The schema registry of the AVRO format. Default: ksql.schema.registry.url when set (a
   * Confluent-compatible REST API), else the runtime's own (the _schemas topic of the broker the
   * queries run on).
   */
  readonly schemaRegistry?: SchemaRegistryClient
  readonly registry?: FunctionRegistry
  readonly commandLog?: CommandLog
  /** Service id in internal names (ksql.service.id). */
  readonly serviceId?: string
  /** Keeps the latest processing-log entries in memory (they also go to the processing-log topic). */
  readonly processingLog?: ProcessingLog
  /**
   * Session property overrides (as SET), and the server settings of the processing log:
   * ksql.logging.processing.topic.name (default `<service id>ksql_processing_log`),
   * ksql.logging.processing.topic.auto.create (default true), ksql.logging.processing.topic.partitions (1),
   * ksql.logging.processing.topic.replication.factor (1), ksql.logging.processing.stream.auto.create (true),
   * ksql.logging.processing.stream.name (KSQL_PROCESSING_LOG), ksql.logging.processing.rows.include (false).
   */
  readonly properties?: Record<string, string>
  /** Runs CREATE/SHOW/DESCRIBE/DROP CONNECTOR (a WorkerConnectorHost on the engine's client); without it they are refused. */
  readonly connectors?: ConnectorHost
}

/** Statements that change no source, type or query: prepared pull plans stay valid across them. */
const READ_ONLY_STATEMENTS: ReadonlySet<Statement['kind']> = new Set<Statement['kind']>(['Query', 'InsertValues', 'List', 'DescribeSource', 'DescribeFunction', 'Explain', 'Print', 'PauseResume', 'SetProperty', 'UnsetProperty', 'DefineVariable', 'UndefineVariable', 'ListConnectors', 'DescribeConnector'])

/** How many query texts the engine keeps parsed. */
const PARSED_QUERIES = 256

const DEFAULT_PROPERTIES: Record<string, string> = {
  'auto.offset.reset': 'latest',
}

export class KsqlEngine {
  readonly registry: FunctionRegistry
  readonly runtime: QueryRuntime
  readonly processingLog: ProcessingLog
  private readonly sources = new Map<string, DataSource>()
  private readonly types = new Map<string, SqlType>()
  private readonly queries = new Map<string, PersistentQuery>()
  private readonly variables = new Map<string, string>()
  /** Session overrides (SET, and the engine's `properties` option); see session-properties.ts. */
  private readonly overrides: Record<string, string>
  /** While replaying a command: the overrides it was executed under. */
  private replayOverrides: Record<string, string> | null = null
  private readonly commandLog: CommandLog | null
  private readonly serviceId: string
  private commandSeq = 0
  private replaying = false
  /** false while the engine runs its own statements (the processing-log stream): not kept in the command log. */
  private recording = true
  private readonly processingLogConfig: { topic: string; topicAutoCreate: boolean; partitions: number; replicas: number; streamAutoCreate: boolean; streamName: string; includeRows: boolean }
  /** Sources the engine creates itself at start (the processing-log stream): neither their CREATE nor their DROP is recorded. */
  private readonly systemSources = new Set<string>()
  /** The processing-log topic, once it exists: every entry is written there too. */
  private processingLogTopic: string | null = null
  private readonly logWrites = new Set<Promise<void>>()
  private readonly connectors: ConnectorHost | null
  private readonly schemaRegistryClient: SchemaRegistryClient | null
  private readonly schemaRegistryUrl: string | null
  private sqlRegistry: SqlSchemaRegistry | null = null
  /** Bumped by every statement but a pull query: prepared pull plans of an older catalog are prepared again. */
  private catalogVersion = 0
  /** Texts of queries executed lately, parsed (the oldest goes first beyond PARSED_QUERIES). */
  private readonly parsedQueries = new Map<string, ReturnType<typeof parseStatements>>()
  /** Pull plans per Select pulled, with the catalog they were prepared against. */
  private readonly pullPlans = new WeakMap<Select, { version: number; source: DataSource; query: PersistentQuery; plan: PreparedPull }>()

  private constructor(options: KsqlEngineOptions) {
    this.runtime = options.runtime
    this.registry = options.registry ?? createBuiltinRegistry()
    this.commandLog = options.commandLog ?? null
    this.connectors = options.connectors ?? null
    this.serviceId = options.serviceId ?? 'default_'
    this.processingLog = options.processingLog ?? new ProcessingLog()
    const props = options.properties ?? {}
    const flag = (name: string, dflt: boolean): boolean => (props[name] === undefined ? dflt : props[name]!.toLowerCase() === 'true')
    this.processingLogConfig = {
      topic: props['ksql.logging.processing.topic.name'] ?? `${this.serviceId}ksql_processing_log`,
      topicAutoCreate: flag('ksql.logging.processing.topic.auto.create', true),
      partitions: Number(props['ksql.logging.processing.topic.partitions'] ?? 1),
      replicas: Number(props['ksql.logging.processing.topic.replication.factor'] ?? 1),
      streamAutoCreate: flag('ksql.logging.processing.stream.auto.create', true),
      streamName: (props['ksql.logging.processing.stream.name'] ?? 'KSQL_PROCESSING_LOG').toUpperCase(),
      includeRows: flag('ksql.logging.processing.rows.include', false),
    }
    this.schemaRegistryClient = options.schemaRegistry ?? null
    this.schemaRegistryUrl = props['ksql.schema.registry.url'] ?? null
    this.overrides = Object.fromEntries(Object.entries(props).filter(([k]) => !k.startsWith('ksql.logging.processing.') && k !== 'ksql.schema.registry.url'))
  }

  /** Creates an engine and replays the command log (persistent queries resume). */
  static async create(options: KsqlEngineOptions): Promise<KsqlEngine> {
    const e = new KsqlEngine(options)
    // before the replay: recorded queries may read the processing-log stream
    await e.startProcessingLog()
    if (e.commandLog !== null) {
      const commands = await e.commandLog.readAll()
      e.replaying = true
      try {
        for (const c of commands) {
          e.replayOverrides = c.properties ?? {}
          await e.executeOne(c.statement, c.queryId)
        }
      } finally {
        e.replaying = false
        e.replayOverrides = null
      }
      // replayed queries started paused: the ones not PAUSEd at the end of the log carry on now
      for (const q of e.queries.values()) if (q.state === 'RUNNING') q.running.resume()
    }
    await e.connectors?.resume()
    return e
  }

  source(name: string): DataSource | undefined {
    return this.sources.get(name)
  }

  listSources(): DataSource[] {
    return [...this.sources.values()]
  }

  listQueries(): PersistentQuery[] {
    return [...this.queries.values()]
  }

  /** Executes every statement of a script in order; stops at the first failing statement. */
  async execute(script: string): Promise<StatementResult[]> {
    const out: StatementResult[] = []
    for (const piece of splitStatements(script)) {
      try {
        out.push(...(await this.executeOne(piece.text)))
      } catch (err) {
        if (err instanceof SqlError && err.position !== null && piece.line > 1) {
          const pos = { line: err.position.line + piece.line - 1, column: err.position.line === 1 ? err.position.column + piece.column - 1 : err.position.column }
          throw new SqlError(err.code, err.message.replace(/^line \d+:\d+: /, ''), { position: pos, ...(err.field === null ? {} : { field: err.field }), cause: err })
        }
        throw err
      }
    }
    return out
  }

  private async executeOne(rawText: string, queryId?: string): Promise<StatementResult[]> {
    const text = substituteVariables(rawText, this.variables)
    // a pull query executed again as text is the same Select, so its prepared plan is reused
    let parsed = this.parsedQueries.get(text)
    if (parsed === undefined) {
      parsed = parseStatements(text)
      if (parsed.length === 1 && parsed[0]!.statement.kind === 'Query') {
        if (this.parsedQueries.size >= PARSED_QUERIES) this.parsedQueries.delete(this.parsedQueries.keys().next().value!)
        this.parsedQueries.set(text, parsed)
      }
    }
    const out: StatementResult[] = []
    for (const p of parsed) out.push(await this.executeStatement(p.statement, p.text, queryId))
    return out
  }

  /** The processing-log topic and stream (ksql.logging.processing.*), created when missing and configured so. */
  private async startProcessingLog(): Promise<void> {
    const c = this.processingLogConfig
    if (!(await this.runtime.topicExists(c.topic))) {
      if (!c.topicAutoCreate) return
      // another engine of the same service may create it at the same moment
      await this.runtime.createTopic(c.topic, c.partitions, c.replicas).catch(async (err: unknown) => {
        if (!(await this.runtime.topicExists(c.topic))) throw err
      })
    }
    this.processingLogTopic = c.topic
    if (c.streamAutoCreate && !this.sources.has(c.streamName)) {
      this.recording = false
      try {
        await this.executeOne(processingLogStreamDdl(c.streamName, c.topic))
        this.systemSources.add(c.streamName)
      } finally {
        this.recording = true
      }
    }
  }

  /** Logs an entry in memory and writes it to the processing-log topic. */
  private logEntry(entry: ProcessingLogEntry): void {
    this.processingLog.log(entry)
    const topic = this.processingLogTopic
    if (topic === null) return
    const value = Buffer.from(JSON.stringify(processingLogRecord(entry, this.processingLogConfig.includeRows)))
    const write = this.runtime.produce(topic, null, value, entry.timestamp, []).catch(() => undefined)
    this.logWrites.add(write)
    void write.finally(() => this.logWrites.delete(write))
  }

  /** Waits until every processing-log entry so far is in the processing-log topic. */
  async flushProcessingLog(): Promise<void> {
    while (this.logWrites.size > 0) await Promise.all([...this.logWrites])
  }

  /**
   * The processing logger of one query: entries carry the query id and the input record the query is
   * processing when the error happens (after a repartition, the repartition topic's record).
   */
  private queryLogger(ref: QueryLogRef): ProcessingLogger {
    return {
      log: (e) => {
        const cur = ref.running?.currentRecord() ?? null
        this.logEntry(cur === null ? { ...e, queryId: ref.queryId } : { ...e, queryId: ref.queryId, topic: cur.topic, partition: cur.partition, offset: cur.offset })
      },
    }
  }

  /**
   * A query's Kafka Streams warnings into its processing log: a record whose key failed to deserialize
   * (values are deserialized by the query itself) is a deserialization error at its topic, partition and offset.
   */
  private streamsLogger(ref: QueryLogRef): (message: string) => void {
    return (message) => {
      const m = /failed deserialization at topic '(.*)', partition (\d+), offset (\d+): (.*)$/s.exec(message)
      // other warnings (late records, negative timestamps) are not record-processing errors in ksqlDB either
      if (m !== null) {
        this.logEntry({ type: 'DESERIALIZATION_ERROR', queryId: ref.queryId, topic: m[1]!, partition: Number(m[2]), offset: Number(m[3]), target: 'key', message: `Failed to deserialize key from topic: ${m[1]!}. ${m[4]!}`, timestamp: Date.now() })
      }
    }
  }

  private async record(statement: string, queryId?: string): Promise<void> {
    if (!this.recording) return
    this.commandSeq++
    if (this.replaying || this.commandLog === null) return
    const properties = queryId !== undefined && Object.keys(this.overrides).length > 0 ? { properties: { ...this.overrides } } : {}
    await this.commandLog.append({ statement, ...(queryId === undefined ? {} : { queryId }), ...properties })
  }

  /** The properties in force: defaults, then the session's overrides (or, in a replay, the command's). */
  private effectiveProperties(): Record<string, string> {
    const log = this.processingLogConfig
    return {
      ...DEFAULT_PROPERTIES,
      'ksql.service.id': this.serviceId,
      'ksql.logging.processing.topic.name': log.topic,
      'ksql.logging.processing.topic.auto.create': String(log.topicAutoCreate),
      'ksql.logging.processing.stream.auto.create': String(log.streamAutoCreate),
      'ksql.logging.processing.stream.name': log.streamName,
      'ksql.logging.processing.rows.include': String(log.includeRows),
      ...(this.schemaRegistryUrl === null ? {} : { 'ksql.schema.registry.url': this.schemaRegistryUrl }),
      ...(this.replayOverrides ?? this.overrides),
    }
  }

  private namedType = (name: string): SqlType | undefined => this.types.get(name) ?? this.types.get(name.toUpperCase())

  async executeStatement(st: Statement, text: string, fixedQueryId?: string): Promise<StatementResult> {
    if (!READ_ONLY_STATEMENTS.has(st.kind)) this.catalogVersion++
    switch (st.kind) {
      case 'CreateSource':
        return this.createSource(st, text, fixedQueryId)
      case 'CreateAsSelect':
        return this.createAsSelect(st, text, fixedQueryId)
      case 'InsertInto':
        return this.insertInto(st, text, fixedQueryId)
      case 'InsertValues':
        return this.insertValues(st, text)
      case 'Query':
        return this.pullQuery(st.query, text)
      case 'DropSource': {
        const src = this.sources.get(st.name)
        if (src === undefined || src.kind !== st.sourceKind) {
          if (st.ifExists) return { statement: text, kind: 'message', message: `Source \`${st.name}\` does not exist.` }
          throw new SqlError('UNKNOWN_SOURCE', `${st.sourceKind === 'STREAM' ? 'Stream' : 'Table'} ${st.name} does not exist.`, { position: st.pos, field: st.name })
        }
        // the query materializing a source table goes with it
        const own = this.listQueries().filter((q) => q.id.startsWith('CST_') && q.sink === st.name)
        const readers = this.listQueries().filter((q) => q.sources.includes(st.name)).map((q) => q.id)
        const writers = this.listQueries().filter((q) => q.sink === st.name && !own.includes(q)).map((q) => q.id)
        if (readers.length > 0 || writers.length > 0) {
          throw new SqlError('SOURCE_IN_USE', `Cannot drop ${st.name}.\nThe following queries read from this source: [${readers.join(', ')}].\nThe following queries write into this source: [${writers.join(', ')}].\nYou need to terminate them before dropping ${st.name}.`, { position: st.pos, field: st.name })
        }
        if (st.deleteTopic) {
          if (src.isSource) throw new SqlError('INVALID_STATEMENT', `Cannot delete topic for read-only source: ${st.name}`, { position: st.pos })
          await this.runtime.deleteTopics([src.topic])
          // as ksqlDB: the topic's AVRO subjects go with it (soft, then permanently)
          for (const b of [src.keyAvro, src.valueAvro]) if (b !== undefined) await b.registry.deleteSubject(b.subject)
        }
        for (const q of own) {
          await q.running.stop(true)
          this.queries.delete(q.id)
        }
        this.sources.delete(st.name)
        // the engine's own processing-log stream comes back at the next start: its DROP is not kept
        if (!this.systemSources.delete(st.name)) await this.record(text)
        return { statement: text, kind: 'message', message: `Source \`${st.name}\` (topic: ${src.topic}) was dropped.` }
      }
      case 'CreateType': {
        if (this.types.has(st.name)) {
          if (st.ifNotExists) return { statement: text, kind: 'message', message: `Type ${st.name} already exists.` }
          throw new SqlError('SOURCE_EXISTS', `Cannot register custom type '${st.name}' since it is already registered with type: ${formatType(this.types.get(st.name)!)}`, { position: st.pos })
        }
        this.types.set(st.name, resolveType(st.type, this.namedType))
        await this.record(text)
        return { statement: text, kind: 'message', message: `Registered custom type with name '${st.name}' and SQL type ${formatType(this.types.get(st.name)!)}` }
      }
      case 'DropType': {
        if (!this.types.has(st.name)) {
          if (st.ifExists) return { statement: text, kind: 'message', message: `Type ${st.name} does not exist.` }
          throw new SqlError('UNKNOWN_TYPE', `Type ${st.name} does not exist.`, { position: st.pos })
        }
        this.types.delete(st.name)
        await this.record(text)
        return { statement: text, kind: 'message', message: `Dropped type '${st.name}'` }
      }
      case 'List':
        return this.list(st.what, st.extended, text)
      case 'DescribeSource':
        return this.describeSource(st.name, st.extended, text, st.pos)
      case 'DescribeFunction': {
        const fn = this.registry.get(st.name)
        if (fn === undefined) throw new SqlError('FUNCTION_ERROR', `Can't find any functions with the name '${st.name}'`, { position: st.pos })
        const d = describeFunction(fn)
        return {
          statement: text, kind: 'table', message: `Name        : ${d.name}\nType        : ${d.type}\nCategory    : ${d.category}\nOverview    : ${d.description}`,
          header: ['Variation', 'Returns', 'Description'], rows: d.variations.map((v) => [v.signature, v.returnType, v.description]),
        }
      }
      case 'Explain': {
        if (st.queryId !== null) {
          const q = this.queries.get(st.queryId)
          if (q === undefined) throw new SqlError('UNKNOWN_QUERY', `Query with id:${st.queryId} does not exist, use SHOW QUERIES to view the full set of running queries.`, { position: st.pos })
          return { statement: text, kind: 'message', queryId: q.id, message: `ID                   : ${q.id}\nStatus               : ${q.state}\nSQL                  : ${q.statement}\n\nExecution plan\n--------------\n${describePlan(q.plan)}\n\nProcessing topology\n-------------------\n${q.topologyDescription}\n\nMermaid\n-------\n${q.mermaid}` }
        }
        const inner = st.statement!
        const select: Select | null = inner.kind === 'CreateAsSelect' || inner.kind === 'InsertInto' || inner.kind === 'Query' ? inner.query : null
        if (select === null) throw new SqlError('INVALID_STATEMENT', 'EXPLAIN takes a query id or a query (SELECT, CREATE ... AS SELECT, INSERT INTO ... SELECT)', { position: st.pos })
        const plan = analyzeQuery(select, this.analyzerContext(), { persistent: inner.kind !== 'Query' })
        const builder = new StreamsBuilder()
        lowerQuery(plan, builder, { queryId: 'EXPLAIN', sink: inner.kind === 'Query' ? null : this.previewSink(plan, inner as CreateAsSelect | InsertInto), onRow: () => {}, log: { log: () => undefined }, context: { topic: null, partition: null, offset: null } })
        const topology = builder.build()
        return { statement: text, kind: 'message', message: `Execution plan\n--------------\n${describePlan(plan)}\n\nProcessing topology\n-------------------\n${topology.describe().toString()}\n\nMermaid\n-------\n${topology.describe().toMermaid()}` }
      }
      case 'Print': {
        const rows = await this.runtime.read(st.topic, st.fromBeginning, st.limit ?? 100, 1000)
        return { statement: text, kind: 'table', header: ['rowtime', 'partition', 'offset', 'key', 'value'], rows: rows.map((r) => [new Date(r.timestamp).toISOString(), r.partition, r.offset, r.key?.toString('utf8') ?? null, r.value?.toString('utf8') ?? null]) }
      }
      case 'Terminate': {
        const ids = st.queryId === null ? [...this.queries.keys()] : [st.queryId]
        for (const id of ids) {
          const q = this.queries.get(id)
          if (q === undefined) throw new SqlError('UNKNOWN_QUERY', `Unknown queryId: ${id}`, { position: st.pos })
          await q.running.stop(true)
          this.queries.delete(id)
        }
        await this.record(text)
        return { statement: text, kind: 'message', message: st.queryId === null ? 'All queries terminated.' : `Query terminated.` }
      }
      case 'PauseResume': {
        const ids = st.queryId === null ? [...this.queries.keys()] : [st.queryId]
        const queries = ids.map((id) => {
          const q = this.queries.get(id)
          if (q === undefined) throw new SqlError('UNKNOWN_QUERY', `Unknown queryId: ${id}`, { position: st.pos, field: id })
          return q
        })
        for (const q of queries) {
          q.state = st.action === 'PAUSE' ? 'PAUSED' : 'RUNNING'
          // a replayed query is started paused and resumed (or not) once the whole log is replayed
          if (this.replaying) continue
          if (st.action === 'PAUSE') q.running.pause()
          else q.running.resume()
        }
        await this.record(text)
        return { statement: text, kind: 'message', message: `Query ${st.action === 'PAUSE' ? 'paused' : 'resumed'}.` }
      }
      case 'SetProperty':
        validateProperty(st.name, st.value, st.pos)
        this.overrides[st.name] = st.value
        return { statement: text, kind: 'message', message: `Successfully changed local property '${st.name}' to '${st.value}'.` }
      case 'UnsetProperty':
        validateUnset(st.name, st.pos)
        delete this.overrides[st.name]
        return { statement: text, kind: 'message', message: `Successfully unset local property '${st.name}'.` }
      case 'DefineVariable':
        this.variables.set(st.name, st.value)
        return { statement: text, kind: 'message', message: `Defined variable ${st.name}.` }
      case 'UndefineVariable':
        this.variables.delete(st.name)
        return { statement: text, kind: 'message', message: `Undefined variable ${st.name}.` }
      case 'CreateConnector':
      case 'DropConnector':
      case 'ListConnectors':
      case 'DescribeConnector': {
        if (this.connectors === null) throw new SqlError('UNSUPPORTED', 'Connector statements need an engine with connectors (brook sql runs them in process)', { position: st.pos })
        const r = await this.connectors.execute(st, this.replaying, () => this.listSources())
        if (st.kind === 'CreateConnector' || st.kind === 'DropConnector') await this.record(text)
        return { statement: text, ...r }
      }
      case 'RunScript': {
        const fs = await import('node:fs/promises')
        const script = await fs.readFile(st.path, 'utf8')
        const results = await this.execute(script)
        return { statement: text, kind: 'message', message: results.map((r) => r.message ?? '').filter((m) => m !== '').join('\n') }
      }
    }
  }

  private analyzerContext(log: ProcessingLogger = { log: () => undefined }) {
    return {
      registry: this.registry,
      getSource: (n: string) => this.sources.get(n),
      namedTypes: this.namedType,
      onFunctionError: (fn: string, err: unknown, kind: 'function' | 'expression' = 'function') =>
        log.log({ type: 'RECORD_PROCESSING_ERROR' as const, queryId: '', topic: null, partition: null, offset: null, message: kind === 'function' ? `Error in function ${fn}: ${(err as Error).message}` : `Error computing expression ${fn}: ${(err as Error).message}`, timestamp: Date.now(), cause: causesOf(err) }),
    }
  }

  // ---------------------------------------------------------------- DDL

  private async createSource(st: CreateSource, text: string, fixedQueryId?: string): Promise<StatementResult> {
    const existing = this.sources.get(st.name)
    if (existing !== undefined && !st.orReplace) {
      if (st.ifNotExists) return { statement: text, kind: 'message', message: `Cannot add ${st.sourceKind.toLowerCase()} \`${st.name}\`: A ${existing.kind.toLowerCase()} with the same name already exists.` }
      throw new SqlError('SOURCE_EXISTS', `Cannot add ${st.sourceKind.toLowerCase()} '${st.name}': A ${existing.kind.toLowerCase()} with the same name already exists`, { position: st.pos, field: st.name })
    }
    const props = new WithProperties(st.properties)
    const topic = props.string('KAFKA_TOPIC')
    if (topic === null) throw new SqlError('INVALID_PROPERTY', 'Missing required property "KAFKA_TOPIC" which has no default value.', { position: st.pos, field: 'KAFKA_TOPIC' })
    const formats = props.formats({ key: 'KAFKA', value: null })
    if (formats.value === null) throw new SqlError('INVALID_PROPERTY', 'Missing required property "VALUE_FORMAT" which has no default value.', { position: st.pos, field: 'VALUE_FORMAT' })
    const columns: Column[] = []
    const seen = new Set<string>()
    for (const c of st.columns) {
      if (seen.has(c.name)) throw new SqlError('INVALID_STATEMENT', `Duplicate column names: ${c.name}`, { position: c.pos, field: c.name })
      seen.add(c.name)
      if ([...PSEUDO_COLUMNS, ...WINDOW_COLUMNS].some((p) => p.name === c.name)) throw new SqlError('INVALID_STATEMENT', `'${c.name}' is a reserved column name. You cannot use it as a name for a column.`, { position: c.pos, field: c.name })
      const type = resolveType(c.type, this.namedType)
      const k = c.constraint
      if (k?.kind === 'PRIMARY_KEY' && st.sourceKind === 'STREAM') throw new SqlError('INVALID_STATEMENT', `Column \`${c.name}\` is a 'PRIMARY KEY' column: please use 'KEY' for streams.\nTables have PRIMARY KEYs, which are unique and NON NULL.\nStreams have KEYs, which have no uniqueness or NON NULL constraints.`, { position: c.pos })
      if (k?.kind === 'KEY' && st.sourceKind === 'TABLE') throw new SqlError('INVALID_STATEMENT', `Column \`${c.name}\` is a 'KEY' column: please use 'PRIMARY KEY' for tables.\nTables have PRIMARY KEYs, which are unique and NON NULL.\nStreams have KEYs, which have no uniqueness or NON NULL constraints.`, { position: c.pos })
      const namespace = k === null ? 'VALUE' : k.kind === 'HEADERS' ? 'HEADERS' : k.kind === 'HEADER' ? 'HEADER' : 'KEY'
      columns.push({ name: c.name, type, namespace, ...(k?.kind === 'HEADER' ? { headerKey: k.key } : {}) })
    }
    // AVRO (ksqlDB's schema inference): columns not given are read from the registry, the value's
    // from <topic>-value (or VALUE_SCHEMA_ID), the key's from <topic>-key (or KEY_SCHEMA_ID)
    const inferred: { key: { id: number; schema: unknown } | null; value: { id: number; schema: unknown } | null } = { key: null, value: null }
    const keyAvroAsked = formats.key === 'AVRO' && (props.has('KEY_FORMAT') || props.has('FORMAT'))
    if (formats.value === 'AVRO' && !columns.some((c) => c.namespace === 'VALUE')) {
      inferred.value = await this.inferAvro(topic, 'value', props, st.pos)
      for (const c of avroColumnsOf(inferred.value.schema, 'ROWVAL')) {
        if (seen.has(c.name)) throw new SqlError('INVALID_STATEMENT', `Duplicate column names: ${c.name} (in the registered value schema too)`, { position: st.pos, field: c.name })
        seen.add(c.name)
        columns.push({ name: c.name, type: c.type, namespace: 'VALUE' })
      }
    }
    if (keyAvroAsked && !columns.some((c) => c.namespace === 'KEY')) {
      inferred.key = await this.inferAvro(topic, 'key', props, st.pos)
      for (const c of avroColumnsOf(inferred.key.schema, 'ROWKEY')) {
        if (seen.has(c.name)) throw new SqlError('INVALID_STATEMENT', `Duplicate column names: ${c.name} (in the registered key schema too)`, { position: st.pos, field: c.name })
        seen.add(c.name)
        columns.push({ name: c.name, type: c.type, namespace: 'KEY' })
      }
    }
    if (st.sourceKind === 'TABLE' && !columns.some((c) => c.namespace === 'KEY')) {
      throw new SqlError('INVALID_STATEMENT', `Tables require a PRIMARY KEY. Please define the PRIMARY KEY.\nUse a partial schema to define the primary key and still load the value columns from the Schema Registry, for example:\n\tCREATE TABLE ${st.name} (ID INT PRIMARY KEY) WITH (...);`, { position: st.pos })
    }
    if (!columns.some((c) => c.namespace === 'VALUE')) throw new SqlError('INVALID_STATEMENT', `The statement does not define any columns.`, { position: st.pos })
    // key columns first
    const ordered = [...columns.filter((c) => c.namespace === 'KEY'), ...columns.filter((c) => c.namespace !== 'KEY')]
    const keyFormat = ordered.some((c) => c.namespace === 'KEY') ? formats.key! : formats.key === 'KAFKA' && !props.has('KEY_FORMAT') && !props.has('FORMAT') ? 'NONE' : formats.key!
    let window: WindowInfo | null = null
    const wt = props.string('WINDOW_TYPE')
    if (wt !== null) {
      const type = wt.toUpperCase()
      if (type !== 'TUMBLING' && type !== 'HOPPING' && type !== 'SESSION') throw new SqlError('INVALID_PROPERTY', `Invalid WINDOW_TYPE '${wt}': expected SESSION, HOPPING or TUMBLING`, { field: 'WINDOW_TYPE' })
      const size = props.string('WINDOW_SIZE')
      if (type !== 'SESSION' && size === null) throw new SqlError('INVALID_PROPERTY', `${type} windows require 'WINDOW_SIZE' to be provided in the WITH clause. For example: 'WINDOW_SIZE'='10 SECONDS'`, { field: 'WINDOW_SIZE' })
      if (type === 'SESSION' && size !== null) throw new SqlError('INVALID_PROPERTY', `'WINDOW_SIZE' should not be set for SESSION windows.`, { field: 'WINDOW_SIZE' })
      window = { type, sizeMs: size === null ? null : parseWindowSize(size) }
    }
    const tsCol = props.string('TIMESTAMP')?.toUpperCase() ?? null
    if (tsCol !== null) {
      const c = ordered.find((x) => x.name === tsCol)
      if (c === undefined) throw new SqlError('UNKNOWN_COLUMN', `The TIMESTAMP column set in the WITH clause does not exist in the schema: '${tsCol}'`, { field: 'TIMESTAMP' })
      if (c.type.kind !== 'BIGINT' && c.type.kind !== 'TIMESTAMP' && c.type.kind !== 'STRING') throw new SqlError('TYPE_ERROR', `Timestamp column, \`${tsCol}\`, should be LONG(INT64), TIMESTAMP, or a String with a timestamp_format specified.`, { field: 'TIMESTAMP' })
    }
    let partitions = props.int('PARTITIONS')
    const exists = await this.runtime.topicExists(topic)
    if (!exists && partitions === null) {
      if (st.isSource || this.runtime.kind !== 'driver') {
        throw new SqlError('INVALID_STATEMENT', `Topic '${topic}' does not exist. If you want to create a new topic for the ${st.sourceKind.toLowerCase()} please re-run the statement providing the required 'PARTITIONS' configuration in the WITH clause (and optionally 'REPLICAS'). For example: CREATE ${st.sourceKind} ${st.name} (...) WITH (KAFKA_TOPIC='${topic}', PARTITIONS=2, REPLICAS=1, ...);`, { position: st.pos, field: 'KAFKA_TOPIC' })
      }
      partitions = 1
    }
    if (exists) {
      const actual = await this.runtime.partitionsOf(topic)
      if (partitions !== null && actual !== null && partitions !== actual) {
        throw new SqlError('INVALID_STATEMENT', `A Kafka topic with the name '${topic}' already exists, with different partition/replica configuration than required. KSQL expects ${partitions} partitions (topic has ${actual}).`, { position: st.pos })
      }
      partitions = actual ?? partitions ?? 1
    }
    const source: DataSource = {
      name: st.name, kind: st.sourceKind, schema: { columns: ordered }, topic, keyFormat, valueFormat: formats.value,
      keyDelimiter: props.string('KEY_DELIMITER') ?? ',', valueDelimiter: delimiter(props.string('VALUE_DELIMITER') ?? ','), wrapSingleValue: props.bool('WRAP_SINGLE_VALUE') ?? true,
      partitions: partitions ?? 1, replicas: props.int('REPLICAS') ?? 1, timestampColumn: tsCol, timestampFormat: props.string('TIMESTAMP_FORMAT'), window, isSource: st.isSource, sql: text,
      ...(await this.avroBindings(topic, keyFormat, formats.value, props, st.pos, inferred)),
    }
    // validates the formats against the columns before anything changes
    keyFormatOf(source)
    valueFormatOf(source)
    if (existing !== undefined) this.checkReplace(existing, source, st.pos)
    // a subject with no schema gets the source's now, so other clients can read what is written to it
    await this.registerAvro(source, true)
    if (!exists) await this.runtime.createTopic(topic, source.partitions, source.replicas)
    this.sources.set(st.name, source)
    // CREATE SOURCE TABLE (ksqlDB 0.22+): a query materializes the table for pull queries
    if (source.isSource && source.kind === 'TABLE' && source.window === null) {
      const previous = this.listQueries().find((q) => q.id.startsWith('CST_') && q.sink === source.name)
      if (previous !== undefined) await previous.running.stop(false)
      const queryId = previous?.id ?? fixedQueryId ?? `CST_${st.name}_${this.commandSeq}`
      this.queries.set(queryId, await this.startSourceTableQuery(queryId, text, source, previous?.state === 'PAUSED'))
      await this.record(withSchemaIds(st, text, inferred), queryId)
      return { statement: text, kind: 'message', queryId, message: 'Table created' }
    }
    await this.record(withSchemaIds(st, text, inferred))
    return { statement: text, kind: 'message', message: `${st.sourceKind === 'STREAM' ? 'Stream' : 'Table'} created` }
  }

  /** The engine's schema registry (opened at the first AVRO statement); an error naming the format property when there is none. */
  private async sqlSchemas(field: string, pos: { line: number; column: number }): Promise<SqlSchemaRegistry> {
    if (this.sqlRegistry !== null) return this.sqlRegistry
    const client = this.schemaRegistryClient ?? (this.schemaRegistryUrl !== null ? new HttpSchemaRegistryClient(this.schemaRegistryUrl) : ((await this.runtime.schemaRegistry?.()) ?? null))
    if (client === null) {
      throw new SqlError('INVALID_PROPERTY', `The 'AVRO' format needs a schema registry: set ksql.schema.registry.url`, { position: pos, field })
    }
    // a failed background read shows as the records it could not decode, in the processing log
    this.sqlRegistry = new SqlSchemaRegistry(client)
    return this.sqlRegistry
  }

  /** The registered schema a side's columns are inferred from: KEY_SCHEMA_ID / VALUE_SCHEMA_ID, else the subject's latest. */
  private async inferAvro(topic: string, side: 'key' | 'value', props: WithProperties, pos: { line: number; column: number }): Promise<{ id: number; schema: unknown }> {
    const field = side === 'key' ? 'KEY_FORMAT' : 'VALUE_FORMAT'
    const registry = await this.sqlSchemas(field, pos)
    const idProp = side === 'key' ? 'KEY_SCHEMA_ID' : 'VALUE_SCHEMA_ID'
    const id = props.int(idProp)
    if (id !== null) return { id, schema: await registry.byIdNow(id, idProp) }
    const latest = await registry.latest(`${topic}-${side}`, field)
    if (latest === null) {
      throw new SqlError('INVALID_STATEMENT', `Schema for message ${side}s on topic '${topic}' does not exist in the Schema Registry. Subject: ${topic}-${side}. Declare the ${side} columns, or register a schema for the subject first.`, { position: pos, field })
    }
    return latest
  }

  /** The AVRO bindings of a source's key and value (none for other formats). */
  private async avroBindings(
    topic: string, keyFormat: string, valueFormat: string, props: WithProperties, pos: { line: number; column: number },
    inferred: { key: { id: number; schema: unknown } | null; value: { id: number; schema: unknown } | null },
  ): Promise<{ keyAvro?: AvroBinding; valueAvro?: AvroBinding }> {
    if (keyFormat !== 'AVRO' && valueFormat !== 'AVRO') return {}
    await this.sqlSchemas(valueFormat === 'AVRO' ? 'VALUE_FORMAT' : 'KEY_FORMAT', pos)
    const out = this.avroBindingsNow(topic, keyFormat, valueFormat, props)
    // inferred columns are written back in the schema they came from, under its id
    for (const [b, inf] of [[out.keyAvro, inferred.key], [out.valueAvro, inferred.value]] as const) {
      if (b !== undefined && inf !== null) Object.assign(b, { writeSchema: inf.schema, writeId: inf.id })
    }
    return out
  }

  private avroBindingsNow(topic: string, keyFormat: string, valueFormat: string, props: WithProperties): { keyAvro?: AvroBinding; valueAvro?: AvroBinding } {
    const registry = this.sqlRegistry
    if (registry === null) return {}
    const binding = (side: 'key' | 'value', fullName: string | null): AvroBinding => ({ registry, subject: `${topic}-${side}`, fullName, writeId: null })
    return {
      ...(keyFormat === 'AVRO' ? { keyAvro: binding('key', props.string('KEY_SCHEMA_FULL_NAME')) } : {}),
      ...(valueFormat === 'AVRO' ? { valueAvro: binding('value', props.string('VALUE_AVRO_SCHEMA_FULL_NAME')) } : {}),
    }
  }

  /**
   * Registers the schema a source writes with under its subject, once, before its first row.
   * `onlyIfNew`: only when the subject has no schema yet (CREATE of a declared source: what others
   * registered is left alone until the source is written to).
   */
  private async registerAvro(source: DataSource, onlyIfNew: boolean): Promise<void> {
    const sides = [[source.keyAvro, 'KEY_FORMAT', () => keyFormatOf(source)], [source.valueAvro, 'VALUE_FORMAT', () => valueFormatOf(source)]] as const
    for (const [b, field, format] of sides) {
      if (b === undefined || b.writeId !== null) continue
      if (onlyIfNew && (await b.registry.latest(b.subject, field)) !== null) continue
      b.writeId = await b.registry.register(b.subject, format().avroSchema, field)
    }
  }

  /** CREATE OR REPLACE of a source: only additive, compatible changes (ksqlDB's rule), and never for a source a query writes. */
  private checkReplace(old: DataSource, next: DataSource, pos: { line: number; column: number }): void {
    if (old.kind !== next.kind) throw new SqlError('INVALID_STATEMENT', `Cannot add ${next.kind.toLowerCase()} '${next.name}': A ${old.kind.toLowerCase()} with the same name already exists`, { position: pos })
    if (old.topic !== next.topic) throw new SqlError('INVALID_STATEMENT', `Cannot upgrade data source: DataSource '${next.name}' has topic = ${old.topic} which is not upgradeable to ${next.topic}`, { position: pos })
    const oldKey = keyColumns(old.schema)
    const newKey = keyColumns(next.schema)
    if (oldKey.length !== newKey.length || oldKey.some((c, i) => c.name !== newKey[i]!.name || formatType(c.type) !== formatType(newKey[i]!.type))) {
      throw new SqlError('INVALID_STATEMENT', `Cannot upgrade data source: the key columns changed (${oldKey.map((c) => c.name).join(', ')} -> ${newKey.map((c) => c.name).join(', ')}); queries reading it would orphan their state.`, { position: pos })
    }
    for (const c of old.schema.columns) {
      const n = next.schema.columns.find((x) => x.name === c.name)
      if (n === undefined || formatType(n.type) !== formatType(c.type)) {
        throw new SqlError('INVALID_STATEMENT', `Cannot upgrade data source: DataSource '${next.name}' has schema = ${describeSchema(old.schema)} which is not upgradeable to ${describeSchema(next.schema)}. (The following columns are changed, missing or reordered: [\`${c.name}\` ${formatType(c.type)}])`, { position: pos })
      }
    }
  }

  private previewSink(plan: QueryPlan, st: CreateAsSelect | InsertInto): DataSource {
    if (st.kind === 'InsertInto') {
      const t = this.sources.get(st.target)
      if (t === undefined) throw new SqlError('UNKNOWN_SOURCE', `${st.target} does not exist.`, { position: st.pos })
      return t
    }
    return this.sinkFor(st, plan)
  }

  private sinkFor(st: CreateAsSelect, plan: QueryPlan): DataSource {
    const props = new WithProperties(st.properties)
    const first = this.sources.get(plan.sources[0] ?? '')!
    const formats = props.formats({ key: first.keyFormat === 'NONE' && plan.root.key.length > 0 ? 'KAFKA' : first.keyFormat, value: first.valueFormat })
    let keyFormat = formats.key!
    if (plan.root.key.length === 0) keyFormat = 'NONE'
    else if (keyFormat === 'NONE') keyFormat = 'KAFKA'
    if (keyFormat === 'KAFKA' && plan.root.key.length > 1 && !props.has('KEY_FORMAT') && !props.has('FORMAT')) keyFormat = formats.value === 'DELIMITED' ? 'DELIMITED' : 'JSON'
    const tsCol = props.string('TIMESTAMP')?.toUpperCase() ?? null
    return {
      name: st.name, kind: st.sourceKind, schema: { columns: plan.schema }, topic: props.string('KAFKA_TOPIC') ?? st.name, keyFormat, valueFormat: formats.value!,
      keyDelimiter: props.string('KEY_DELIMITER') ?? first.keyDelimiter, valueDelimiter: delimiter(props.string('VALUE_DELIMITER') ?? first.valueDelimiter),
      wrapSingleValue: props.bool('WRAP_SINGLE_VALUE') ?? true, partitions: props.int('PARTITIONS') ?? first.partitions, replicas: props.int('REPLICAS') ?? first.replicas,
      timestampColumn: tsCol, timestampFormat: props.string('TIMESTAMP_FORMAT'), window: plan.window, isSource: false, sql: '',
      ...this.avroBindingsNow(props.string('KAFKA_TOPIC') ?? st.name, keyFormat, formats.value!, props),
    }
  }

  private async createAsSelect(st: CreateAsSelect, text: string, fixedQueryId?: string): Promise<StatementResult> {
    const existing = this.sources.get(st.name)
    if (existing !== undefined && !st.orReplace) {
      if (st.ifNotExists) return { statement: text, kind: 'message', message: `Cannot add ${st.sourceKind.toLowerCase()} \`${st.name}\`: A ${existing.kind.toLowerCase()} with the same name already exists.` }
      throw new SqlError('SOURCE_EXISTS', `Cannot add ${st.sourceKind.toLowerCase()} '${st.name}': A ${existing.kind.toLowerCase()} with the same name already exists`, { position: st.pos, field: st.name })
    }
    const ref: QueryLogRef = { queryId: '', running: null }
    const plan = analyzeQuery(st.query, this.analyzerContext(this.queryLogger(ref)), { persistent: true })
    if (plan.resultKind !== st.sourceKind) {
      throw new SqlError('INVALID_STATEMENT', `Invalid result type. Your SELECT query produces a ${plan.resultKind}. Please use CREATE ${plan.resultKind} AS SELECT statement instead.`, { position: st.pos })
    }
    if (plan.sources.includes(st.name)) throw new SqlError('INVALID_STATEMENT', `Cannot create ${st.name}: the query reads from the source it writes to.`, { position: st.pos })
    let sink = { ...this.sinkFor(st, plan), sql: text }
    if ((sink.keyFormat === 'AVRO' || sink.valueFormat === 'AVRO') && this.sqlRegistry === null) {
      await this.sqlSchemas(sink.valueFormat === 'AVRO' ? 'VALUE_FORMAT' : 'KEY_FORMAT', st.pos)
      sink = { ...this.sinkFor(st, plan), sql: text }
    }
    keyFormatOf(sink)
    valueFormatOf(sink)
    let replacing: PersistentQuery | undefined
    if (existing !== undefined) {
      replacing = this.listQueries().find((q) => q.sink === st.name)
      if (replacing !== undefined) this.checkQueryReplace(replacing, plan, st)
      this.checkReplace(existing, sink, st.pos)
    }
    const prefix = st.sourceKind === 'STREAM' ? 'CSAS' : 'CTAS'
    const queryId = replacing?.id ?? fixedQueryId ?? `${prefix}_${st.name}_${this.commandSeq}`
    // the sink's schema, registered before anything is created: a refusal (incompatible) leaves nothing behind
    await this.registerAvro(sink, false)
    if (!(await this.runtime.topicExists(sink.topic))) await this.runtime.createTopic(sink.topic, sink.partitions, sink.replicas, sink.kind === 'TABLE' ? { 'cleanup.policy': 'compact' } : {})
    if (replacing !== undefined) await replacing.running.stop(false)
    ref.queryId = queryId
    // a replaced query keeps its state: a PAUSED one stays paused until RESUME (as ksqlDB does)
    const q = await this.startQuery(ref, text, plan, sink, replacing?.state === 'PAUSED')
    this.sources.set(st.name, sink)
    this.queries.set(queryId, q)
    await this.record(text, queryId)
    return { statement: text, kind: 'message', queryId, message: `Created query with ID ${queryId}` }
  }

  /** CREATE OR REPLACE of a query: the new plan must keep the same state (same aggregation/join shape) so nothing is orphaned. */
  private checkQueryReplace(old: PersistentQuery, plan: QueryPlan, st: CreateAsSelect): void {
    const shape = (p: QueryPlan): string => describePlan(p).split('\n').filter((l) => /\[ (SOURCE|JOIN|AGGREGATE) \]/.test(l)).map((l) => l.replace(/\| (HAVING|Schema).*$/, '').trim()).join('|')
    if (shape(old.plan) !== shape(plan)) {
      throw new SqlError('INVALID_STATEMENT', `Cannot replace query ${old.id}: the new query changes its sources, joins, grouping or aggregations, so its state stores and internal topics would be orphaned. Only projections, filters and value columns can change. Terminate ${old.id} and drop ${st.name} first to start over.`, { position: st.pos })
    }
  }

  private async insertInto(st: InsertInto, text: string, fixedQueryId?: string): Promise<StatementResult> {
    const target = this.sources.get(st.target)
    if (target === undefined) throw new SqlError('UNKNOWN_SOURCE', `${st.target} does not exist.`, { position: st.pos, field: st.target })
    if (target.isSource) throw new SqlError('INVALID_STATEMENT', `Cannot insert into read-only ${target.kind.toLowerCase()}: ${st.target}`, { position: st.pos })
    if (target.kind !== 'STREAM') throw new SqlError('INVALID_STATEMENT', `INSERT INTO can only be used to insert into a stream. ${st.target} is a table.`, { position: st.pos })
    const ref: QueryLogRef = { queryId: '', running: null }
    const plan = analyzeQuery(st.query, this.analyzerContext(this.queryLogger(ref)), { persistent: true })
    if (plan.resultKind !== 'STREAM') throw new SqlError('INVALID_STATEMENT', `INSERT INTO can only be used to insert from a stream; the query produces a TABLE.`, { position: st.pos })
    const a = plan.schema.map((c) => `\`${c.name}\` ${formatType(c.type)}${c.namespace === 'KEY' ? ' KEY' : ''}`).join(', ')
    const b = target.schema.columns.map((c) => `\`${c.name}\` ${formatType(c.type)}${c.namespace === 'KEY' ? ' KEY' : ''}`).join(', ')
    if (a !== b) throw new SqlError('INVALID_STATEMENT', `Incompatible schema between results and sink.\nResult schema is ${a}\nSink schema is ${b}`, { position: st.pos })
    const queryId = fixedQueryId ?? `INSERTQUERY_${this.commandSeq}`
    await this.registerAvro(target, false)
    ref.queryId = queryId
    const q = await this.startQuery(ref, text, plan, target)
    this.queries.set(queryId, q)
    await this.record(text, queryId)
    return { statement: text, kind: 'message', queryId, message: `Created query with ID ${queryId}` }
  }

  private async startQuery(ref: QueryLogRef, text: string, plan: QueryPlan, sink: DataSource, paused = false): Promise<PersistentQuery> {
    const queryId = ref.queryId
    const builder = new StreamsBuilder()
    const context: RecordContextHolder = { topic: null, partition: null, offset: null }
    const lowered = lowerQuery(plan, builder, { queryId, sink, log: this.queryLogger(ref), context })
    const topology = builder.build()
    const applicationId = `_confluent-ksql-${this.serviceId}query_${queryId}`
    const running = await this.runtime.start(queryId, applicationId, topology, { ...queryStartOptions(this.effectiveProperties()), paused: this.replaying || paused, logger: this.streamsLogger(ref) })
    ref.running = running
    return {
      id: queryId, statement: text, sink: sink.name, sources: plan.sources, plan, topologyDescription: topology.describe().toString(), mermaid: topology.describe().toMermaid(),
      materialization: lowered.materialization, applicationId, state: paused ? 'PAUSED' : 'RUNNING', running,
    }
  }

  /** The query of a CREATE SOURCE TABLE: the table's topic, read from the beginning, into a store for pull queries. */
  private async startSourceTableQuery(queryId: string, text: string, source: DataSource, paused = false): Promise<PersistentQuery> {
    const ref: QueryLogRef = { queryId, running: null }
    const select = parseStatement(`SELECT * FROM \`${source.name}\` EMIT CHANGES;`)
    if (select.kind !== 'Query') throw new SqlError('EXECUTION_ERROR', 'internal: source table query')
    const plan = analyzeQuery(select.query, this.analyzerContext(this.queryLogger(ref)), { persistent: false })
    const builder = new StreamsBuilder()
    const lowered = lowerSourceTable(plan, builder, { queryId, sink: source, log: this.queryLogger(ref), context: { topic: null, partition: null, offset: null } })
    const topology = builder.build()
    const applicationId = `_confluent-ksql-${this.serviceId}query_${queryId}`
    // a table is its whole topic: read from the beginning whatever auto.offset.reset says
    const running = await this.runtime.start(queryId, applicationId, topology, { ...queryStartOptions(this.effectiveProperties()), autoOffsetReset: 'earliest', paused: this.replaying || paused, logger: this.streamsLogger(ref) })
    ref.running = running
    return {
      id: queryId, statement: text, sink: source.name, sources: [], plan, topologyDescription: topology.describe().toString(), mermaid: topology.describe().toMermaid(),
      materialization: lowered.materialization, applicationId, state: paused ? 'PAUSED' : 'RUNNING', running,
    }
  }

  private async insertValues(st: InsertValues, text: string): Promise<StatementResult> {
    const target = this.sources.get(st.target)
    if (target === undefined) throw new SqlError('UNKNOWN_SOURCE', `${st.target} does not exist.`, { position: st.pos, field: st.target })
    if (target.isSource) throw new SqlError('INVALID_STATEMENT', `Cannot insert values into read-only ${target.kind.toLowerCase()}: ${st.target}`, { position: st.pos })
    const cols = target.schema.columns.filter((c) => c.namespace === 'KEY' || c.namespace === 'VALUE')
    const names = st.columns.length > 0 ? st.columns : cols.map((c) => c.name)
    if (names.length !== st.values.length) throw new SqlError('INVALID_STATEMENT', `Expected a value for each column. Expected Columns: [${names.join(', ')}]. Got ${st.values.length} values.`, { position: st.pos })
    const values = new Map<string, unknown>()
    let rowtime: number | null = null
    // windowed sources: WINDOWSTART (and WINDOWEND) give the window of the key
    const windowBounds: { WINDOWSTART?: number; WINDOWEND?: number } = {}
    names.forEach((n, i) => {
      const e = st.values[i]!
      if (n === 'ROWTIME') {
        rowtime = compileExpression(e, { columns: [], registry: this.registry }).eval([]) as number
        return
      }
      if ((n === 'WINDOWSTART' || n === 'WINDOWEND') && target.window !== null) {
        const c = compileExpression(e, { columns: [], registry: this.registry })
        const v = c.eval([])
        if (!['INTEGER', 'BIGINT', 'TIMESTAMP'].includes(c.type.kind) || typeof v !== 'number') throw new SqlError('TYPE_ERROR', `Expected a BIGINT (epoch milliseconds) for ${n} but got ${formatExpression(e)}(${formatType(c.type)})`, { position: e.pos, field: n })
        windowBounds[n] = v
        return
      }
      const col = cols.find((c) => c.name === n)
      if (col === undefined) throw new SqlError('UNKNOWN_COLUMN', `Column name ${n} does not exist. Available columns: ${cols.map((c) => c.name).join(', ')}`, { position: e.pos, field: n })
      const c = compileExpression(e, { columns: [], registry: this.registry, namedTypes: this.namedType })
      const assignable = c.type.kind === 'NULL' || formatType(c.type) === formatType(col.type) || (isNum(c.type) && isNum(col.type)) || (c.type.kind === 'STRING' && ['TIMESTAMP', 'DATE', 'TIME'].includes(col.type.kind))
      if (!assignable) throw new SqlError('TYPE_ERROR', `Expected type ${formatType(col.type)} for field ${n} but got ${formatExpression(e)}(${formatType(c.type)})`, { position: e.pos, field: n })
      let v: unknown
      try {
        v = coerce(c, col.type).eval([])
        if (c.type.kind === 'STRING' && col.type.kind !== 'STRING' && v !== null) v = compileExpression({ kind: 'Cast', operand: e, type: { kind: 'PrimitiveType', name: col.type.kind as 'TIMESTAMP' }, pos: e.pos }, { columns: [], registry: this.registry }).eval([])
        if (c.type.kind === 'DOUBLE' && col.type.kind !== 'DOUBLE' && v !== null) v = compileExpression({ kind: 'Cast', operand: e, type: typeNode(col.type), pos: e.pos }, { columns: [], registry: this.registry }).eval([])
      } catch (err) {
        if (err instanceof SqlError && err.position === null) throw new SqlError(err.code, `${err.message} (column ${n})`, { position: e.pos, field: n, cause: err })
        throw err
      }
      // a DECIMAL value is rounded to the column's scale, but digits before the point are never dropped
      if (col.type.kind === 'DECIMAL' && v instanceof SqlDecimal && !v.fits(col.type.precision)) {
        throw new SqlError('TYPE_ERROR', `Numeric field overflow: ${formatExpression(e)} does not fit ${formatType(col.type)} of column ${n} (it needs ${v.precision() - v.scale} digits before the decimal point, the type allows ${col.type.precision - col.type.scale})`, { position: e.pos, field: n })
      }
      values.set(n, v)
    })
    const keyCols = cols.filter((c) => c.namespace === 'KEY')
    const valueCols = cols.filter((c) => c.namespace === 'VALUE')
    const key = keyCols.map((c) => values.get(c.name) ?? null)
    const value = valueCols.map((c) => values.get(c.name) ?? null)
    if (target.kind === 'TABLE' && key.some((k) => k === null)) throw new SqlError('INVALID_STATEMENT', `Failed to insert values into '${st.target}'. Value for primary key column(s) ${keyCols.map((c) => c.name).join(', ')} is required for tables`, { position: st.pos })
    let ts = rowtime ?? Date.now()
    if (target.timestampColumn !== null && values.get(target.timestampColumn) != null) ts = Number(values.get(target.timestampColumn))
    await this.registerAvro(target, false)
    let keyBytes: Buffer | null
    if (target.window === null) keyBytes = keyFormatOf(target).serialize(key)
    else {
      const w = target.window
      const start = windowBounds.WINDOWSTART
      if (start === undefined) throw new SqlError('INVALID_STATEMENT', `Failed to insert values into '${st.target}': it is windowed (${w.type}), so a value for WINDOWSTART is required${w.type === 'SESSION' ? ', and for WINDOWEND' : ''}.`, { position: st.pos, field: 'WINDOWSTART' })
      let end = windowBounds.WINDOWEND
      if (w.type === 'SESSION') {
        if (end === undefined) throw new SqlError('INVALID_STATEMENT', `Failed to insert values into '${st.target}': session windows need WINDOWEND as well as WINDOWSTART.`, { position: st.pos, field: 'WINDOWEND' })
        if (end < start) throw new SqlError('INVALID_STATEMENT', `Failed to insert values into '${st.target}': WINDOWEND ${end} is before WINDOWSTART ${start}.`, { position: st.pos, field: 'WINDOWEND' })
      } else {
        const size = w.sizeMs ?? 0
        if (end !== undefined && end !== start + size) throw new SqlError('INVALID_STATEMENT', `Failed to insert values into '${st.target}': its ${w.type} windows are ${size} ms long, so WINDOWEND must be WINDOWSTART + ${size} = ${start + size}, got ${end}.`, { position: st.pos, field: 'WINDOWEND' })
        end = start + size
      }
      keyBytes = topicKeySerde(target).serialize(target.topic, windowed(key, start, end))
    }
    await this.runtime.produce(target.topic, keyBytes, valueFormatOf(target).serialize(value), ts, [])
    return { statement: text, kind: 'message', message: '' }
  }

  // ---------------------------------------------------------------- queries

  /** A SELECT without EMIT CHANGES: a pull query over a materialized table. */
  private async pullQuery(q: Select, text: string): Promise<StatementResult> {
    const { header, rows } = await this.pull(q)
    return { statement: text, kind: 'rows', header, rows }
  }

  async pull(q: Select): Promise<{ header: string[]; rows: unknown[][] }> {
    // a Select pulled again runs its prepared plan while the catalog it was prepared against still holds
    const cached = this.pullPlans.get(q)
    if (cached !== undefined && cached.version === this.catalogVersion && this.sources.get(cached.source.name) === cached.source && this.queries.get(cached.query.id) === cached.query && cached.query.materialization === cached.plan.materialization) {
      return cached.plan.run(cached.query.running)
    }
    if (q.emit !== null) throw new SqlError('UNSUPPORTED', 'Push queries (EMIT CHANGES) run through KsqlEngine.stream(), not execute().', { position: q.pos })
    const src = this.sources.get(q.from.name)
    if (src === undefined) throw new SqlError('UNKNOWN_SOURCE', `${q.from.name} does not exist.`, { position: q.from.pos })
    if (src.kind !== 'TABLE') throw new SqlError('INVALID_STATEMENT', `Pull queries are only supported on tables: ${q.from.name} is a stream. Add EMIT CHANGES for a push query.`, { position: q.pos })
    if (q.joins.length > 0 || q.groupBy.length > 0 || q.window !== null || q.partitionBy.length > 0) {
      throw new SqlError('UNSUPPORTED', 'Pull queries do not support JOIN, GROUP BY, WINDOW or PARTITION BY clauses.', { position: q.pos })
    }
    const query = this.listQueries().find((x) => x.sink === src.name && x.materialization !== null)
    if (query === undefined) {
      throw new SqlError('UNSUPPORTED', `The ${src.name} table isn't queryable. To derive a queryable table, you can do 'CREATE TABLE QUERYABLE_${src.name} AS SELECT * FROM ${src.name}'.`, { position: q.pos })
    }
    const plan = preparePull(q, src, query.materialization!, { registry: this.registry, namedTypes: this.namedType })
    this.pullPlans.set(q, { version: this.catalogVersion, source: src, query, plan })
    return plan.run(query.running)
  }

  /**
   * Runs a query and yields its rows as they come: a push query (EMIT CHANGES) streams until
   * LIMIT or until the consumer stops iterating, then removes everything it created; a pull
   * query yields its rows and ends. Each row is the projected columns, key columns first.
   */
  async *stream(sql: string, signal?: AbortSignal): AsyncGenerator<StreamedRow, void, undefined> {
    const st = parseStatements(substituteVariables(sql, this.variables))
    const first = st[0]?.statement
    if (st.length !== 1 || first?.kind !== 'Query') throw new SqlError('INVALID_STATEMENT', 'stream() takes exactly one SELECT statement', { position: { line: 1, column: 1 } })
    const q = first.query
    if (q.emit === null) {
      const r = await this.pull(q)
      for (const row of r.rows) yield { columns: r.header, row, window: null }
      return
    }
    const id = `transient_${q.from.name}_${Date.now()}_${Math.floor(Math.random() * 1e9)}`
    const ref: QueryLogRef = { queryId: id, running: null }
    const plan = analyzeQuery(q, this.analyzerContext(this.queryLogger(ref)), { persistent: false })
    const header = plan.schema.map((c) => c.name)
    const queue: StreamedRow[] = []
    let wake: (() => void) | null = null
    const onRow = (key: unknown[] | null, value: unknown[] | null, _ts: number, window: { start: number; end: number } | null): void => {
      if (value === null) return
      queue.push({ columns: header, row: [...(key ?? []).slice(0, plan.root.key.length), ...value], window })
      wake?.()
    }
    const builder = new StreamsBuilder()
    lowerQuery(plan, builder, { queryId: id, sink: null, onRow, log: this.queryLogger(ref), context: { topic: null, partition: null, offset: null } })
    const running = await this.runtime.start(id, `_confluent-ksql-${this.serviceId}${id}`, builder.build(), { transient: true, logger: this.streamsLogger(ref) })
    ref.running = running
    let emitted = 0
    const aborted = new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }))
    try {
      while (!(signal?.aborted ?? false)) {
        while (queue.length > 0) {
          yield queue.shift()!
          emitted++
          if (q.limit !== null && emitted >= q.limit) return
        }
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted])
        wake = null
      }
    } finally {
      await running.stop(true)
    }
  }

  // ---------------------------------------------------------------- SHOW / DESCRIBE

  private async list(what: string, extended: boolean, text: string): Promise<StatementResult> {
    switch (what) {
      case 'STREAMS':
      case 'TABLES': {
        const kind = what === 'STREAMS' ? 'STREAM' : 'TABLE'
        const rows = this.listSources().filter((s) => s.kind === kind).sort((a, b) => a.name.localeCompare(b.name)).map((s) => [s.name, s.topic, s.keyFormat, s.valueFormat, s.window !== null])
        return { statement: text, kind: 'table', header: [kind === 'STREAM' ? 'Stream Name' : 'Table Name', 'Kafka Topic', 'Key Format', 'Value Format', 'Windowed'], rows }
      }
      case 'TOPICS': {
        const topics = (await this.runtime.listTopics()).filter((t) => extended || !t.startsWith('_'))
        const rows = await Promise.all(topics.map(async (t) => [t, (await this.runtime.partitionsOf(t)) ?? 1]))
        return { statement: text, kind: 'table', header: ['Kafka Topic', 'Partitions'], rows }
      }
      case 'QUERIES': {
        const rows = this.listQueries().map((q) => [q.id, 'PERSISTENT', q.state === 'RUNNING' ? 'RUNNING:1' : 'PAUSED:1', q.sink, this.sources.get(q.sink)?.topic ?? '', q.statement])
        return { statement: text, kind: 'table', header: ['Query ID', 'Query Type', 'Status', 'Sink Name', 'Sink Kafka Topic', 'Query String'], rows }
      }
      case 'PROPERTIES':
        return { statement: text, kind: 'table', header: ['Property', 'Value'], rows: Object.entries(this.effectiveProperties()).sort() }
      case 'FUNCTIONS':
        return { statement: text, kind: 'table', header: ['Function Name', 'Category'], rows: this.registry.list().map((f) => [f.name, f.category]).sort((a, b) => a[0]!.localeCompare(b[0]!)) }
      case 'TYPES':
        return { statement: text, kind: 'table', header: ['Type Name', 'Schema'], rows: [...this.types].map(([n, t]) => [n, formatType(t)]) }
      case 'VARIABLES':
        return { statement: text, kind: 'table', header: ['Variable Name', 'Value'], rows: [...this.variables] }
    }
    throw new SqlError('UNSUPPORTED', `SHOW ${what} is not supported`)
  }

  private describeSource(name: string, extended: boolean, text: string, pos: { line: number; column: number }): StatementResult {
    const s = this.sources.get(name)
    if (s === undefined) throw new SqlError('UNKNOWN_SOURCE', `Could not find STREAM/TABLE '${name}' in the Metastore`, { position: pos, field: name })
    const rows: unknown[][] = s.schema.columns.map((c) => [c.name, formatType(c.type) + (c.namespace === 'KEY' ? (s.kind === 'TABLE' ? '  (primary key)' : '  (key)') : c.namespace === 'HEADERS' ? '  (headers)' : c.namespace === 'HEADER' ? `  (header('${c.headerKey ?? ''}'))` : '')])
    let message = `Name                 : ${s.name}`
    if (extended) {
      // ksqlDB lists each query as `ID (STATE) : statement`
      const readers = this.listQueries().filter((q) => q.sources.includes(name)).map((q) => `${q.id} (${q.state})`)
      const writers = this.listQueries().filter((q) => q.sink === name).map((q) => `${q.id} (${q.state})`)
      message += `\nType                 : ${s.kind}\nTimestamp field      : ${s.timestampColumn ?? 'Not set - using <ROWTIME>'}\nKey format           : ${s.keyFormat}\nValue format         : ${s.valueFormat}\nKafka topic          : ${s.topic} (partitions: ${s.partitions}, replication: ${s.replicas})\nStatement            : ${s.sql}\nQueries that read from this ${s.kind}: ${readers.join(', ') || '-'}\nQueries that write from this ${s.kind}: ${writers.join(', ') || '-'}`
    }
    return { statement: text, kind: 'table', message, header: ['Field', 'Type'], rows }
  }

  async close(): Promise<void> {
    await this.connectors?.close()
    for (const q of this.queries.values()) await q.running.stop(false)
    this.queries.clear()
    await this.flushProcessingLog()
    await this.runtime.close()
  }
}

function isNum(t: SqlType): boolean {
  return t.kind === 'INTEGER' || t.kind === 'BIGINT' || t.kind === 'DOUBLE' || t.kind === 'DECIMAL'
}

function typeNode(t: SqlType): TypeNode {
  if (t.kind === 'DECIMAL') return { kind: 'DecimalType', precision: t.precision, scale: t.scale }
  return { kind: 'PrimitiveType', name: t.kind as 'INTEGER' }
}


function describeSchema(s: LogicalSchema): string {
  return s.columns.map((c) => `\`${c.name}\` ${formatType(c.type)}${c.namespace === 'KEY' ? ' KEY' : ''}`).join(', ')
}

function delimiter(d: string): string {
  const named: Record<string, string> = { TAB: '\t', SPACE: ' ', COMMA: ',', SEMICOLON: ';', PIPE: '|' }
  return named[d.toUpperCase()] ?? d
}

/**
 * The statement kept in the command topic for a CREATE whose columns came from the registry: with
 * the ids they came from (KEY_SCHEMA_ID / VALUE_SCHEMA_ID), so a replay reads the same schemas
 * whatever was registered since.
 */
function withSchemaIds(st: CreateSource, text: string, inferred: { key: { id: number } | null; value: { id: number } | null }): string {
  if (inferred.key === null && inferred.value === null) return text
  const extra = [['KEY_SCHEMA_ID', inferred.key], ['VALUE_SCHEMA_ID', inferred.value]] as const
  const properties = [...st.properties]
  for (const [name, inf] of extra) {
    if (inf !== null && !properties.some((p) => p.name === name)) properties.push({ name, value: { kind: 'Literal', type: 'INTEGER', value: String(inf.id), pos: st.pos }, pos: st.pos })
  }
  return `${formatStatement({ ...st, properties })};`
}
