// Metadata: this one node leads every partition. Unknown topics are created here when
// the client allows it and auto.create.topics.enable is on, as Kafka does.
import { BrookError } from '../../errors.js'
import type { TopicMetadata } from '../../broker/metadata-store.js'
import { ApiKeys } from '../../protocol/apis/index.js'
import {
  createMetadataResponse,
  createMetadataResponseTopic,
  type MetadataResponsePartition,
  type MetadataResponseTopic,
} from '../../protocol/apis/generated/metadata.js'
import { Slicer } from '../../broker/yielding.js'
import { defineHandler, type RequestContext } from '../context.js'
import { ErrorCode, kafkaCodeOf } from '../error-codes.js'
import { topicById, toWireUuid, ZERO_UUID } from '../topic-ids.js'
import { authorizedOperations } from '../authorized-operations.js'

export const metadataHandler = defineHandler({
  apiKey: ApiKeys.Metadata,
  minVersion: 0,
  maxVersion: 12,
  async handle(request, ctx) {
    const { broker, server } = ctx
    const nodeId = broker.config.nodeId
    // v0 has no null: an empty list means every topic.
    const all = request.topics === null || (ctx.apiVersion === 0 && request.topics.length === 0)
    const topics: MetadataResponseTopic[] = []
    // Partition entries are built in slices that yield, so a broker with many partitions keeps serving others.
    const slicer = new Slicer()
    if (all) {
      for (const name of broker.listTopics(true)) {
        topics.push(describe(broker.describeTopic(name), nodeId))
        if (slicer.due) await slicer.yield()
      }
    } else {
      const autoCreate = request.allowAutoTopicCreation && broker.config.autoCreateTopicsEnable
      for (const t of request.topics ?? []) {
        topics.push(await lookup(t.name, t.topicId, autoCreate, ctx))
        if (slicer.due) await slicer.yield()
      }
    }
    // v8+: asked-for authorized operations are all allowed (no authorizer), as Kafka answers.
    const topicOps = authorizedOperations('topic', ctx.apiVersion >= 8 && request.includeTopicAuthorizedOperations)
    for (const t of topics) if (t.errorCode === 0) t.topicAuthorizedOperations = topicOps
    return {
      ...createMetadataResponse(),
      brokers: [{ nodeId, host: server.advertisedHost, port: server.advertisedPort, rack: null }],
      clusterId: server.clusterId,
      controllerId: nodeId,
      topics,
      // The cluster field exists in v8-10 only.
      clusterAuthorizedOperations: authorizedOperations('cluster', ctx.apiVersion >= 8 && ctx.apiVersion <= 10 && request.includeClusterAuthorizedOperations),
    }
  },
})

async function lookup(name: string | null, topicId: string, autoCreate: boolean, ctx: RequestContext): Promise<MetadataResponseTopic> {
  const { broker } = ctx
  const nodeId = broker.config.nodeId
  if (name === null) {
    const topic = topicById(broker, topicId)
    if (topic) return describe(topic, nodeId)
    return { ...createMetadataResponseTopic(), errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId }
  }
  try {
    const topic = broker.hasTopic(name) || !autoCreate ? broker.describeTopic(name) : await broker.ensureTopic(name)
    return describe(topic, nodeId)
  } catch (err) {
    const errorCode = err instanceof BrookError && err.code === 'INVALID_TOPIC' ? ErrorCode.INVALID_TOPIC_EXCEPTION : kafkaCodeOf(err)
    return { ...createMetadataResponseTopic(), errorCode, name, topicId: ZERO_UUID }
  }
}

function describe(topic: TopicMetadata, nodeId: number): MetadataResponseTopic {
  const partitions: MetadataResponsePartition[] = new Array<MetadataResponsePartition>(topic.partitions)
  // One node: every partition shares the same replica lists (the encoder only reads them).
  const replicas = [nodeId]
  const none: number[] = []
  for (let p = 0; p < topic.partitions; p++) {
    partitions[p] = { errorCode: 0, partitionIndex: p, leaderId: nodeId, leaderEpoch: 0, replicaNodes: replicas, isrNodes: replicas, offlineReplicas: none }
  }
  return { ...createMetadataResponseTopic(), name: topic.name, topicId: toWireUuid(topic.topicId), isInternal: topic.internal, partitions }
}
