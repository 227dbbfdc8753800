// OffsetDelete: drops committed offsets of topics the group no longer consumes.
import { ApiKeys } from '../../protocol/apis/index.js'
import { defineHandler } from '../context.js'
import { byTopic } from '../by-topic.js'

export const offsetDeleteHandler = defineHandler({
  apiKey: ApiKeys.OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    const partitions = request.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })))
    const res = await ctx.broker.coordinator.deleteOffsets(request.groupId, partitions)
    return {
      errorCode: res.errorCode,
      throttleTimeMs: 0,
      topics: byTopic(res.partitions, (p) => ({ partitionIndex: p.partition, errorCode: p.errorCode })),
    }
  },
})
