// Admin over the wire: topics, configs, offsets and groups with the Kafka admin apis.
// Per-topic and per-group error codes become BrookErrors carrying the broker's message.
import { BrookError } from '../../errors.js'
import { decodeAssignment } from '../../group/consumer-protocol.js'
import { ApiKeys, type ApiKey, type RequestBodies, type ResponseBodies } from '../../protocol/apis/index.js'
import { ZERO_UUID } from '../../protocol/primitives/reader.js'
import { tpKey } from '../record-utils.js'
import type {
  Admin,
  AlterConfigOp,
  ConfigEntry,
  GroupDescription,
  GroupListing,
  GroupState,
  NewTopic,
  OffsetSpec,
  PartitionOffsetInfo,
  TopicDescription,
  TopicPartition,
  TopicPartitionOffset,
} from '../types.js'
import { sleep, type Cluster } from './cluster.js'
import { kafkaError, KafkaResponseError } from './errors.js'
import { WireGroupCoordinator } from './group-coordinator.js'
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from './offsets.js'

const TOPIC_RESOURCE = 2
/** DescribeConfigs configSource for a value set on the topic itself. */
const DYNAMIC_TOPIC_CONFIG = 1
const NOT_CONTROLLER = 41
const COORDINATOR_MOVED = new Set([14, 15, 16])

export class KafkaAdmin implements Admin {
  private closed = false

  constructor(private readonly cluster: Cluster) {}

  /** Sends to the controller when known (brokers forward otherwise), moving on when it is not the controller. */
  private async toController<K extends ApiKey>(apiKey: K, body: RequestBodies[K], notController: (res: ResponseBodies[K]) => boolean): Promise<ResponseBodies[K]> {
    return this.cluster.retry(async () => {
      const res = await this.cluster.send(this.cluster.controller, apiKey, body)
      if (notController(res)) {
        await this.cluster.metadata([])
        throw new BrookError('NOT_COORDINATOR', 'The broker asked is not the controller')
      }
      return res
    })
  }

  // ---- topics ----

