// Connector statements on a Connect worker in the engine's process, on the engine's BrookClient.
// Durability: CREATE / DROP CONNECTOR are catalog changes kept in the SQL command topic; on replay
// the connectors the log leaves standing are started again, and each resumes from the source
// offsets its worker keeps in connect-offsets (status in connect-status, as Connect).
import type { BrookClient } from '../../core/client/types.js'
import { Worker, type WorkerConfig } from '../../connectors/runtime/worker.js'
import { connectorFactory } from '../../connectors/runtime/plugins.js'
import { ConfigException, errorMessage } from '../../connectors/errors.js'
import '../../connectors/plugins.js'
import type { ConnectorStateInfo } from '../../connectors/runtime/status-store.js'
import { SqlError } from '../errors.js'
import type { ConnectorStatement, CreateConnector } from '../parser/ast/connectors.js'

export interface ConnectorResult {
  readonly kind: 'message' | 'table'
  readonly message?: string
  readonly header?: readonly string[]
  readonly rows?: readonly (readonly unknown[])[]
  /** Further tables after the main one (DESCRIBE CONNECTOR: ksqlDB sources, related topics). */
  readonly sections?: readonly ResultSection[]
}

export interface ResultSection {
  readonly header: readonly string[]
  readonly rows: readonly (readonly unknown[])[]
}

/** The engine's streams and tables, for DESCRIBE CONNECTOR's "ksqlDB Source Name" section. */
export interface CatalogSource {
  readonly name: string
  readonly topic: string
  readonly kind: 'STREAM' | 'TABLE'
}

/** Where connector statements run; the engine needs nothing else of connectors. */
export interface ConnectorHost {
  /** Executes a connector statement; `replaying`: CREATE / DROP only change the set started by `resume`. */
  execute(st: ConnectorStatement, replaying: boolean, sources?: () => readonly CatalogSource[]): Promise<ConnectorResult>
  /** Starts the connectors left standing after the command log's replay. */
  resume(): Promise<void>
  close(): Promise<void>
}

interface Known {
  readonly props: Record<string, string>
  readonly type: 'source' | 'sink'
  /** Why a connector replayed from the command log could not start again. */
  startError: string | null
}

export class WorkerConnectorHost implements ConnectorHost {
  private worker: Worker | null = null
  private readonly known = new Map<string, Known>()

  /** The worker starts (and creates Connect's internal topics) at the first connector statement. */
  constructor(private readonly client: BrookClient, private readonly config: WorkerConfig = { log: () => {} }) {}

  private async getWorker(): Promise<Worker> {
    this.worker ??= await Worker.start(this.client, this.config)
    return this.worker
  }

  async execute(st: ConnectorStatement, replaying: boolean, sources: () => readonly CatalogSource[] = () => []): Promise<ConnectorResult> {
    switch (st.kind) {
      case 'CreateConnector':
        return this.create(st, replaying)
      case 'DropConnector': {
        const k = this.known.get(st.name)
        if (k === undefined) {
          if (st.ifExists) return { kind: 'message', message: `Connector ${st.name} does not exist.` }
          throw new SqlError('INVALID_STATEMENT', `Connector ${st.name} does not exist.`, { position: st.pos, field: st.name })
        }
        this.known.delete(st.name)
        // deleted, not just stopped: its connect-configs entry and statuses are tombstoned (Connect's DELETE)
        if (!replaying) await (await this.getWorker()).deleteConnector(st.name)
        return { kind: 'message', message: `Dropped connector "${st.name}"` }
      }
      case 'ListConnectors': {
        const rows: unknown[][] = []
        for (const [name, k] of [...this.known].sort(([a], [b]) => a.localeCompare(b))) {
          if (st.connectorType !== null && k.type !== st.connectorType.toLowerCase()) continue
          const info = this.worker?.describe(name) ?? null
          rows.push([name, k.type.toUpperCase(), k.props['connector.class'] ?? '', statusText(info, k)])
        }
        return { kind: 'table', header: ['Connector Name', 'Type', 'Class', 'Status'], rows }
      }
      case 'DescribeConnector': {
        const k = this.known.get(st.name)
        if (k === undefined) throw new SqlError('INVALID_STATEMENT', `Connector ${st.name} does not exist.`, { position: st.pos, field: st.name })
        const info = this.worker?.describe(st.name) ?? null
        const state = k.startError !== null ? 'FAILED' : info?.connector.state ?? 'UNASSIGNED'
        const message = [
          `Name                 : ${st.name}`,
          `Class                : ${k.props['connector.class'] ?? ''}`,
          `Type                 : ${k.type}`,
          `State                : ${state}`,
          `WorkerId             : ${info?.connector.worker_id ?? ''}`,
          ...(k.startError !== null ? [`Trace                : ${k.startError}`] : info?.connector.trace != null ? [`Trace                : ${info.connector.trace}`] : []),
        ].join('\n')
        const rows = (info?.tasks ?? []).map((t) => [t.id, t.state, t.trace ?? ''])
        // ksqlDB's further sections: the streams and tables over the connector's topics, and those topics
        const topics = this.worker?.activeTopics(st.name) ?? []
        const related = new Set(topics)
        const over = sources().filter((s) => related.has(s.topic)).map((s) => [s.name, s.topic, s.kind === 'STREAM' ? 'STREAM' : 'TABLE'])
        return {
          kind: 'table', message, header: ['Task ID', 'State', 'Error Trace'], rows,
          sections: [{ header: ['ksqlDB Source Name', 'Kafka Topic', 'Type'], rows: over }, { header: ['Related Topics'], rows: topics.map((t) => [t]) }],
        }
      }
    }
  }

