// CreatePartitions: grows a topic to `count` partitions, all led by this node.
import { ApiKeys } from '../../protocol/apis/index.js'
import type { CreatePartitionsResponseCreatePartitionsTopicResult } from '../../protocol/apis/generated/create-partitions.js'
import { BrookError } from '../../errors.js'
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
        if (request.validateOnly) {
          const current = broker.describeTopic(t.name).partitions
          if (!Number.isInteger(t.count) || t.count <= current) {
            throw new BrookError('INVALID_PARTITIONS', `Topic '${t.name}' has ${current} partitions; the new count must be larger, got ${t.count}`)
          }
        } else {
          await broker.createPartitions(t.name, t.count)
        }
        results.push({ name: t.name, errorCode: 0, errorMessage: null })
      } catch (err) {
        results.push({ name: t.name, ...errorOf(err) })
      }
    }
    return { throttleTimeMs: 0, results }
  },
})
