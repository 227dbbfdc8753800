// TxnOffsetCommit: offsets committed in a transaction, with the consumer's group
// metadata from v3 (KIP-447) so a fenced member cannot commit.
import { ApiKeys } from '../../protocol/apis/index.js'
import { defineHandler } from '../context.js'
import { byTopic, committedOffsets } from '../by-topic.js'

export const txnOffsetCommitHandler = defineHandler({
  apiKey: ApiKeys.TxnOffsetCommit,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const offsets = committedOffsets(request.topics)
    const withGroup = ctx.apiVersion >= 3
    const res = await ctx.broker.coordinator.txnCommitOffsets({
      transactionalId: request.transactionalId,
      groupId: request.groupId,
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      generationId: withGroup ? request.generationId : -1,
      memberId: withGroup ? request.memberId : '',
      groupInstanceId: withGroup ? request.groupInstanceId : null,
      offsets,
    })
    return {
      throttleTimeMs: 0,
      topics: byTopic(res.partitions, (p) => ({ partitionIndex: p.partition, errorCode: p.errorCode })),
    }
  },
})