  async createTopics(topics: NewTopic[]): Promise<void> {
    if (topics.length === 0) return
    const conn = await this.cluster.anyConnection()
    const v = conn.versionFor(ApiKeys.CreateTopics)
    const body = (validateOnly: boolean): RequestBodies[19] => ({
      topics: topics.map((t) => ({
        name: t.topic,
        numPartitions: t.numPartitions ?? (v >= 4 ? -1 : 1),
        replicationFactor: t.replicationFactor ?? (v >= 4 ? -1 : 1),
        assignments: [],
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
      timeoutMs: this.cluster.requestTimeoutMs,
      validateOnly,
    })
    const check = (res: ResponseBodies[19]): void => {
      for (const r of res.topics) {
        if (r.errorCode !== 0) throw kafkaError(r.errorCode, `Creating topic '${r.name}'`, r.errorMessage, 'topic')
      }
    }
    const notController = (res: ResponseBodies[19]): boolean => res.topics.some((r) => r.errorCode === NOT_CONTROLLER)
    // Validate all first so a bad entry creates nothing.
    if (v >= 1 && topics.length > 1) check(await this.toController(ApiKeys.CreateTopics, body(true), notController))
    check(await this.toController(ApiKeys.CreateTopics, body(false), notController))
    await this.awaitMetadata(topics.map((t) => t.topic), true)
  }

  /** Metadata catches up with the controller asynchronously in Kafka: wait until it shows the change. */
  private async awaitMetadata(topics: string[], exist: boolean): Promise<void> {
    const deadline = Date.now() + this.cluster.retryTimeoutMs
    for (;;) {
      const res = await this.cluster.metadata(topics)
      const done = topics.every((name) => {
        const t = res.topics.find((x) => x.name === name)
        const present = t !== undefined && t.errorCode === 0 && t.partitions.length > 0 && t.partitions.every((p) => p.leaderId >= 0)
        return present === exist
      })
      if (done || Date.now() > deadline) return
      await sleep(this.cluster.retryBackoffMs)
    }
  }

  async deleteTopics(topics: string[]): Promise<void> {
    if (topics.length === 0) return
    const conn = await this.cluster.anyConnection()
    const v = conn.versionFor(ApiKeys.DeleteTopics)
    const res = await this.toController(
      ApiKeys.DeleteTopics,
      {
        topics: v >= 6 ? topics.map((name) => ({ name, topicId: ZERO_UUID })) : [],
        topicNames: v >= 6 ? [] : topics,
        timeoutMs: this.cluster.requestTimeoutMs,
      },
      (r) => r.responses.some((x) => x.errorCode === NOT_CONTROLLER),
    )
    for (const r of res.responses) {
      if (r.errorCode !== 0) throw kafkaError(r.errorCode, `Deleting topic '${r.name ?? r.topicId}'`, r.errorMessage, 'topic')
    }
    for (const t of topics) this.cluster.invalidate(t)
    await this.awaitMetadata(topics, false)
  }

  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    return this.cluster.topicNames(options.includeInternal ?? false)
  }

  async describeTopics(topics: string[]): Promise<TopicDescription[]> {
    if (topics.length === 0) return []
    const res = await this.cluster.retry(() => this.cluster.metadata(topics))
    return topics.map((name) => {
      const t = res.topics.find((x) => x.name === name)
      if (!t) throw new BrookError('UNKNOWN_TOPIC_OR_PARTITION', `Unknown topic '${name}'`, { field: 'topic' })
      if (t.errorCode !== 0) {
        if (t.errorCode === 3) throw new BrookError('UNKNOWN_TOPIC_OR_PARTITION', `Unknown topic '${name}'`, { field: 'topic' })
        throw kafkaError(t.errorCode, `Describing topic '${name}'`, null, 'topic')
      }
      return {
        topic: name,
        internal: t.isInternal,
        partitions: t.partitions
          .map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes }))
          .sort((a, b) => a.partition - b.partition),
      }
    })
  }

  async createPartitions(topic: string, totalCount: number): Promise<void> {
    const res = await this.toController(
      ApiKeys.CreatePartitions,
      { topics: [{ name: topic, count: totalCount, assignments: null }], timeoutMs: this.cluster.requestTimeoutMs, validateOnly: false },
      (r) => r.results.some((x) => x.errorCode === NOT_CONTROLLER),
    )
    for (const r of res.results) {
      if (r.errorCode !== 0) throw kafkaError(r.errorCode, `Growing topic '${r.name}' to ${totalCount} partitions`, r.errorMessage, 'topic')
    }
    this.cluster.invalidate(topic)
    const deadline = Date.now() + this.cluster.retryTimeoutMs
    while ((await this.cluster.topic(topic, { refresh: true })).partitions.length < totalCount && Date.now() < deadline) {
      await sleep(this.cluster.retryBackoffMs)
    }
  }

  // ---- configs ----

  async describeConfigs(topic: string): Promise<ConfigEntry[]> {
    const conn = await this.cluster.anyConnection()
    const v = conn.versionFor(ApiKeys.DescribeConfigs)
    const res = await conn.send(ApiKeys.DescribeConfigs, {
      resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    })
    const r = res.results[0]
    if (!r) throw new BrookError('UNKNOWN_SERVER_ERROR', `DescribeConfigs answered nothing for topic '${topic}'`)
    if (r.errorCode !== 0) throw kafkaError(r.errorCode, `Describing the configs of topic '${topic}'`, r.errorMessage, 'topic')
    return r.configs
      .map((c) => ({ name: c.name, value: c.value, isDefault: v === 0 ? c.isDefault : c.configSource !== DYNAMIC_TOPIC_CONFIG }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  async incrementalAlterConfigs(topic: string, ops: AlterConfigOp[]): Promise<void> {
    const res = await this.cluster.send(undefined, ApiKeys.IncrementalAlterConfigs, {
      resources: [
        {
          resourceType: TOPIC_RESOURCE,
          resourceName: topic,
          configs: ops.map((op) => (op.op === 'set' ? { name: op.name, configOperation: 0, value: op.value } : { name: op.name, configOperation: 1, value: null })),
        },
      ],
      validateOnly: false,
    })
    for (const r of res.responses) {
      if (r.errorCode !== 0) throw kafkaError(r.errorCode, `Altering the configs of topic '${topic}'`, r.errorMessage, 'topic')
    }
  }

  // ---- offsets and records ----

  async listOffsets(query: Array<TopicPartition & { spec: OffsetSpec }>): Promise<Array<TopicPartition & { offset: number; timestamp: number }>> {
    const answers = await listOffsets(
      this.cluster,
      query.map((q) => ({
        topic: q.topic,
        partition: q.partition,
        timestamp: q.spec === 'earliest' ? EARLIEST_TIMESTAMP : q.spec === 'latest' ? LATEST_TIMESTAMP : q.spec.timestamp,
      })),
    )
    return answers.map((a) => ({ topic: a.topic, partition: a.partition, offset: a.offset, timestamp: a.timestamp }))
  }

  async deleteRecords(partitions: TopicPartitionOffset[]): Promise<Array<TopicPartition & { lowWatermark: number }>> {
    const out = new Map<string, number>()
    await this.cluster.retry(async () => {
      const byNode = new Map<number, TopicPartitionOffset[]>()
      for (const p of partitions) {
        if (out.has(tpKey(p.topic, p.partition))) continue
        const leader = await this.cluster.leaderFor(p.topic, p.partition)
        let list = byNode.get(leader)
        if (!list) byNode.set(leader, (list = []))
        list.push(p)
      }
      let retriable: KafkaResponseError | null = null
      for (const [node, list] of byNode) {
        const topics: RequestBodies[21]['topics'] = []
        for (const p of list) {
          let t = topics.find((x) => x.name === p.topic)
          if (!t) topics.push((t = { name: p.topic, partitions: [] }))
          t.partitions.push({ partitionIndex: p.partition, offset: p.offset })
        }
        const res = await this.cluster.send(node, ApiKeys.DeleteRecords, { topics, timeoutMs: this.cluster.requestTimeoutMs })
        for (const t of res.topics) {
          for (const p of t.partitions) {
            if (p.errorCode === 0) {
              out.set(tpKey(t.name, p.partitionIndex), p.lowWatermark)
              continue
            }
            const err = kafkaError(p.errorCode, `Deleting records of ${t.name}-${p.partitionIndex}`, null, 'partition')
            if (!err.retriable) throw err
            this.cluster.invalidate(t.name)
            retriable = err
          }
        }
      }
      if (retriable) throw retriable
    })
    return partitions.map((p) => ({ topic: p.topic, partition: p.partition, lowWatermark: out.get(tpKey(p.topic, p.partition)) ?? -1 }))
  }

  // ---- groups ----

  /** A request to a group's coordinator, finding it again while it moves. */
  private async toCoordinator<K extends ApiKey>(groupId: string, apiKey: K, body: RequestBodies[K], errorOf: (res: ResponseBodies[K]) => number): Promise<ResponseBodies[K]> {
    return this.cluster.retry(async () => {
      const node = await this.cluster.findCoordinator(groupId)
      const res = await this.cluster.send(node.nodeId, apiKey, body)
      const code = errorOf(res)
      if (COORDINATOR_MOVED.has(code)) throw kafkaError(code, `Request for group '${groupId}'`)
      return res
    })
  }

  async listGroups(): Promise<GroupListing[]> {
    if (this.cluster.nodes().length === 0) await this.cluster.retry(() => this.cluster.metadata([]))
    const seen = new Map<string, GroupListing>()
    for (const node of this.cluster.nodes()) {
      const res = await this.cluster.retry(async () => {
        const r = await this.cluster.send(node.nodeId, ApiKeys.ListGroups, { statesFilter: [], typesFilter: [] })
        if (r.errorCode !== 0) throw kafkaError(r.errorCode, `ListGroups on broker ${node.nodeId}`)
        return r
      })
      for (const g of res.groups) {
        seen.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: (g.groupState || 'Stable') as GroupState })
      }
    }
    return [...seen.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0))
  }

  async describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    const out: GroupDescription[] = []
    for (const groupId of groupIds) {
      const res = await this.toCoordinator(groupId, ApiKeys.DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false }, (r) => r.groups[0]?.errorCode ?? 0)
      const g = res.groups[0]
      if (!g) throw new BrookError('UNKNOWN_SERVER_ERROR', `DescribeGroups answered nothing for group '${groupId}'`)
      if (g.errorCode !== 0) throw kafkaError(g.errorCode, `Describing group '${groupId}'`)
      out.push({
        groupId: g.groupId,
        state: g.groupState as GroupState,
        protocolType: g.protocolType,
        protocol: g.protocolData,
        generationId: -1,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          assignment: g.protocolType === 'consumer' && m.memberAssignment.length > 0 ? safeAssignment(m.memberAssignment) : [],
        })),
      })
    }
    return out
  }

  async deleteGroups(groupIds: string[]): Promise<void> {
    for (const groupId of groupIds) {
      const res = await this.toCoordinator(groupId, ApiKeys.DeleteGroups, { groupsNames: [groupId] }, (r) => r.results[0]?.errorCode ?? 0)
      const r = res.results[0]
      if (r && r.errorCode !== 0) {
        const why = r.errorCode === 68 ? 'it still has members' : r.errorCode === 69 ? 'no such group' : ''
        throw kafkaError(r.errorCode, `Deleting group '${groupId}'`, why)
      }
    }
  }

  async listGroupOffsets(groupId: string): Promise<PartitionOffsetInfo[]> {
    const coordinator = new WireGroupCoordinator(this.cluster, groupId)
    let committed
    try {
      const res = await coordinator.fetchOffsets({ groupId, partitions: null })
      if (res.errorCode !== 0) throw kafkaError(res.errorCode, `Fetching the offsets of group '${groupId}'`)
      committed = res.offsets.filter((o) => o.offset >= 0)
    } finally {
      coordinator.close()
    }
    const ends = new Map<string, number>()
    // Topics deleted since the commit have no end offset.
    await Promise.all(
      [...new Set(committed.map((o) => o.topic))].map(async (topic) => {
        const parts = committed.filter((o) => o.topic === topic)
        try {
          const answers = await listOffsets(this.cluster, parts.map((o) => ({ topic, partition: o.partition, timestamp: LATEST_TIMESTAMP })))
          for (const a of answers) ends.set(tpKey(a.topic, a.partition), a.offset)
        } catch {
          // leave out
        }
      }),
    )
    return committed
      .map((o) => {
        const logEndOffset = ends.get(tpKey(o.topic, o.partition)) ?? -1
        return {
          topic: o.topic,
          partition: o.partition,
          committedOffset: o.offset,
          logEndOffset,
          lag: logEndOffset >= 0 ? Math.max(0, logEndOffset - o.offset) : null,
          ...(o.metadata ? { metadata: o.metadata } : {}),
        }
      })
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
  }

  async alterGroupOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    const coordinator = new WireGroupCoordinator(this.cluster, groupId)
    try {
      const res = await coordinator.commitOffsets({
        groupId,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? '' })),
      })
      const failed = res.partitions.find((p) => p.errorCode !== 0)
      if (failed) {
        const active = failed.errorCode === 25 || failed.errorCode === 22
        throw new KafkaResponseError(
          active ? 68 : failed.errorCode,
          `Cannot alter offsets of group '${groupId}' (${failed.topic}-${failed.partition}): Kafka error ${failed.errorCode}${active ? '; stop its members first' : ''}`,
        )
      }
    } finally {
      coordinator.close()
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.cluster.close()
  }
}

function safeAssignment(bytes: Buffer): TopicPartition[] {
  try {
    return decodeAssignment(bytes).assignedPartitions
  } catch {
    return []
  }
}
