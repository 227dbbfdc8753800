// DescribeGroups: members, chosen protocol and state, as the coordinator reports them.
import { ApiKeys } from '../../protocol/apis/index.js'
import { createDescribeGroupsResponseDescribedGroup } from '../../protocol/apis/generated/describe-groups.js'
import { defineHandler } from '../context.js'
import { authorizedOperations } from '../authorized-operations.js'

export const describeGroupsHandler = defineHandler({
  apiKey: ApiKeys.DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const described = await ctx.broker.coordinator.describeGroups(request.groups)
    const groupOps = authorizedOperations('group', ctx.apiVersion >= 3 && request.includeAuthorizedOperations)
    return {
      throttleTimeMs: 0,
      groups: described.map((g) => ({
        ...createDescribeGroupsResponseDescribedGroup(),
        errorCode: g.errorCode,
        groupId: g.groupId,
        groupState: g.state,
        protocolType: g.protocolType,
        protocolData: g.protocol,
        authorizedOperations: g.errorCode === 0 ? groupOps : createDescribeGroupsResponseDescribedGroup().authorizedOperations,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          // Static membership exists from v4 on.
          groupInstanceId: ctx.apiVersion >= 4 ? m.groupInstanceId : null,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
      })),
    }
  },
})
