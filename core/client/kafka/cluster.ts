// What one client instance knows about the cluster: brokers, topic metadata, partition
// leaders, group coordinators, and a pool of connections by node id. Each producer,
// consumer and admin has its own Cluster, so a consumer's long-polling fetch never
// holds up a producer's requests on a shared connection.
import { BrookError } from '../../errors.js'
import { ApiKeys, type ApiKey, type RequestBodies, type ResponseBodies } from '../../protocol/apis/index.js'
import { createMetadataRequest, type MetadataResponse } from '../../protocol/apis/generated/metadata.js'
import { createFindCoordinatorRequest } from '../../protocol/apis/generated/find-coordinator.js'
import { ZERO_UUID } from '../../protocol/primitives/reader.js'
import { Connection, type SendOptions } from './connection.js'
import { kafkaError } from './errors.js'

export interface KafkaClientConfig {
  /** host:port of one or more brokers, as a list or comma-separated. */
  bootstrapServers: string[] | string
  clientId?: string
  /** How long a request may wait for its response; default 30000. */
  requestTimeoutMs?: number
  /** Default 10000. */
  connectTimeoutMs?: number
  /** Wait between retries; default 100. */
  retryBackoffMs?: number
  /** How long retriable failures are retried before giving up; default 30000. */
  retryTimeoutMs?: number
  /** Metadata older than this is refreshed; default 300000. */
  metadataMaxAgeMs?: number
  /** Let the broker create unknown topics that are produced to (allow.auto.create.topics); default true. */
  allowAutoTopicCreation?: boolean
}

export interface NodeAddress {
  nodeId: number
  host: string
  port: number
}

export interface PartitionMetadata {
  partition: number
  leader: number
  leaderEpoch: number
  replicas: number[]
  isr: number[]
  errorCode: number
}

export interface TopicMetadata {
  name: string
  topicId: string
  internal: boolean
  partitions: PartitionMetadata[]
}

/** Errors that mean "ask again in a moment": metadata is catching up. */
const METADATA_RETRY = new Set([5, 3, 6, 9])

export function parseBootstrap(servers: string[] | string): Array<{ host: string; port: number }> {
  const list = (Array.isArray(servers) ? servers : servers.split(',')).map((s) => s.trim()).filter((s) => s.length > 0)
  if (list.length === 0) throw new BrookError('INVALID_CONFIG', 'bootstrapServers is empty', { field: 'bootstrapServers' })
  return list.map((s) => {
    const at = s.lastIndexOf(':')
    const host = at > 0 ? s.slice(0, at).replace(/^\[|\]$/g, '') : s
    const port = at > 0 ? Number(s.slice(at + 1)) : 9092
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new BrookError('INVALID_CONFIG', `bootstrapServers entry '${s}' has no valid port`, { field: 'bootstrapServers' })
    }
    return { host, port }
  })
}

const final = new WeakSet<Error>()

