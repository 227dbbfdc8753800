// Connector and task status in the compacted connect-status topic, with Kafka Connect's keys
// and states. A failure's reason travels in `trace`.
import type { BrookClient } from '../../core/client/types.js'
import { type InternalTopicWriter, readToEnd } from './internal-topics.js'

export type ConnectState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING' | 'STOPPED'

export interface StatusEntry {
  state: ConnectState
  trace: string | null
  worker_id: string
  generation: number
}

export interface ConnectorStateInfo {
  name: string
  connector: StatusEntry
  tasks: Array<StatusEntry & { id: number }>
  type: 'source' | 'sink' | 'unknown'
}

export class StatusStore {
  private readonly connectors = new Map<string, StatusEntry>()
  private readonly tasks = new Map<string, Map<number, StatusEntry>>()
  private readonly types = new Map<string, 'source' | 'sink'>()
  private writer: InternalTopicWriter | null = null

  constructor(private readonly client: BrookClient, readonly topic: string, readonly workerId: string) {}

  attach(writer: InternalTopicWriter): void {
    this.writer = writer
  }

  async load(): Promise<void> {
    await readToEnd(this.client, this.topic, (r) => {
      if (r.key === null) return
      this.apply(r.key.toString('utf8'), r.value === null ? null : (JSON.parse(r.value.toString('utf8')) as StatusEntry & { type?: 'source' | 'sink' }))
    })
  }

  private apply(key: string, value: (StatusEntry & { type?: 'source' | 'sink' }) | null): void {
    const task = /^status-task-(.*)-(\d+)$/.exec(key)
    if (task !== null) {
      const name = task[1]!
      let m = this.tasks.get(name)
      if (m === undefined) this.tasks.set(name, (m = new Map()))
      if (value === null) m.delete(Number(task[2]))
      else m.set(Number(task[2]), value)
      return
    }
    if (key.startsWith('status-connector-')) {
      const name = key.slice('status-connector-'.length)
      if (value === null) {
        this.connectors.delete(name)
        this.tasks.delete(name)
      } else {
        this.connectors.set(name, value)
        if (value.type !== undefined) this.types.set(name, value.type)
      }
    }
  }

  async putConnector(name: string, state: ConnectState, trace: string | null, type?: 'source' | 'sink'): Promise<void> {
    const value: StatusEntry & { type?: 'source' | 'sink' } = { state, trace, worker_id: this.workerId, generation: 0 }
    if (type !== undefined) value.type = type
    await this.writer!.write([{ key: `status-connector-${name}`, value }])
    this.apply(`status-connector-${name}`, value)
  }

  async putTask(name: string, id: number, state: ConnectState, trace: string | null): Promise<void> {
    const value: StatusEntry = { state, trace, worker_id: this.workerId, generation: 0 }
    await this.writer!.write([{ key: `status-task-${name}-${id}`, value }])
    this.apply(`status-task-${name}-${id}`, value)
  }

  /** Removes the status of tasks at or above `count` (after a reconfiguration with fewer tasks). */
  async trimTasks(name: string, count: number): Promise<void> {
    const m = this.tasks.get(name)
    if (m === undefined) return
    const stale = [...m.keys()].filter((id) => id >= count)
    if (stale.length > 0) await this.writer!.write(stale.map((id) => ({ key: `status-task-${name}-${id}`, value: null })))
    for (const id of stale) m.delete(id)
  }

  /** Tombstones for the connector's status and its tasks' (a deleted connector). */
  async removeConnector(name: string): Promise<void> {
    const keys = [`status-connector-${name}`, ...[...(this.tasks.get(name)?.keys() ?? [])].map((id) => `status-task-${name}-${id}`)]
    await this.writer!.write(keys.map((key) => ({ key, value: null })))
    for (const key of keys) this.apply(key, null)
  }

  names(): string[] {
    return [...this.connectors.keys()].sort()
  }

  get(name: string): ConnectorStateInfo | null {
    const c = this.connectors.get(name)
    if (c === undefined) return null
    const tasks = [...(this.tasks.get(name) ?? new Map<number, StatusEntry>()).entries()].sort((a, b) => a[0] - b[0]).map(([id, e]) => ({ id, ...e }))
    return { name, connector: c, tasks, type: this.types.get(name) ?? 'unknown' }
  }
}
