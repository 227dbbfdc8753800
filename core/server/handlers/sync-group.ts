// SyncGroup: the leader hands in assignments, every member waits for its own.
import { ApiKeys } from '../../protocol/apis/index.js'
import { createSyncGroupResponse } from '../../protocol/apis/generated/sync-group.js'
import { defineHandler } from '../context.js'

export const syncGroupHandler = defineHandler({
  apiKey: ApiKeys.SyncGroup,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const res = await ctx.broker.coordinator.syncGroup({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      protocolType: request.protocolType,
      protocolName: request.protocolName,
      assignments: request.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
    })
    const v5 = ctx.apiVersion >= 5
    return {
      ...createSyncGroupResponse(),
      errorCode: res.errorCode,
      protocolType: v5 ? res.protocolType : null,
      protocolName: v5 ? res.protocolName : null,
      assignment: res.assignment,
    }
  },
})
