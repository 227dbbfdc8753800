// OffsetCommit: to the coordinator, which checks generation and membership.
import { ApiKeys } from '../../protocol/apis/index.js'
import { defineHandler } from '../context.js'
import { byTopic, committedOffsets } from '../by-topic.js'

export const offsetCommitHandler = defineHandler({
  apiKey: ApiKeys.OffsetCommit,
  minVersion: 2,
  maxVersion: 9,
  async handle(request, ctx) {
    const offsets = committedOffsets(request.topics)
    const res = await ctx.broker.coordinator.commitOffsets({
      groupId: request.groupId,
      generationId: request.generationIdOrMemberEpoch,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      offsets,
    })
    return {
      throttleTimeMs: 0,
      topics: byTopic(res.partitions, (p) => ({ partitionIndex: p.partition, errorCode: p.errorCode })),
    }
  },
})