  private async create(st: CreateConnector, replaying: boolean): Promise<ConnectorResult> {
    if (this.known.has(st.name)) {
      if (st.ifNotExists) return { kind: 'message', message: `Connector ${st.name} already exists.` }
      throw new SqlError('INVALID_STATEMENT', `Connector ${st.name} already exists.`, { position: st.pos, field: st.name })
    }
    const props: Record<string, string> = {}
    const at = new Map<string, { line: number; column: number }>()
    for (const p of st.properties) {
      if (at.has(p.key)) throw new SqlError('INVALID_PROPERTY', `Duplicate config key '${p.key}'`, { position: p.pos, field: p.key })
      props[p.key] = p.value
      at.set(p.key, p.pos)
    }
    if (props.name !== undefined && props.name !== st.name) {
      throw new SqlError('INVALID_PROPERTY', `Invalid value for configuration 'name': '${props.name}' differs from the connector's name ${st.name}`, { position: at.get('name')!, field: 'name' })
    }
    props.name = st.name
    const className = props['connector.class']
    const factory = className === undefined ? undefined : connectorFactory(className)
    if (factory === undefined && replaying) {
      // A class registered by the last engine but not by this one: listed FAILED, never a failed replay.
      this.known.set(st.name, { props, type: st.connectorType === 'SOURCE' ? 'source' : 'sink', startError: `no connector class '${className ?? ''}'` })
      return { kind: 'message', message: `Created connector ${st.name}` }
    }
    if (factory === undefined) {
      const why = className === undefined ? 'is required' : `no connector class '${className}'`
      throw new SqlError('INVALID_PROPERTY', `Connector '${st.name}': Invalid value for configuration 'connector.class': ${why}`, { position: at.get('connector.class') ?? st.pos, field: 'connector.class' })
    }
    const type = factory().kind
    if (type !== st.connectorType.toLowerCase()) {
      throw new SqlError('INVALID_PROPERTY', `Connector '${st.name}': Invalid value for configuration 'connector.class': ${className} is a ${type} connector, not a ${st.connectorType.toLowerCase()} connector`, { position: at.get('connector.class')!, field: 'connector.class' })
    }
    const known: Known = { props, type, startError: null }
    if (replaying) {
      this.known.set(st.name, known)
      return { kind: 'message', message: `Created connector ${st.name}` }
    }
    const worker = await this.getWorker()
    try {
      await worker.startConnector(props)
    } catch (err) {
      await worker.stopConnector(st.name).catch(() => {})
      if (err instanceof ConfigException) {
        throw new SqlError('INVALID_PROPERTY', err.message, { position: at.get(err.key) ?? st.pos, field: err.key, cause: err })
      }
      throw new SqlError('EXECUTION_ERROR', errorMessage(err), { position: st.pos, field: st.name, cause: err })
    }
    this.known.set(st.name, known)
    return { kind: 'message', message: `Created connector ${st.name}` }
  }

  async resume(): Promise<void> {
    if (this.known.size === 0) return
    const worker = await this.getWorker()
    for (const k of this.known.values()) {
      try {
        await worker.startConnector(k.props)
      } catch (err) {
        // Kept in the catalog (DROP removes it); DESCRIBE CONNECTOR shows why it is not running.
        k.startError = errorMessage(err)
      }
    }
  }

  /** Names of the connectors running on this host's worker. */
  running(): string[] {
    return this.worker?.connectors() ?? []
  }

  /** The worker's status of a connector (connect-status), null when it has none. */
  status(name: string): ConnectorStateInfo | null {
    return this.worker?.describe(name) ?? null
  }

  async close(): Promise<void> {
    await this.worker?.stop()
    this.worker = null
  }
}

/** ksqlDB's status column: `RUNNING (1/1 tasks RUNNING)`. */
function statusText(info: ConnectorStateInfo | null, k: Known): string {
  if (k.startError !== null) return 'FAILED'
  if (info === null) return 'UNASSIGNED'
  const running = info.tasks.filter((t) => t.state === 'RUNNING').length
  return `${info.connector.state} (${running}/${info.tasks.length} tasks RUNNING)`
}
