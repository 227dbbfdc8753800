// A standalone Connect worker on any BrookClient: validates and starts connectors, runs their
// tasks, keeps offsets, status and target states in the compacted internal topics, and obeys
// pause/resume/restart requests written to connect-configs by other processes.
import os from 'node:os'
import type { BrookClient, Consumer } from '../../core/client/types.js'
import type { ConnectorContext, SinkConnector, SourceConnector } from '../api/connector.js'
import { TopicSchemaRegistry, type SchemaRegistryClient } from '../../registry/index.js'
import { createConverter, type ConverterContext } from '../converters/converter.js'
import { ConfigException, ConnectException, errorMessage, RetriableException } from '../errors.js'
import { buildChain } from '../transforms/index.js'
import { checkUnknownKeys, commonConfigDef } from './connector-config.js'
import { defaultTopics, ensureCompactedTopics, InternalTopicWriter, type InternalTopicNames } from './internal-topics.js'
import { OffsetStore } from './offset-store.js'
import { connectorFactory } from './plugins.js'
import { sleepUnlessAborted } from '../../core/common/time.js'
import { StatusStore, type ConnectorStateInfo } from './status-store.js'
import { PauseGate, type ProgressEvent, type TaskRuntime } from './task-runtime.js'
import { WorkerSinkTask } from './worker-sink-task.js'
import { WorkerSourceTask } from './worker-source-task.js'
import '../transforms/index.js'
import '../plugins.js'
import { consumerOverrides, producerOverrides } from './client-overrides.js'

export interface WorkerConfig {
  workerId?: string
  topics?: Partial<InternalTopicNames>
  log?: (line: string) => void
  onProgress?: (event: ProgressEvent) => void
  /** Watch connect-configs for pause/resume/restart requests from other processes (default true). */
  watchControlTopic?: boolean
  /**
   * The schema registry of converters without schema.registry.url (the Avro converter). Default:
   * Brook's own, kept in the `_schemas` topic of the worker's broker, opened at first use.
   */
  schemaRegistry?: SchemaRegistryClient
}

interface RunningConnector {
  name: string
  props: Record<string, string>
  kind: 'source' | 'sink'
  connector: SourceConnector | SinkConnector
  tasks: Array<WorkerSourceTask | WorkerSinkTask>
  abort: AbortController
  gate: PauseGate
}

export class Worker {
  readonly offsets: OffsetStore
  readonly status: StatusStore
  private readonly topics: InternalTopicNames
  private readonly running = new Map<string, RunningConnector>()
  /** Configs of every connector started here (also failed ones, so restart can bring them back). */
  private readonly configs = new Map<string, Record<string, string>>()
  private readonly producer
  private readonly log: (line: string) => void
  private controlConsumer: Consumer | null = null
  private controlLoop: Promise<void> | null = null
  private readonly stopped = new AbortController()
  /** The registry the worker opened on its broker for its converters (at the first converter that asked). */
  private ownRegistry: Promise<TopicSchemaRegistry> | null = null
  private readonly converterContext: ConverterContext = { schemaRegistry: () => this.schemaRegistry() }

  private constructor(readonly client: BrookClient, private readonly config: WorkerConfig) {
    this.topics = { ...defaultTopics, ...config.topics }
    const workerId = config.workerId ?? `${os.hostname()}:${process.pid}`
    this.offsets = new OffsetStore(client, this.topics.offsets)
    this.status = new StatusStore(client, this.topics.status, workerId)
    this.producer = client.producer({ clientId: `connect-worker-${workerId}`, acks: 'all', lingerMs: 0 })
    this.offsets.attach(new InternalTopicWriter(this.producer, this.topics.offsets))
    this.status.attach(new InternalTopicWriter(this.producer, this.topics.status))
    this.log = config.log ?? ((line) => process.stderr.write(`${line}\n`))
  }

  static async start(client: BrookClient, config: WorkerConfig = {}): Promise<Worker> {
    const w = new Worker(client, config)
    const admin = client.admin()
    try {
      await ensureCompactedTopics(admin, [w.topics.offsets, w.topics.status, w.topics.configs])
    } finally {
      await admin.close()
    }
    await w.offsets.load()
    await w.status.load()
    if (config.watchControlTopic !== false) await w.watchControl()
    return w
  }

