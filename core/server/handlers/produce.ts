// Produce: batches go to the log as received (v2 format only); the log assigns offsets,
// checks CRCs and producer sequences. acks=0 gets no response at all.
import { ApiKeys } from '../../protocol/apis/index.js'
import {
  createProduceResponse,
  createProduceResponsePartitionProduceResponse,
  type ProduceResponsePartitionProduceResponse,
  type ProduceResponseTopicProduceResponse,
} from '../../protocol/apis/generated/produce.js'
import { ATTRIBUTES, CONTROL_MASK, MAGIC } from '../../protocol/records/batch-header.js'
import type { Broker } from '../../broker/broker.js'
import { isInternalTopic } from '../../broker/topic-name.js'
import { defineHandler } from '../context.js'
import { ErrorCode, errorOf } from '../error-codes.js'

export const produceHandler = defineHandler({
  apiKey: ApiKeys.Produce,
  minVersion: 0,
  maxVersion: 11,
  async handle(request, ctx) {
    const acks = request.acks
    const withMessage = ctx.apiVersion >= 8
    const pending: Array<Promise<ProduceResponsePartitionProduceResponse>> = []
    const topics: Array<{ name: string; count: number }> = []
    // Appends start in request order, before any await, so pipelined produces keep their order.
    for (const t of request.topicData) {
      topics.push({ name: t.name, count: t.partitionData.length })
      for (const p of t.partitionData) {
        if (acks !== 0 && acks !== 1 && acks !== -1) {
          pending.push(Promise.resolve(failed(p.index, ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, got ${acks}`, withMessage)))
        } else {
          pending.push(append(ctx.broker, t.name, p.index, p.records, acks, withMessage))
        }
      }
    }
    const results = await Promise.all(pending)
    if (acks === 0) return null
    const responses: ProduceResponseTopicProduceResponse[] = []
    let i = 0
    for (const t of topics) {
      responses.push({ name: t.name, partitionResponses: results.slice(i, i + t.count) })
      i += t.count
    }
    return { ...createProduceResponse(), responses }
  },
})

async function append(
  broker: Broker,
  topic: string,
  partition: number,
  records: Buffer | null,
  acks: 0 | 1 | -1,
  withMessage: boolean,
): Promise<ProduceResponsePartitionProduceResponse> {
  // Only the broker writes its internal topics; client records there would corrupt group state.
  if (isInternalTopic(topic)) {
    return failed(partition, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic}`, withMessage)
  }
  if (records === null || records.length === 0) {
    return failed(partition, ErrorCode.CORRUPT_MESSAGE, 'Produce carries no record batch', withMessage)
  }
  // Magic 0/1 message sets predate record batches; say so rather than report a bad CRC.
  if (records.length > MAGIC && records[MAGIC]! < 2) {
    return failed(
      partition,
      ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
      `Message format v${records[MAGIC]} is not supported; Brook stores record batches (magic 2) only`,
      withMessage,
    )
  }
  // Markers are the coordinator's to write; a client's control batch would end transactions.
  if (records.length > ATTRIBUTES + 1 && (records.readInt16BE(ATTRIBUTES) & CONTROL_MASK) !== 0) {
    return failed(partition, ErrorCode.INVALID_RECORD, 'Clients cannot write control batches', withMessage)
  }
  try {
    const result = await broker.produce(topic, partition, records, acks)
    // A duplicate (idempotent retry) succeeds with the offsets first assigned.
    return {
      ...createProduceResponsePartitionProduceResponse(),
      index: partition,
      baseOffset: result.baseOffset,
      logAppendTimeMs: result.logAppendTime,
      logStartOffset: broker.partition(topic, partition).logStartOffset,
    }
  } catch (err) {
    const { errorCode, errorMessage } = errorOf(err)
    return failed(partition, errorCode, errorMessage, withMessage)
  }
}

function failed(partition: number, errorCode: number, message: string, withMessage: boolean): ProduceResponsePartitionProduceResponse {
  return {
    ...createProduceResponsePartitionProduceResponse(),
    index: partition,
    errorCode,
    baseOffset: -1,
    errorMessage: withMessage ? message : null,
  }
}
