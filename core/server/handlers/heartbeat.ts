// Heartbeat: keeps the member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
import { ApiKeys } from '../../protocol/apis/index.js'
import { defineHandler } from '../context.js'

export const heartbeatHandler = defineHandler({
  apiKey: ApiKeys.Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const { errorCode } = await ctx.broker.coordinator.heartbeat({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
    })
    return { throttleTimeMs: 0, errorCode }
  },
})
