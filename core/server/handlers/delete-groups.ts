// DeleteGroups: empty groups go, with their committed offsets.
import { ApiKeys } from '../../protocol/apis/index.js'
import { defineHandler } from '../context.js'

export const deleteGroupsHandler = defineHandler({
  apiKey: ApiKeys.DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const results = await ctx.broker.coordinator.deleteGroups(request.groupsNames)
    return { throttleTimeMs: 0, results }
  },
})
