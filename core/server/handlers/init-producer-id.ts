// InitProducerId: fresh producer ids for idempotent producers. Transactional ids need a
// transaction coordinator, which Brook does not have yet.
import { ApiKeys } from '../../protocol/apis/index.js'
import { defineHandler } from '../context.js'
import { ErrorCode } from '../error-codes.js'

export const initProducerIdHandler = defineHandler({
  apiKey: ApiKeys.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    // An empty id is how some clients spell "none".
    if (request.transactionalId !== null && request.transactionalId !== '') {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 }
    }
    // An epoch bump request (v3+, after a sequence error) also gets a fresh id: same effect for the client.
    const { producerId, producerEpoch } = await ctx.broker.initProducerId()
    return { throttleTimeMs: 0, errorCode: 0, producerId, producerEpoch }
  },
})
