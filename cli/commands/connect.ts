// brook connect: run connectors standalone (like connect-standalone) and inspect or steer
// them through the worker's internal topics (connect-status, connect-offsets, connect-configs).
import type { Command, Option } from 'commander'
import type { BrookClient } from '../../core/client/types.js'
import { readConnectorConfig, Worker, type ProgressEvent, type WorkerConfig } from '../../connectors/index.js'
import { ensureCompactedTopics, defaultTopics } from '../../connectors/runtime/internal-topics.js'
import { OffsetStore } from '../../connectors/runtime/offset-store.js'
import { StatusStore } from '../../connectors/runtime/status-store.js'
import { ConnectException } from '../../connectors/errors.js'
import { openConnectListener, withConnectClient } from '../connect-listener.js'
import { withClient, type ConnectionOptions } from '../context.js'

export interface RunOptions {
  /** Resolves when the run should stop (SIGINT/SIGTERM in the CLI). */
  until: Promise<void>
  out?: (line: string) => void
  progress?: (e: ProgressEvent) => void
  /** On the embedded default: the data directory, where a loopback listener is recorded for the other connect commands. */
  dataDir?: string
}

/** Starts every config (all validated before any starts) and runs until `until`; a clean stop flushes. */
export async function runConnectors(client: BrookClient, files: string[], opts: RunOptions): Promise<void> {
  const out = opts.out ?? ((l: string) => process.stderr.write(`${l}\n`))
  const configs = files.map((f) => readConnectorConfig(f))
  const workerConfig: WorkerConfig = { log: out }
  if (opts.progress !== undefined) workerConfig.onProgress = opts.progress
  const worker = await Worker.start(client, workerConfig)
  const listener = opts.dataDir === undefined ? null : await openConnectListener(client, opts.dataDir)
  try {
    for (const props of configs) {
      await worker.startConnector(props)
      const s = worker.describe(props.name!)
      out(`Connector ${props.name} ${s?.connector.state ?? 'RUNNING'} with ${s?.tasks.length ?? 0} task(s)`)
    }
  } catch (err) {
    await listener?.close()
    await worker.stop()
    throw err
  }
  await opts.until
  await listener?.close()
  await worker.stop()
  out('Stopped all connectors (offsets flushed)')
}

async function loadStatus(client: BrookClient): Promise<StatusStore> {
  const s = new StatusStore(client, defaultTopics.status, 'cli')
  await s.load().catch(() => {})
  return s
}

export async function listConnectors(client: BrookClient): Promise<string> {
  const s = await loadStatus(client)
  return s.names().map((n) => `${n}\t${s.get(n)!.type}\t${s.get(n)!.connector.state}`).join('\n')
}

export async function connectorStatus(client: BrookClient, name: string): Promise<string> {
  const s = (await loadStatus(client)).get(name)
  if (s === null) throw new ConnectException('no status recorded (never run on this cluster?)', { connector: name })
  const lines = [`Connector: ${name}\tType: ${s.type}\tState: ${s.connector.state}\tWorker: ${s.connector.worker_id}${s.connector.trace ? `\tTrace: ${s.connector.trace}` : ''}`]
  for (const t of s.tasks) lines.push(`Task ${t.id}\t${t.state}\t${t.worker_id}${t.trace ? `\t${t.trace}` : ''}`)
  return lines.join('\n')
}

export async function connectorOffsets(client: BrookClient, name: string): Promise<string> {
  const status = (await loadStatus(client)).get(name)
  if (status?.type === 'sink') {
    const offs = await client.admin().listGroupOffsets(`connect-${name}`)
    return ['TOPIC\tPARTITION\tCOMMITTED-OFFSET\tLOG-END-OFFSET\tLAG', ...offs.map((o) => `${o.topic}\t${o.partition}\t${o.committedOffset ?? '-'}\t${o.logEndOffset}\t${o.lag ?? '-'}`)].join('\n')
  }
  const store = new OffsetStore(client, defaultTopics.offsets)
  await store.load().catch(() => {})
  const entries = store.forConnector(name)
  if (entries.length === 0 && status === null) throw new ConnectException('no offsets or status recorded', { connector: name })
  return entries.map((e) => `${JSON.stringify(e.partition)}\t${JSON.stringify(e.offset)}`).join('\n')
}

