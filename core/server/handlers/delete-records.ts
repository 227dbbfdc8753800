// DeleteRecords: moves each partition's log start offset up; -1 means the high watermark.
import { ApiKeys } from '../../protocol/apis/index.js'
import { isInternalTopic } from '../../broker/topic-name.js'
import { defineHandler } from '../context.js'
import { ErrorCode, kafkaCodeOf } from '../error-codes.js'

export const deleteRecordsHandler = defineHandler({
  apiKey: ApiKeys.DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  handle(request, ctx) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          // The broker owns its internal topics' contents.
          if (isInternalTopic(t.name)) return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION }
          try {
            const lowWatermark = ctx.broker.deleteRecords(t.name, p.partitionIndex, p.offset)
            return { partitionIndex: p.partitionIndex, lowWatermark, errorCode: 0 }
          } catch (err) {
            return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: kafkaCodeOf(err) }
          }
        }),
      })),
    }
  },
})
