// DescribeTransactions: state, timeout, producer and partitions of transactional ids.
import { ApiKeys } from '../../protocol/apis/index.js'
import { defineHandler } from '../context.js'
import { byTopic } from '../by-topic.js'

export const describeTransactionsHandler = defineHandler({
  apiKey: ApiKeys.DescribeTransactions,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    return {
      throttleTimeMs: 0,
      transactionStates: ctx.broker.transactions.describeTransactions(request.transactionalIds).map((d) => ({
        errorCode: d.errorCode,
        transactionalId: d.transactionalId,
        transactionState: d.state,
        transactionTimeoutMs: d.transactionTimeoutMs,
        transactionStartTimeMs: d.transactionStartTimeMs,
        producerId: d.producerId,
        producerEpoch: d.producerEpoch,
        topics: byTopic(d.partitions, (tp) => tp.partition).map((t) => ({ topic: t.name, partitions: t.partitions })),
      })),
    }
  },
})
