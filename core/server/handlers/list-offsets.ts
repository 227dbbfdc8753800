// ListOffsets: -2 earliest, -1 latest, -3 the record with the largest timestamp (KIP-734),
// -4/-5 (earliest local / tiered) as earliest; any other value finds by timestamp.
import { ApiKeys } from '../../protocol/apis/index.js'
import {
  createListOffsetsResponse,
  createListOffsetsResponseListOffsetsPartitionResponse,
  type ListOffsetsResponseListOffsetsPartitionResponse,
} from '../../protocol/apis/generated/list-offsets.js'
import type { ListOffsetSpec } from '../../broker/broker.js'
import { defineHandler } from '../context.js'
import { kafkaCodeOf } from '../error-codes.js'

const LATEST = -1
const EARLIEST = -2
const MAX_TIMESTAMP = -3
const EARLIEST_LOCAL = -4
const EARLIEST_TIERED = -5

export const listOffsetsHandler = defineHandler({
  apiKey: ApiKeys.ListOffsets,
  minVersion: 1,
  maxVersion: 9,
  handle(request, ctx) {
    const topics = request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p): ListOffsetsResponseListOffsetsPartitionResponse => {
        const base = { ...createListOffsetsResponseListOffsetsPartitionResponse(), partitionIndex: p.partitionIndex }
        try {
          const { offset, timestamp } = ctx.broker.listOffset(t.name, p.partitionIndex, specOf(p.timestamp), request.isolationLevel === 1 ? 'read_committed' : 'read_uncommitted')
          // Leader epoch only exists from v4 and stays at 0 on a single node.
          return { ...base, offset, timestamp, leaderEpoch: ctx.apiVersion >= 4 && offset >= 0 ? 0 : -1 }
        } catch (err) {
          return { ...base, errorCode: kafkaCodeOf(err) }
        }
      }),
    }))
    return { ...createListOffsetsResponse(), topics }
  },
})

function specOf(timestamp: number): ListOffsetSpec {
  switch (timestamp) {
    case LATEST:
      return 'latest'
    case MAX_TIMESTAMP:
      return 'max-timestamp'
    case EARLIEST:
    case EARLIEST_LOCAL:
    case EARLIEST_TIERED:
      return 'earliest'
    default:
      return { timestamp }
  }
}
