// Where an application's state lives across its instances (Kafka Streams' interactive-query
// discovery): each instance names its endpoint (application.server), the group's leader sends every
// member the partitions each endpoint got, and any instance can then tell which instance holds a
// key of a store. Brook does not serve queries between instances: as in Kafka, the application does,
// at the endpoint this finds.
import { defaultPartition } from '../../core/client/partitioner.js'
import type { TopicPartition } from '../../core/client/types.js'
import type { StreamPartitioner } from '../internals/topology-builder.js'
import { StreamsException } from '../errors.js'
import type { Serializer } from '../serdes.js'

/** An instance's endpoint, as application.server gives it (Kafka's HostInfo). */
export class HostInfo {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  /** Kafka's HostInfo.unavailable(): no instance is known for it. */
  static unavailable(): HostInfo {
    return UNAVAILABLE
  }

  /** "host:port" ("[v6]:port" for an IPv6 address), as application.server is written. */
  toString(): string {
    return `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`
  }
}

const UNAVAILABLE = new HostInfo('unavailable', -1)

/** What one instance of the application hosts (Kafka's StreamsMetadata); the standby lists: its standby replicas (num.standby.replicas). */
export interface StreamsMetadata {
  readonly hostInfo: HostInfo
  readonly host: string
  readonly port: number
  /** Stores of the tasks the instance runs, and every global store. */
  readonly stateStoreNames: string[]
  /** The source topic partitions assigned to the instance (repartition topics included). */
  readonly topicPartitions: TopicPartition[]
  readonly standbyStateStoreNames: string[]
  readonly standbyTopicPartitions: TopicPartition[]
}

/** The instance that holds a key of a store and the key's partition (Kafka's KeyQueryMetadata). */
export class KeyQueryMetadata {
  /** No assignment has been heard yet (the first rebalance has not ended): ask again later. */
  static readonly NOT_AVAILABLE = new KeyQueryMetadata(UNAVAILABLE, [], -1)

  constructor(
    readonly activeHost: HostInfo,
    readonly standbyHosts: HostInfo[],
    readonly partition: number,
  ) {}
}

/** How far a local replica of a store partition is behind its changelog (Kafka's LagInfo). */
export class LagInfo {
  constructor(
    /** The next changelog offset the local state holds. */
    readonly currentOffsetPosition: number,
    /** The changelog's end offset. */
    readonly endOffsetPosition: number,
  ) {}

  get offsetLag(): number {
    return Math.max(0, this.endOffsetPosition - this.currentOffsetPosition)
  }
}

/**
 * Parses application.server: "host:port", or "[address]:port" for IPv6, the port 0-65535. The
 * error names the key, as Kafka's ConfigException does.
 */
export function parseApplicationServer(value: string): HostInfo {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value)
  const port = m === null ? NaN : Number(m[3])
  if (m === null || port > 65535) {
    throw new StreamsException(`Invalid applicationServer (application.server) '${value}': expected host:port, the port 0-65535`, { field: 'applicationServer' })
  }
  return new HostInfo(m[1] ?? m[2]!, port)
}

/** The stores of the topology and the source topics of each store's tasks: what the metadata is computed from. */
export interface StoreSources {
  /** Store name -> the resolved source topics of the sub-topology that holds it. */
  readonly sourcesOf: ReadonlyMap<string, readonly string[]>
  readonly globalStores: ReadonlySet<string>
}

/**
 * The latest host map an assignment brought, and the answers drawn from it (Kafka's
 * StreamsMetadataState). Unknown until the first assignment; each rebalance replaces it.
 */
export class StreamsMetadataState {
  private byHost: Map<string, { host: HostInfo; partitions: TopicPartition[]; standby: TopicPartition[] }> | null = null

  constructor(
    private readonly stores: StoreSources,
    /** Partition count of a source topic, once known. */
    private readonly partitionCount: (topic: string) => number | undefined,
    /** This instance's endpoint; null without application.server. */
    private readonly local: HostInfo | null,
  ) {}

