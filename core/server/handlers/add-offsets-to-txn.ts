// AddOffsetsToTxn: the group's offsets partition joins the transaction, so the
// producer's TxnOffsetCommit to the group coordinator commits or aborts with it.
import { ApiKeys } from '../../protocol/apis/index.js'
import { defineHandler } from '../context.js'

export const addOffsetsToTxnHandler = defineHandler({
  apiKey: ApiKeys.AddOffsetsToTxn,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const code = await ctx.broker.transactions.addOffsetsToTxn(request)
    return { throttleTimeMs: 0, errorCode: code === 90 && ctx.apiVersion < 2 ? 47 : code }
  },
})
