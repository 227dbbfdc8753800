// ListGroups: classic groups only, optionally filtered by state (v4+) and type (v5+).
import { ApiKeys } from '../../protocol/apis/index.js'
import type { GroupState } from '../../common/types.js'
import { defineHandler } from '../context.js'

const CLASSIC = 'classic'

export const listGroupsHandler = defineHandler({
  apiKey: ApiKeys.ListGroups,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    // Every group here is a classic one; a filter without 'classic' matches none.
    if (ctx.apiVersion >= 5 && request.typesFilter.length > 0 && !request.typesFilter.some((t) => t.toLowerCase() === CLASSIC)) {
      return { throttleTimeMs: 0, errorCode: 0, groups: [] }
    }
    const states = ctx.apiVersion >= 4 ? (request.statesFilter as GroupState[]) : undefined
    const res = await ctx.broker.coordinator.listGroups(states)
    return {
      throttleTimeMs: 0,
      errorCode: res.errorCode,
      groups: res.groups.map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        groupState: ctx.apiVersion >= 4 ? g.state : '',
        groupType: ctx.apiVersion >= 5 ? CLASSIC : '',
      })),
    }
  },
})
