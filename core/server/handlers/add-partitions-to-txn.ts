// AddPartitionsToTxn (client versions 0-3): partitions join the producer's transaction
// before its first batch to them. v4+ (broker-to-broker verification) is not served.
import { ApiKeys } from '../../protocol/apis/index.js'
import { createAddPartitionsToTxnResponse } from '../../protocol/apis/generated/add-partitions-to-txn.js'
import { defineHandler } from '../context.js'
import { byTopic } from '../by-topic.js'

export const addPartitionsToTxnHandler = defineHandler({
  apiKey: ApiKeys.AddPartitionsToTxn,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, ctx) {
    const partitions = request.v3AndBelowTopics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })))
    const results = await ctx.broker.transactions.addPartitionsToTxn({
      transactionalId: request.v3AndBelowTransactionalId,
      producerId: request.v3AndBelowProducerId,
      producerEpoch: request.v3AndBelowProducerEpoch,
      partitions,
    })
    const fenced = ctx.apiVersion < 2 ? 47 : 90
    return {
      ...createAddPartitionsToTxnResponse(),
      resultsByTopicV3AndBelow: byTopic(results, (r) => ({ partitionIndex: r.partition, partitionErrorCode: r.errorCode === 90 ? fenced : r.errorCode })).map(
        (t) => ({ name: t.name, resultsByPartition: t.partitions }),
      ),
    }
  },
})