/** Marks an error that Cluster.retry must not retry even though its code is retriable. */
export function noRetry<E extends Error>(err: E): E {
  final.add(err)
  return err
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export class Cluster {
  readonly clientId: string
  readonly requestTimeoutMs: number
  readonly retryBackoffMs: number
  readonly retryTimeoutMs: number
  readonly allowAutoTopicCreation: boolean
  private readonly connectTimeoutMs: number
  private readonly metadataMaxAgeMs: number
  private readonly bootstrap: Array<{ host: string; port: number }>
  private readonly brokers = new Map<number, NodeAddress>()
  private readonly topics = new Map<string, TopicMetadata>()
  private readonly topicNamesById = new Map<string, string>()
  private readonly pool = new Map<number, Promise<Connection>>()
  private readonly dedicated = new Set<Connection>()
  private bootstrapConn: Promise<Connection> | null = null
  private lastRefresh = 0
  private controllerId = -1
  private closed = false

  constructor(config: KafkaClientConfig) {
    this.bootstrap = parseBootstrap(config.bootstrapServers)
    this.clientId = config.clientId ?? 'brook'
    this.requestTimeoutMs = config.requestTimeoutMs ?? 30_000
    this.connectTimeoutMs = config.connectTimeoutMs ?? 10_000
    this.retryBackoffMs = config.retryBackoffMs ?? 100
    this.retryTimeoutMs = config.retryTimeoutMs ?? 30_000
    this.metadataMaxAgeMs = config.metadataMaxAgeMs ?? 300_000
    this.allowAutoTopicCreation = config.allowAutoTopicCreation ?? true
  }

  // ---- connections ----

  private open(host: string, port: number, maxInFlight = 5): Promise<Connection> {
    if (this.closed) return Promise.reject(new BrookError('CLOSED', 'The client is closed'))
    return Connection.open({
      host,
      port,
      clientId: this.clientId,
      requestTimeoutMs: this.requestTimeoutMs,
      connectTimeoutMs: this.connectTimeoutMs,
      maxInFlight,
    })
  }

  /** The pooled connection to a broker, reconnecting if the last one broke. */
  connection(nodeId: number): Promise<Connection> {
    const existing = this.pool.get(nodeId)
    if (existing) return existing
    const node = this.brokers.get(nodeId)
    if (!node) return Promise.reject(new BrookError('LEADER_NOT_AVAILABLE', `Broker ${nodeId} is not in the cluster metadata`))
    const p = this.open(node.host, node.port)
    this.pool.set(nodeId, p)
    p.then(
      (c) => c.onClose(() => this.pool.get(nodeId) === p && this.pool.delete(nodeId)),
      () => this.pool.get(nodeId) === p && this.pool.delete(nodeId),
    )
    return p
  }

  /** A connection not in the pool, e.g. for a group coordinator whose JoinGroup long-polls. */
  async dedicatedConnection(node: NodeAddress): Promise<Connection> {
    const c = await this.open(node.host, node.port)
    this.dedicated.add(c)
    c.onClose(() => this.dedicated.delete(c))
    return c
  }

  /** Any live connection: a pooled one, else a bootstrap server. */
  async anyConnection(): Promise<Connection> {
    for (const p of this.pool.values()) {
      const c = await p.catch(() => null)
      if (c && !c.closed) return c
    }
    if (this.bootstrapConn) {
      const c = await this.bootstrapConn.catch(() => null)
      if (c && !c.closed) return c
    }
    let last: unknown = null
    for (const b of [...this.bootstrap, ...this.brokers.values()]) {
      try {
        const p = this.open(b.host, b.port)
        this.bootstrapConn = p
        return await p
      } catch (err) {
        last = err
      }
    }
    throw last instanceof Error ? last : new BrookError('NETWORK_EXCEPTION', 'No broker is reachable')
  }

  /** Sends to a node, or to any broker when nodeId is undefined. */
  async send<K extends ApiKey>(nodeId: number | undefined, apiKey: K, body: RequestBodies[K], options?: SendOptions): Promise<ResponseBodies[K]> {
    const conn = nodeId === undefined ? await this.anyConnection() : await this.connection(nodeId)
    return conn.send(apiKey, body, options)
  }

  /** Runs fn again after backoff while it fails retriably (network, leader moves), up to retryTimeoutMs. */
  async retry<T>(fn: (attempt: number) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.retryTimeoutMs
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(attempt)
      } catch (err) {
        if (this.closed || !(err instanceof BrookError) || !err.retriable || final.has(err) || Date.now() + this.retryBackoffMs > deadline) {
          throw err
        }
        if (err.code === 'NOT_LEADER_OR_FOLLOWER' || err.code === 'LEADER_NOT_AVAILABLE' || err.code === 'UNKNOWN_TOPIC_OR_PARTITION') {
          this.invalidate()
        }
        await sleep(this.retryBackoffMs)
      }
    }
  }

  // ---- metadata ----

  get controller(): number | undefined {
    return this.controllerId >= 0 && this.brokers.has(this.controllerId) ? this.controllerId : undefined
  }

  nodes(): NodeAddress[] {
    return [...this.brokers.values()]
  }

  /** Forgets cached topic metadata so the next lookup asks the cluster. */
  invalidate(topic?: string): void {
    if (topic === undefined) this.lastRefresh = 0
    else this.topics.delete(topic)
  }

  topicName(topicId: string): string | undefined {
    return this.topicNamesById.get(topicId)
  }

  /** Metadata for the given topics (null: all topics); updates brokers and the cache. */
  async metadata(topics: string[] | null, allowAutoTopicCreation = false): Promise<MetadataResponse> {
    const conn = await this.anyConnection()
    const v = conn.versionFor(ApiKeys.Metadata)
    const req = createMetadataRequest()
    req.topics = topics === null ? (v >= 1 ? null : []) : topics.map((name) => ({ topicId: ZERO_UUID, name }))
    if (v >= 4) req.allowAutoTopicCreation = allowAutoTopicCreation
    const res = await conn.send(ApiKeys.Metadata, req)
    this.absorb(res, topics === null)
    return res
  }

  private absorb(res: MetadataResponse, all: boolean): void {
    if (res.brokers.length > 0) {
      for (const id of [...this.brokers.keys()]) if (!res.brokers.some((b) => b.nodeId === id)) this.brokers.delete(id)
      for (const b of res.brokers) {
        const old = this.brokers.get(b.nodeId)
        if (old && (old.host !== b.host || old.port !== b.port)) {
          void this.pool.get(b.nodeId)?.then((c) => c.close(), () => undefined)
          this.pool.delete(b.nodeId)
        }
        this.brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port })
      }
    }
    this.controllerId = res.controllerId
    if (all) this.topics.clear()
    for (const t of res.topics) {
      if (t.name === null) continue
      if (t.errorCode !== 0 || t.partitions.length === 0) {
        this.topics.delete(t.name)
        continue
      }
      const partitions = t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          errorCode: p.errorCode,
        }))
        .sort((a, b) => a.partition - b.partition)
      this.topics.set(t.name, { name: t.name, topicId: t.topicId, internal: t.isInternal, partitions })
      if (t.topicId !== ZERO_UUID) this.topicNamesById.set(t.topicId, t.name)
    }
    this.lastRefresh = Date.now()
  }

  /** Cached metadata of a topic, or undefined when not known (or too old). */
  cached(topic: string): TopicMetadata | undefined {
    if (Date.now() - this.lastRefresh > this.metadataMaxAgeMs) return undefined
    return this.topics.get(topic)
  }

  /**
   * Metadata of a topic with a leader for every partition, asking the cluster when it is
   * not cached; with autoCreate the broker may create it. Unknown topics throw
   * UNKNOWN_TOPIC_OR_PARTITION.
   */
  async topic(name: string, options: { autoCreate?: boolean; refresh?: boolean } = {}): Promise<TopicMetadata> {
    const cached = options.refresh ? undefined : this.cached(name)
    if (cached) return cached
    const autoCreate = options.autoCreate ?? false
    return this.retry(async () => {
      const res = await this.metadata([name], autoCreate && this.allowAutoTopicCreation)
      const t = res.topics.find((x) => x.name === name)
      if (!t) throw new BrookError('UNKNOWN_TOPIC_OR_PARTITION', `Unknown topic '${name}'`, { field: 'topic' })
      if (t.errorCode !== 0) {
        if (t.errorCode === 3 && !(autoCreate && this.allowAutoTopicCreation)) {
          // Not retried: the topic does not exist and nobody will create it.
          throw noRetry(new BrookError('UNKNOWN_TOPIC_OR_PARTITION', `Unknown topic '${name}'`, { field: 'topic' }))
        }
        throw kafkaError(t.errorCode, `Metadata for topic '${name}'`, null, 'topic')
      }
      const meta = this.topics.get(name)
      if (!meta) throw new BrookError('LEADER_NOT_AVAILABLE', `Topic '${name}' has no partitions yet`)
      const leaderless = meta.partitions.find((p) => p.leader < 0 || METADATA_RETRY.has(p.errorCode))
      if (leaderless) throw new BrookError('LEADER_NOT_AVAILABLE', `Partition ${name}-${leaderless.partition} has no leader yet`)
      return meta
    })
  }

  /** Partition count, or 0 when the topic does not exist. */
  async partitionCount(name: string): Promise<number> {
    try {
      return (await this.topic(name)).partitions.length
    } catch (err) {
      if (err instanceof BrookError && err.code === 'UNKNOWN_TOPIC_OR_PARTITION') return 0
      throw err
    }
  }

  /** All topic names (internal ones when asked). */
  async topicNames(includeInternal = false): Promise<string[]> {
    const res = await this.retry(() => this.metadata(null))
    return res.topics
      .filter((t) => t.name !== null && t.errorCode === 0 && (includeInternal || !t.isInternal))
      .map((t) => t.name!)
      .sort()
  }

  async leaderFor(topic: string, partition: number): Promise<number> {
    let meta = await this.topic(topic)
    let p = meta.partitions[partition]
    if (!p) {
      meta = await this.topic(topic, { refresh: true })
      p = meta.partitions[partition]
    }
    if (!p || p.partition !== partition) {
      throw noRetry(new BrookError('UNKNOWN_TOPIC_OR_PARTITION', `Unknown partition ${topic}-${partition} (${meta.partitions.length} partitions)`, { field: 'partition' }))
    }
    return p.leader
  }

  /** The coordinator of a group (keyType 0) or transactional id (1). */
  async findCoordinator(key: string, keyType = 0): Promise<NodeAddress> {
    return this.retry(async () => {
      const conn = await this.anyConnection()
      const v = conn.versionFor(ApiKeys.FindCoordinator)
      const req = createFindCoordinatorRequest()
      req.keyType = keyType
      if (v >= 4) req.coordinatorKeys = [key]
      else req.key = key
      const res = await conn.send(ApiKeys.FindCoordinator, req)
      const c =
        v >= 4
          ? res.coordinators.find((x) => x.key === key) ?? res.coordinators[0]
          : { nodeId: res.nodeId, host: res.host, port: res.port, errorCode: res.errorCode, errorMessage: res.errorMessage }
      if (!c) throw new BrookError('COORDINATOR_NOT_AVAILABLE', `No coordinator for '${key}' in the FindCoordinator answer`)
      if (c.errorCode !== 0) throw kafkaError(c.errorCode, `FindCoordinator for '${key}'`, c.errorMessage)
      const node = { nodeId: c.nodeId, host: c.host, port: c.port }
      if (!this.brokers.has(node.nodeId)) this.brokers.set(node.nodeId, node)
      return node
    })
  }

  async close(): Promise<void> {
    this.closed = true
    const conns = [...this.pool.values(), ...(this.bootstrapConn ? [this.bootstrapConn] : [])]
    this.pool.clear()
    this.bootstrapConn = null
    for (const p of conns) {
      const c = await p.catch(() => null)
      c?.close()
    }
    for (const c of [...this.dedicated]) c.close()
  }
}