  /** Validates everything first (config, converters, transforms, the database); starts only if all is well. */
  async startConnector(props: Record<string, string>): Promise<void> {
    const name = props.name
    if (name === undefined || name === '') throw new ConfigException('name', 'is required')
    if (this.running.has(name)) throw new ConnectException('is already running', { connector: name, field: 'name' })
    const className = props['connector.class']
    if (className === undefined) throw new ConfigException('connector.class', 'is required', { connector: name })
    const factory = connectorFactory(className)
    if (factory === undefined) throw new ConfigException('connector.class', `no connector class '${className}'`, { connector: name })
    const connector = factory()
    const def = commonConfigDef(connector.kind).merge(connector.config())
    checkUnknownKeys(props, def, name)
    // Client overrides are checked now, so a bad one fails the creation, not a task later.
    producerOverrides(props, name)
    consumerOverrides(props, name)
    const parsed = def.parse(props, name)
    if (connector.kind === 'sink' && parsed.getList('topics').length === 0 && parsed.getOptionalString('topics.regex') === null) {
      throw new ConfigException('topics', 'a sink connector needs topics or topics.regex', { connector: name })
    }
    const keyConv = () => createConverter('key.converter', parsed.getString('key.converter'), parsed.originalsWithPrefix('key.converter.'), true, name, this.converterContext)
    const valueConv = () => createConverter('value.converter', parsed.getString('value.converter'), parsed.originalsWithPrefix('value.converter.'), false, name, this.converterContext)
    keyConv()
    valueConv()
    buildChain(props, name)
    const abort = new AbortController()
    const ctx: ConnectorContext = {
      name,
      requestTaskReconfiguration: () => void this.restart(name).catch((err: unknown) => this.log(`${name}: reconfiguration failed: ${errorMessage(err)}`)),
      raiseError: (err) => void this.fail(name, err),
    }
    await connector.validate?.(props, ctx)
    await connector.start(props, ctx)
    const taskConfigs = connector.taskConfigs(parsed.getInt('tasks.max'))
    this.configs.set(name, props)
    const rc: RunningConnector = { name, props, kind: connector.kind, connector, tasks: [], abort, gate: new PauseGate() }
    this.running.set(name, rc)
    await this.producer.send({ topic: this.topics.configs, partition: 0, key: `connector-${name}`, value: JSON.stringify({ properties: props }) })
    await this.status.putConnector(name, 'RUNNING', null, connector.kind)
    await this.status.trimTasks(name, taskConfigs.length)
    try {
      for (let id = 0; id < taskConfigs.length; id++) {
        const rt: TaskRuntime = {
          connector: name, taskId: id, config: parsed, client: this.client, keyConverter: keyConv(), valueConverter: valueConv(),
          chain: buildChain(props, name), status: this.status, gate: rc.gate, signal: abort.signal,
          onProgress: this.config.onProgress ?? (() => {}), log: this.log,
        }
        const wt = connector.kind === 'source'
          ? new WorkerSourceTask(rt, connector.createTask(), taskConfigs[id]!, this.offsets)
          : new WorkerSinkTask(rt, connector.createTask(), taskConfigs[id]!)
        rc.tasks.push(wt)
        await wt.start()
      }
    } catch (err) {
      await this.stopConnector(name).catch(() => {})
      await this.status.putConnector(name, 'FAILED', errorMessage(err), connector.kind)
      throw err instanceof ConnectException ? err : new ConnectException(`failed to start: ${errorMessage(err)}`, { connector: name, cause: err })
    }
  }

  private async fail(name: string, err: Error): Promise<void> {
    const rc = this.running.get(name)
    this.log(`${name} FAILED: ${err.message}`)
    await this.stopConnector(name).catch(() => {})
    await this.status.putConnector(name, 'FAILED', err.message, rc?.kind)
  }

  connectors(): string[] {
    return [...this.running.keys()].sort()
  }

  describe(name: string): ConnectorStateInfo | null {
    return this.status.get(name)
  }

  private need(name: string): RunningConnector {
    const rc = this.running.get(name)
    if (rc === undefined) throw new ConnectException('is not running on this worker', { connector: name })
    return rc
  }

  async pause(name: string): Promise<void> {
    const rc = this.need(name)
    rc.gate.pause()
    await this.status.putConnector(name, 'PAUSED', null, rc.kind)
  }

  async resume(name: string): Promise<void> {
    const rc = this.need(name)
    rc.gate.resume()
    await this.status.putConnector(name, 'RUNNING', null, rc.kind)
  }

  /** Stops and starts again; also brings back a connector whose start or tasks failed. */
  async restart(name: string): Promise<void> {
    const props = this.running.get(name)?.props ?? this.configs.get(name)
    if (props === undefined) throw new ConnectException('is not known to this worker', { connector: name })
    this.log(`Restarting connector ${name}`)
    await this.status.putConnector(name, 'RESTARTING', null, this.running.get(name)?.kind)
    await this.stopConnector(name)
    await this.startConnector(props)
  }

