// LeaveGroup: v0-2 name one member, v3+ a batch (static members by instance id).
import { ApiKeys } from '../../protocol/apis/index.js'
import { createLeaveGroupResponse } from '../../protocol/apis/generated/leave-group.js'
import { defineHandler } from '../context.js'

export const leaveGroupHandler = defineHandler({
  apiKey: ApiKeys.LeaveGroup,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const batched = ctx.apiVersion >= 3
    const members = batched
      ? request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: m.reason }))
      : [{ memberId: request.memberId, groupInstanceId: null }]
    const res = await ctx.broker.coordinator.leaveGroup({ groupId: request.groupId, members })
    if (!batched) {
      // One member, no per-member list: its error is the answer.
      return { ...createLeaveGroupResponse(), errorCode: res.errorCode || (res.members[0]?.errorCode ?? 0) }
    }
    return { ...createLeaveGroupResponse(), errorCode: res.errorCode, members: res.members }
  },
})
