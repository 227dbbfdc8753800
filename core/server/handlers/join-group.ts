// JoinGroup: straight to the coordinator, which long-polls until the rebalance completes.
// v4+ clients get MEMBER_ID_REQUIRED on a first join and rejoin with the id it carries.
import { ApiKeys } from '../../protocol/apis/index.js'
import { createJoinGroupResponse } from '../../protocol/apis/generated/join-group.js'
import { defineHandler } from '../context.js'

export const joinGroupHandler = defineHandler({
  apiKey: ApiKeys.JoinGroup,
  minVersion: 0,
  maxVersion: 9,
  async handle(request, ctx) {
    const v = ctx.apiVersion
    const res = await ctx.broker.coordinator.joinGroup({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      clientId: ctx.clientId,
      clientHost: ctx.clientHost,
      sessionTimeoutMs: request.sessionTimeoutMs,
      // v0 has no rebalance timeout; Kafka uses the session timeout.
      rebalanceTimeoutMs: v === 0 || request.rebalanceTimeoutMs < 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
      requireKnownMemberId: v >= 4,
      reason: request.reason,
    })
    return {
      ...createJoinGroupResponse(),
      errorCode: res.errorCode,
      generationId: res.generationId,
      protocolType: res.protocolType,
      // protocolName is nullable only from v7.
      protocolName: v >= 7 ? res.protocolName : (res.protocolName ?? ''),
      leader: res.leader,
      skipAssignment: v >= 9 ? res.skipAssignment : false,
      memberId: res.memberId,
      members: res.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
    }
  },
})