  /** Clean stop: each task finishes its batch, flushes and stores its offsets. */
  async stopConnector(name: string): Promise<void> {
    const rc = this.running.get(name)
    if (rc === undefined) return
    this.running.delete(name)
    rc.abort.abort()
    rc.gate.resume()
    await Promise.all(rc.tasks.map((t) => t.stop()))
    await rc.connector.stop().catch(() => {})
    for (let id = 0; id < rc.tasks.length; id++) {
      if (rc.tasks[id]!.failure === null) await this.status.putTask(name, id, 'UNASSIGNED', null)
    }
    if (this.status.get(name)?.connector.state !== 'FAILED') await this.status.putConnector(name, 'UNASSIGNED', null, rc.kind)
  }

  /** Topics the connector's tasks write (source) or read (sink), sorted; empty when it is not running here. */
  activeTopics(name: string): string[] {
    const rc = this.running.get(name)
    if (rc === undefined) return []
    return [...new Set(rc.tasks.flatMap((t) => t.topics()))].sort()
  }

  /**
   * Deletes a connector (Connect's DELETE /connectors/{name}): stops it cleanly, then writes tombstones
   * for its config and target state in connect-configs and its statuses in connect-status, so nothing
   * reading those topics brings it back. Its source offsets stay in connect-offsets, as in Connect.
   */
  async deleteConnector(name: string): Promise<void> {
    await this.stopConnector(name)
    this.configs.delete(name)
    await this.producer.sendBatch([
      { topic: this.topics.configs, partition: 0, key: `connector-${name}`, value: null },
      { topic: this.topics.configs, partition: 0, key: `target-state-${name}`, value: null },
    ])
    await this.status.removeConnector(name)
  }

  /** Resolves when a task of the connector failed (for callers that wait on a run). */
  taskFailures(name: string): Error[] {
    return (this.running.get(name)?.tasks ?? []).map((t) => t.failure).filter((e): e is Error => e !== null)
  }

  async stop(): Promise<void> {
    this.stopped.abort()
    await this.controlLoop
    for (const name of this.connectors()) await this.stopConnector(name)
    await this.controlConsumer?.close().catch(() => {})
    const own = await this.ownRegistry?.catch(() => null)
    await own?.close().catch(() => {})
    await this.producer.close()
  }

  /** The converters' registry: the one given, else Brook's own on this worker's broker (opened once; a failed open is tried again at the next call). */
  private schemaRegistry(): Promise<SchemaRegistryClient> {
    if (this.config.schemaRegistry !== undefined) return Promise.resolve(this.config.schemaRegistry)
    const opening = (this.ownRegistry ??= TopicSchemaRegistry.open(this.client, { log: this.log }))
    return opening.catch((err: unknown) => {
      if (this.ownRegistry === opening) this.ownRegistry = null
      throw new RetriableException(`Brook's schema registry on the worker's broker could not be opened: ${errorMessage(err)}`, { cause: err })
    })
  }

  private async watchControl(): Promise<void> {
    const c = this.client.consumer({ clientId: 'connect-worker-control' })
    const tp = { topic: this.topics.configs, partition: 0 }
    c.assign([tp])
    await c.seekToEnd([tp])
    this.controlConsumer = c
    this.controlLoop = (async () => {
      while (!this.stopped.signal.aborted) {
        let recs
        try {
          recs = await c.poll(200)
        } catch (err) {
          if (this.stopped.signal.aborted) return
          this.log(`connect-configs watch: ${errorMessage(err)}`)
          await sleepUnlessAborted(1000, this.stopped.signal)
          continue
        }
        for (const r of recs) {
          const key = r.key?.toString('utf8') ?? ''
          const apply = async (): Promise<void> => {
            if (key.startsWith('target-state-')) {
              const name = key.slice('target-state-'.length)
              if (!this.running.has(name)) return
              const state = r.value === null ? null : (JSON.parse(r.value.toString('utf8')) as { state?: string }).state
              if (state === 'PAUSED') await this.pause(name)
              else if (state === 'STARTED') await this.resume(name)
            } else if (key.startsWith('restart-connector-')) {
              const name = key.slice('restart-connector-'.length)
              if (this.running.has(name) || this.configs.has(name)) await this.restart(name)
            }
          }
          await apply().catch((err: unknown) => this.log(`control ${key}: ${errorMessage(err)}`))
        }
      }
    })()
  }
}