  /** An assignment arrived: the partitions of every endpoint, this instance's included, and the source partitions of the standby tasks each keeps. */
  update(partitionsByHost: ReadonlyArray<{ host: HostInfo; partitions: TopicPartition[] }>, standbyByHost: ReadonlyArray<{ host: HostInfo; partitions: TopicPartition[] }> = []): void {
    const next = new Map<string, { host: HostInfo; partitions: TopicPartition[]; standby: TopicPartition[] }>()
    const entry = (host: HostInfo): { host: HostInfo; partitions: TopicPartition[]; standby: TopicPartition[] } => {
      const key = host.toString()
      let e = next.get(key)
      if (e === undefined) next.set(key, (e = { host, partitions: [], standby: [] }))
      return e
    }
    for (const { host, partitions } of partitionsByHost) entry(host).partitions.push(...partitions)
    for (const { host, partitions } of standbyByHost) entry(host).standby.push(...partitions)
    this.byHost = next
  }

  /** Every instance with an endpoint, as of the last assignment. */
  all(): StreamsMetadata[] {
    if (this.byHost === null) return []
    return [...this.byHost.values()].map(({ host, partitions, standby }) => this.metadata(host, partitions, standby)).sort((a, b) => a.hostInfo.toString().localeCompare(b.hostInfo.toString()))
  }

  /** The instances that hold some of `storeName` (every one for a global store). */
  forStore(storeName: string): StreamsMetadata[] {
    const all = this.all()
    if (this.stores.globalStores.has(storeName)) return all
    return all.filter((m) => m.stateStoreNames.includes(storeName) || m.standbyStateStoreNames.includes(storeName))
  }

  /**
   * The instance that holds `key` in `storeName`, as Kafka's queryMetadataForKey: the key's partition
   * is the one its source topic's partitioner gives it. NOT_AVAILABLE before the first assignment;
   * null for a store the topology does not have.
   */
  forKey<K>(storeName: string, key: K, how: Serializer<K> | StreamPartitioner): KeyQueryMetadata | null {
    if (this.byHost === null) return KeyQueryMetadata.NOT_AVAILABLE
    if (this.stores.globalStores.has(storeName)) {
      // Every instance holds a global store: this one when it has an endpoint.
      const first = this.all()[0]
      return new KeyQueryMetadata(this.local ?? first?.hostInfo ?? UNAVAILABLE, [], -1)
    }
    const sources = this.stores.sourcesOf.get(storeName)
    if (sources === undefined) return null
    // The source topic with the most partitions decides, as in Kafka (co-partitioned ones agree).
    let topic: string | null = null
    let count = 0
    for (const t of sources) {
      const n = this.partitionCount(t) ?? 0
      if (n > count) {
        topic = t
        count = n
      }
    }
    if (topic === null) return KeyQueryMetadata.NOT_AVAILABLE
    const partition = typeof how === 'function' ? how(topic, key, null, count) : keyPartition(how, topic, key, count)
    if (partition === null || !Number.isInteger(partition) || partition < 0 || partition >= count) {
      throw new StreamsException(`The partitioner gave ${String(partition)} for a key of store '${storeName}'; expected a partition of '${topic}' (0-${count - 1})`)
    }
    let active = UNAVAILABLE
    const standbys: HostInfo[] = []
    const holds = (tps: TopicPartition[]): boolean => tps.some((tp) => tp.partition === partition && sources.includes(tp.topic))
    for (const { host, partitions, standby } of this.byHost.values()) {
      if (holds(partitions)) active = host
      else if (holds(standby)) standbys.push(host)
    }
    return new KeyQueryMetadata(active, standbys, partition)
  }

  private metadata(host: HostInfo, partitions: TopicPartition[], standby: TopicPartition[]): StreamsMetadata {
    const storesOf = (tps: TopicPartition[], out: Set<string>): string[] => {
      for (const [store, sources] of this.stores.sourcesOf) if (tps.some((tp) => sources.includes(tp.topic))) out.add(store)
      return [...out].sort()
    }
    const byTopic = (a: TopicPartition, b: TopicPartition): number => a.topic.localeCompare(b.topic) || a.partition - b.partition
    return {
      hostInfo: host,
      host: host.host,
      port: host.port,
      stateStoreNames: storesOf(partitions, new Set(this.stores.globalStores)),
      topicPartitions: [...partitions].sort(byTopic),
      standbyStateStoreNames: storesOf(standby, new Set()),
      standbyTopicPartitions: [...standby].sort(byTopic),
    }
  }
}

/** The default partitioning of a key: murmur2 of its serialized bytes, as the producer's. */
function keyPartition<K>(serializer: Serializer<K>, topic: string, key: K, count: number): number {
  const bytes = serializer.serialize(topic, key)
  if (bytes === null) throw new StreamsException(`A key of null bytes has no partition (topic '${topic}')`)
  return defaultPartition(bytes, count)
}