/** Writes a target state or restart request to connect-configs; the running worker applies it. */
export async function requestControl(client: BrookClient, name: string, action: 'pause' | 'resume' | 'restart'): Promise<string> {
  const status = (await loadStatus(client)).get(name)
  if (status === null) throw new ConnectException('is not known (no status recorded)', { connector: name })
  const admin = client.admin()
  try {
    await ensureCompactedTopics(admin, [defaultTopics.configs])
  } finally {
    await admin.close()
  }
  const producer = client.producer({ acks: 'all' })
  try {
    const rec = action === 'restart'
      ? { key: `restart-connector-${name}`, value: JSON.stringify({ 'include-tasks': true, 'only-failed': false }) }
      : { key: `target-state-${name}`, value: JSON.stringify({ state: action === 'pause' ? 'PAUSED' : 'STARTED' }) }
    await producer.send({ topic: defaultTopics.configs, partition: 0, ...rec })
  } finally {
    await producer.close()
  }
  return `Requested ${action} of ${name} (state now ${status.connector.state}; the worker running it applies the request)`
}

/** A one-line progress bar on a terminal, redrawn in place. */
export function progressBar(write: (s: string) => void, width = 30): (e: ProgressEvent) => void {
  let lastDraw = 0
  return (e) => {
    const now = Date.now()
    if (!e.finished && now - lastDraw < 100) return
    lastDraw = now
    const frac = e.total ? Math.min(1, e.done / e.total) : 0
    const bar = e.total ? '█'.repeat(Math.round(frac * width)).padEnd(width, '░') : ''
    const count = e.total ? `${e.done}/${e.total} rows ${(frac * 100).toFixed(0)}%` : `${e.done} rows`
    write(`\r${e.label} ${bar} ${count}${e.finished ? '\n' : ''}`)
  }
}

export function connectCommands(program: Command, dataDir: () => Option): void {
  const connect = program.command('connect').description('run source and sink connectors (Kafka Connect standalone style)')
  const conn = (c: Command): Command => c.addOption(dataDir()).option('--bootstrap <host:port>', 'a running broker instead of the data directory (without it, a `connect run` holding the data directory is reached through its loopback listener)')
  conn(connect.command('run <config...>').description('run connectors from .properties or .json configs until interrupted')).action(
    async (files: string[], o: ConnectionOptions) => {
      const until = new Promise<void>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      const opts: RunOptions = { until }
      if (o.bootstrap === undefined) opts.dataDir = o.dataDir
      if (process.stderr.isTTY) opts.progress = progressBar((s) => process.stderr.write(s))
      await withClient(o, (client) => runConnectors(client, files, opts))
    },
  )
  conn(connect.command('list').description('connectors with their type and state')).action(async (o: ConnectionOptions) => {
    const s = await withConnectClient(o, listConnectors)
    if (s) process.stdout.write(s + '\n')
  })
  conn(connect.command('status <name>').description('connector and task states, with the failure reason')).action(async (name: string, o: ConnectionOptions) => {
    process.stdout.write((await withConnectClient(o, (c) => connectorStatus(c, name))) + '\n')
  })
  conn(connect.command('offsets <name>').description('stored source offsets, or a sink\'s committed offsets and lag')).action(async (name: string, o: ConnectionOptions) => {
    const s = await withConnectClient(o, (c) => connectorOffsets(c, name))
    if (s) process.stdout.write(s + '\n')
  })
  for (const action of ['pause', 'resume', 'restart'] as const) {
    conn(connect.command(`${action} <name>`).description(`${action} a running connector`)).action(async (name: string, o: ConnectionOptions) => {
      process.stdout.write((await withConnectClient(o, (c) => requestControl(c, name, action))) + '\n')
    })
  }
}
