// In-process admin: topics, configs, offsets and groups straight from the broker.
import type { Broker } from '../../broker/broker.js'
import { logConfigDefs, logConfigToStrings } from '../../log/log-config.js'
import { decodeAssignment } from '../../group/consumer-protocol.js'
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
import { BrookError } from '../../errors.js'

export class EmbeddedAdmin implements Admin {
  constructor(private readonly broker: Broker) {}

  async createTopics(topics: NewTopic[]): Promise<void> {
    // Validate all first so a bad entry creates nothing.
    for (const t of topics) await this.broker.createTopic(t.topic, { ...this.topicOptions(t), validateOnly: true })
    for (const t of topics) await this.broker.createTopic(t.topic, this.topicOptions(t))
  }

  private topicOptions(t: NewTopic): { numPartitions?: number; configs?: Record<string, string> } {
    if (t.replicationFactor !== undefined && t.replicationFactor !== -1 && t.replicationFactor !== 1) {
      throw new BrookError('INVALID_CONFIG', `replication factor ${t.replicationFactor} is larger than the 1 broker available`, {
        field: 'replicationFactor',
      })
    }
    return {
      ...(t.numPartitions !== undefined ? { numPartitions: t.numPartitions } : {}),
      ...(t.configs !== undefined ? { configs: t.configs } : {}),
    }
  }

  async deleteTopics(topics: string[]): Promise<void> {
    for (const t of topics) await this.broker.deleteTopic(t)
  }

  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    return this.broker.listTopics(options.includeInternal ?? false)
  }

  async describeTopics(topics: string[]): Promise<TopicDescription[]> {
    const node = this.broker.config.nodeId
    return topics.map((name) => {
      const t = this.broker.describeTopic(name)
      return {
        topic: t.name,
        internal: t.internal,
        partitions: Array.from({ length: t.partitions }, (_, partition) => ({ partition, leader: node, replicas: [node], isr: [node] })),
      }
    })
  }

  async createPartitions(topic: string, totalCount: number): Promise<void> {
    await this.broker.createPartitions(topic, totalCount)
  }

  async describeConfigs(topic: string): Promise<ConfigEntry[]> {
    const { effective, overrides } = this.broker.topicConfigs(topic)
    const values = logConfigToStrings(effective)
    return logConfigDefs
      .map((def) => ({ name: def.name, value: values[def.name] ?? null, isDefault: overrides[def.name] === undefined }))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
  }

  async incrementalAlterConfigs(topic: string, ops: AlterConfigOp[]): Promise<void> {
    await this.broker.alterTopicConfigs(topic, ops)
  }

  async listOffsets(query: Array<TopicPartition & { spec: OffsetSpec }>): Promise<Array<TopicPartition & { offset: number; timestamp: number }>> {
    return query.map((q) => ({ topic: q.topic, partition: q.partition, ...this.broker.listOffset(q.topic, q.partition, q.spec) }))
  }

  async deleteRecords(partitions: TopicPartitionOffset[]): Promise<Array<TopicPartition & { lowWatermark: number }>> {
    return partitions.map((p) => ({ topic: p.topic, partition: p.partition, lowWatermark: this.broker.deleteRecords(p.topic, p.partition, p.offset) }))
  }

  async listGroups(): Promise<GroupListing[]> {
    const res = await this.broker.coordinator.listGroups()
    return res.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, state: g.state as GroupState }))
  }

  async describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    const res = await this.broker.coordinator.describeGroups(groupIds)
    return res.map((g) => ({
      groupId: g.groupId,
      state: g.state as GroupState,
      protocolType: g.protocolType,
      protocol: g.protocol,
      generationId: g.generationId,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignment: g.protocolType === 'consumer' && m.assignment.length > 0 ? safeAssignment(m.assignment) : [],
      })),
    }))
  }

  async deleteGroups(groupIds: string[]): Promise<void> {
    const res = await this.broker.coordinator.deleteGroups(groupIds)
    const failed = res.find((r) => r.errorCode !== 0)
    if (failed) {
      const code = failed.errorCode === 68 ? 'NON_EMPTY_GROUP' : failed.errorCode === 69 ? 'GROUP_ID_NOT_FOUND' : 'ILLEGAL_STATE'
      throw new BrookError(code, `Cannot delete group '${failed.groupId}': ${code === 'NON_EMPTY_GROUP' ? 'it still has members' : code === 'GROUP_ID_NOT_FOUND' ? 'no such group' : `error ${failed.errorCode}`}`)
    }
  }

  async listGroupOffsets(groupId: string): Promise<PartitionOffsetInfo[]> {
    const res = await this.broker.coordinator.fetchOffsets({ groupId })
    return res.offsets
      .filter((o) => o.offset >= 0)
      .map((o) => {
        let logEndOffset = -1
        try {
          logEndOffset = this.broker.partition(o.topic, o.partition).highWatermark
        } catch {
          // topic deleted since the commit
        }
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
    const res = await this.broker.coordinator.commitOffsets({
      groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? '' })),
    })
    const failed = res.partitions.find((p) => p.errorCode !== 0)
    if (failed) {
      throw new BrookError(
        failed.errorCode === 25 || failed.errorCode === 22 ? 'NON_EMPTY_GROUP' : 'ILLEGAL_STATE',
        `Cannot alter offsets of group '${groupId}' (${failed.topic}-${failed.partition}): Kafka error ${failed.errorCode}; stop its members first`,
      )
    }
  }

  async close(): Promise<void> {}
}

function safeAssignment(bytes: Buffer): TopicPartition[] {
  try {
    const a = decodeAssignment(bytes)
    return a.assignedPartitions
  } catch {
    return []
  }
}
