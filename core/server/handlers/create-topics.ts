// CreateTopics: one node, so replication factor 1 (or -1, the default) and replica
// assignments that name only this node. Per-topic errors carry a message.
import { ApiKeys } from '../../protocol/apis/index.js'
import {
  createCreateTopicsResponseCreatableTopicResult,
  type CreateTopicsRequestCreatableTopic,
  type CreateTopicsResponseCreatableTopicResult,
} from '../../protocol/apis/generated/create-topics.js'
import { ThrottlingQuotaExceededError } from '../../broker/broker.js'
import { defineHandler, type RequestContext } from '../context.js'
import { ErrorCode, errorOf } from '../error-codes.js'
import { toWireUuid } from '../topic-ids.js'
import { describeTopicConfigs } from '../topic-configs.js'

export const createTopicsHandler = defineHandler({
  apiKey: ApiKeys.CreateTopics,
  minVersion: 2,
  maxVersion: 7,
  async handle(request, ctx) {
    const counts = new Map<string, number>()
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1)
    const topics: CreateTopicsResponseCreatableTopicResult[] = []
    let throttleTimeMs = 0
    // One at a time: each creation is a metadata write, and order keeps results predictable.
    for (const t of request.topics) {
      if (counts.get(t.name)! > 1) {
        topics.push(failed(t.name, ErrorCode.INVALID_REQUEST, `Topic '${t.name}' appears more than once in the request`, ctx))
        continue
      }
      const result = await create(t, request.validateOnly, ctx)
      throttleTimeMs = Math.max(throttleTimeMs, result.throttleTimeMs)
      topics.push(result.topic)
    }
    return { throttleTimeMs, topics }
  },
})

async function create(
  t: CreateTopicsRequestCreatableTopic,
  validateOnly: boolean,
  ctx: RequestContext,
): Promise<{ topic: CreateTopicsResponseCreatableTopicResult; throttleTimeMs: number }> {
  try {
    return { topic: await createOne(t, validateOnly, ctx), throttleTimeMs: 0 }
  } catch (err) {
    const { errorCode, errorMessage } = errorOf(err)
    const throttleTimeMs = err instanceof ThrottlingQuotaExceededError ? err.throttleTimeMs : 0
    return { topic: failed(t.name, errorCode, errorMessage, ctx), throttleTimeMs }
  }
}

async function createOne(t: CreateTopicsRequestCreatableTopic, validateOnly: boolean, ctx: RequestContext): Promise<CreateTopicsResponseCreatableTopicResult> {
  const nodeId = ctx.broker.config.nodeId
  if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
    return failed(t.name, ErrorCode.INVALID_REPLICATION_FACTOR, `Replication factor ${t.replicationFactor} is not possible: this cluster has 1 broker`, ctx)
  }
  let numPartitions: number | undefined = t.numPartitions === -1 ? undefined : t.numPartitions
  if (t.assignments.length > 0) {
    if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
      return failed(t.name, ErrorCode.INVALID_REQUEST, 'Replica assignments go with numPartitions and replicationFactor -1', ctx)
    }
    const bad = t.assignments.find((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== nodeId)
    if (bad || t.assignments.some((a, i) => a.partitionIndex !== i)) {
      return failed(t.name, ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Replica assignments must give partitions 0..n-1 the single broker ${nodeId}`, ctx)
    }
    numPartitions = t.assignments.length
  }
  const configs: Record<string, string> = {}
  for (const c of t.configs) if (c.value !== null) configs[c.name] = c.value
  try {
    const created = await ctx.broker.createTopic(t.name, { ...(numPartitions === undefined ? {} : { numPartitions }), configs, validateOnly })
    const result = {
      ...createCreateTopicsResponseCreatableTopicResult(),
      name: t.name,
      topicId: toWireUuid(created.topicId),
      errorMessage: null,
      numPartitions: created.partitions,
      replicationFactor: 1,
      configs: [] as CreateTopicsResponseCreatableTopicResult['configs'],
    }
    // v5+ reports the topic's configs; a validate-only topic does not exist to describe.
    if (ctx.apiVersion >= 5 && !validateOnly) {
      result.configs = describeTopicConfigs(ctx.broker, t.name).map((c) => ({
        name: c.name,
        value: c.value,
        readOnly: false,
        configSource: c.configSource,
        isSensitive: false,
      }))
    }
    return result
  } catch (err) {
    if (err instanceof ThrottlingQuotaExceededError) throw err
    const { errorCode, errorMessage } = errorOf(err)
    return failed(t.name, errorCode, errorMessage, ctx)
  }
}

function failed(name: string, errorCode: number, message: string, ctx: RequestContext): CreateTopicsResponseCreatableTopicResult {
  return {
    ...createCreateTopicsResponseCreatableTopicResult(),
    name,
    errorCode,
    errorMessage: ctx.apiVersion >= 1 ? message : null,
  }
}
