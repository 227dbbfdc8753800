// Fetch: stored batches go into the response as they are (no decoding, no copy). Waits up
// to maxWaitMs for minBytes (long poll); the wait ends early when the connection closes.
// Fetch sessions are declined (sessionId 0), so clients keep sending full fetches.
// From v13 topics are named by id, not by name.
import { ApiKeys } from '../../protocol/apis/index.js'
import {
  createFetchResponse,
  createFetchResponsePartitionData,
  type FetchResponseFetchableTopicResponse,
} from '../../protocol/apis/generated/fetch.js'
import type { FetchPartitionRequest } from '../../broker/broker.js'
import { defineHandler } from '../context.js'
import { ErrorCode, kafkaCodeOf } from '../error-codes.js'
import { topicNameById } from '../topic-ids.js'

const EMPTY = Buffer.alloc(0)

export const fetchHandler = defineHandler({
  apiKey: ApiKeys.Fetch,
  minVersion: 4,
  maxVersion: 16,
  async handle(request, ctx) {
    if (request.sessionId !== 0) {
      // We never hand out sessions, so an incremental fetch names one we do not know.
      return { ...createFetchResponse(), errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0 }
    }
    const byId = ctx.apiVersion >= 13
    // An unknown topic id reads as '' here and is answered with UNKNOWN_TOPIC_ID below.
    const names = request.topics.map((t) => (byId ? (topicNameById(ctx.broker, t.topicId) ?? '') : t.topic))
    const wanted: FetchPartitionRequest[] = []
    request.topics.forEach((t, ti) => {
      for (const p of t.partitions) {
        wanted.push({ topic: names[ti]!, partition: p.partition, offset: p.fetchOffset, maxBytes: Math.max(0, p.partitionMaxBytes) })
      }
    })
    const results = await ctx.broker.fetch(wanted, {
      maxWaitMs: Math.max(0, request.maxWaitMs),
      minBytes: Math.max(0, request.minBytes),
      maxBytes: Math.max(0, request.maxBytes),
      signal: ctx.signal,
      isolation: request.isolationLevel === 1 ? 'read_committed' : 'read_uncommitted',
    })
    const responses: FetchResponseFetchableTopicResponse[] = []
    let i = 0
    request.topics.forEach((t, ti) => {
      const unknownId = byId && names[ti] === ''
      const partitions = t.partitions.map(() => {
        const r = results[i++]!
        const errorCode = unknownId ? ErrorCode.UNKNOWN_TOPIC_ID : r.error === null ? 0 : kafkaCodeOf(r.error)
        return {
          ...createFetchResponsePartitionData(),
          partitionIndex: r.partition,
          errorCode,
          highWatermark: r.highWatermark,
          lastStableOffset: r.lastStableOffset,
          logStartOffset: r.logStartOffset,
          abortedTransactions: r.abortedTransactions,
          records: errorCode === 0 ? r.records : EMPTY,
        }
      })
      responses.push({ topic: t.topic, topicId: t.topicId, partitions })
    })
    return { ...createFetchResponse(), sessionId: 0, responses }
  },
})
