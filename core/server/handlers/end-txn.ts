// EndTxn: commit or abort; markers are written to every partition of the transaction
// before the answer (one node: no WriteTxnMarkers round trip).
import { ApiKeys } from '../../protocol/apis/index.js'
import { defineHandler } from '../context.js'

export const endTxnHandler = defineHandler({
  apiKey: ApiKeys.EndTxn,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const code = await ctx.broker.transactions.endTxn(request)
    return { throttleTimeMs: 0, errorCode: code === 90 && ctx.apiVersion < 2 ? 47 : code, producerId: -1, producerEpoch: -1 }
  },
})
