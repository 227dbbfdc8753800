// InitProducerId: fresh producer ids for idempotent producers; with a transactional id,
// the transaction coordinator bumps the id's epoch (fencing older instances, KIP-360
// recovery when the caller names its current id and epoch).
import { ApiKeys } from '../../protocol/apis/index.js'
import { defineHandler } from '../context.js'

export const initProducerIdHandler = defineHandler({
  apiKey: ApiKeys.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    // An empty id is how some clients spell "none".
    const transactionalId = request.transactionalId === '' ? null : request.transactionalId
    if (transactionalId === null) {
      // An epoch bump request (v3+, after a sequence error) also gets a fresh id: same effect for the client.
      const { producerId, producerEpoch } = await ctx.broker.initProducerId()
      return { throttleTimeMs: 0, errorCode: 0, producerId, producerEpoch }
    }
    const res = await ctx.broker.transactions.initProducerId({
      transactionalId,
      transactionTimeoutMs: request.transactionTimeoutMs,
      producerId: ctx.apiVersion >= 3 ? request.producerId : -1,
      producerEpoch: ctx.apiVersion >= 3 ? request.producerEpoch : -1,
    })
    // PRODUCER_FENCED is known from v4; older clients know it as INVALID_PRODUCER_EPOCH.
    const errorCode = res.errorCode === 90 && ctx.apiVersion < 4 ? 47 : res.errorCode
    return { throttleTimeMs: 0, errorCode, producerId: res.producerId, producerEpoch: res.producerEpoch }
  },
})
