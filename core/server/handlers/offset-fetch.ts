// OffsetFetch: committed offsets from the coordinator; v8+ asks for several groups at once;
// v7+ may require stable offsets (KIP-447: none held by an open transaction).
import { ApiKeys } from '../../protocol/apis/index.js'
import { createOffsetFetchResponse } from '../../protocol/apis/generated/offset-fetch.js'
import type { OffsetFetchResponse as CoordinatorAnswer } from '../../group/coordinator.js'
import type { TopicPartition } from '../../common/types.js'
import { defineHandler, type RequestContext } from '../context.js'
import { byTopic } from '../by-topic.js'

type TopicsQuery = Array<{ name: string; partitionIndexes: number[] }> | null

export const offsetFetchHandler = defineHandler({
  apiKey: ApiKeys.OffsetFetch,
  minVersion: 1,
  maxVersion: 9,
  async handle(request, ctx) {
    if (ctx.apiVersion >= 8) {
      const groups = await Promise.all(
        request.groups.map(async (g) => {
          const res = await fetchOffsets(ctx, g.groupId, g.topics, request.requireStable)
          return { groupId: g.groupId, errorCode: res.errorCode, topics: topicsOf(res) }
        }),
      )
      return { ...createOffsetFetchResponse(), groups }
    }
    const res = await fetchOffsets(ctx, request.groupId, request.topics, ctx.apiVersion >= 7 && request.requireStable)
    let topics = topicsOf(res)
    // v1 has no top-level error code: the group's error goes on every partition.
    if (ctx.apiVersion < 2 && res.errorCode !== 0) {
      topics = (request.topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: res.errorCode })),
      }))
    }
    return { ...createOffsetFetchResponse(), errorCode: ctx.apiVersion >= 2 ? res.errorCode : 0, topics }
  },
})

function fetchOffsets(ctx: RequestContext, groupId: string, topics: TopicsQuery, requireStable: boolean): Promise<CoordinatorAnswer> {
  const partitions: TopicPartition[] | null =
    topics === null ? null : topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })))
  return ctx.broker.coordinator.fetchOffsets({ groupId, partitions, requireStable })
}

function topicsOf(res: CoordinatorAnswer): Array<{ name: string; partitions: Array<{ partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; metadata: string; errorCode: number }> }> {
  return byTopic(res.offsets, (o) => ({
    partitionIndex: o.partition,
    committedOffset: o.offset,
    committedLeaderEpoch: o.leaderEpoch,
    metadata: o.metadata,
    errorCode: o.errorCode,
  }))
}
