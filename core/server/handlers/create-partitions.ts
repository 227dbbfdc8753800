// CreatePartitions: grows a topic to `count` partitions, all led by this node.
import { ApiKeys } from '../../protocol/apis/index.js'
import type { CreatePartitionsResponseCreatePartitionsTopicResult } from '../../protocol/apis/generated/create-partitions.js'
import { ThrottlingQuotaExceededError } from '../../broker/broker.js'
import { isInternalTopic } from '../../broker/topic-name.js'
import { defineHandler } from '../context.js'
import { ErrorCode, errorOf } from '../error-codes.js'

export const createPartitionsHandler = defineHandler({
  apiKey: ApiKeys.CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, ctx) {
    const { broker } = ctx
    const nodeId = broker.config.nodeId
    const results: CreatePartitionsResponseCreatePartitionsTopicResult[] = []
    let throttleTimeMs = 0
    for (const t of request.topics) {
      if (t.assignments !== null && t.assignments.some((a) => a.brokerIds.some((b) => b !== nodeId))) {
        results.push({ name: t.name, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `Only broker ${nodeId} exists` })
        continue
      }
      // Groups map to offsets partitions by hash: more partitions would lose their offsets.
      if (isInternalTopic(t.name)) {
        results.push({ name: t.name, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: `Cannot add partitions to internal topic ${t.name}` })
        continue
      }
      try {
        await broker.createPartitions(t.name, t.count, { validateOnly: request.validateOnly })
        results.push({ name: t.name, errorCode: 0, errorMessage: null })
      } catch (err) {
        if (err instanceof ThrottlingQuotaExceededError) throttleTimeMs = Math.max(throttleTimeMs, err.throttleTimeMs)
        results.push({ name: t.name, ...errorOf(err) })
      }
    }
    return { throttleTimeMs, results }
  },
})
