// ListTransactions: transactional ids, filtered by state, producer id and (v1) how long
// they have been open.
import { ApiKeys } from '../../protocol/apis/index.js'
import { defineHandler } from '../context.js'

const STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence']

export const listTransactionsHandler = defineHandler({
  apiKey: ApiKeys.ListTransactions,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    const unknownStateFilters = request.stateFilters.filter((s) => !STATES.includes(s))
    const list = ctx.broker.transactions.listTransactions({
      states: request.stateFilters,
      producerIds: request.producerIdFilters,
      ...(ctx.apiVersion >= 1 && request.durationFilter >= 0 ? { durationMs: request.durationFilter } : {}),
    })
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      unknownStateFilters,
      transactionStates: list.map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state })),
    }
  },
})
