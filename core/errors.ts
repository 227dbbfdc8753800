// Brook's typed errors. Each carries a stable string code and, where one exists,
// the Kafka error code the wire protocol answers with.

export type BrookErrorCode =
  | 'INVALID_TOPIC'
  | 'INVALID_CONFIG'
  | 'INVALID_PARTITIONS'
  | 'INVALID_REQUEST'
  | 'TOPIC_ALREADY_EXISTS'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'OFFSET_OUT_OF_RANGE'
  | 'RECORD_TOO_LARGE'
  | 'CORRUPT_RECORD'
  | 'DUPLICATE_SEQUENCE_NUMBER'
  | 'OUT_OF_ORDER_SEQUENCE_NUMBER'
  | 'INVALID_PRODUCER_EPOCH'
  | 'UNKNOWN_PRODUCER_ID'
  | 'UNSUPPORTED_COMPRESSION_TYPE'
  | 'UNSUPPORTED_VERSION'
  | 'ILLEGAL_GENERATION'
  | 'UNKNOWN_MEMBER_ID'
  | 'REBALANCE_IN_PROGRESS'
  | 'INCONSISTENT_GROUP_PROTOCOL'
  | 'INVALID_GROUP_ID'
  | 'GROUP_ID_NOT_FOUND'
  | 'NON_EMPTY_GROUP'
  | 'MEMBER_ID_REQUIRED'
  | 'FENCED_INSTANCE_ID'
  | 'INVALID_SESSION_TIMEOUT'
  | 'COORDINATOR_NOT_AVAILABLE'
  | 'ILLEGAL_STATE'
  | 'CLOSED'
  | 'TIMEOUT'
  | 'NOT_COORDINATOR'
  | 'OFFSET_METADATA_TOO_LARGE'
  | 'GROUP_SUBSCRIBED_TO_TOPIC'
  | 'INVALID_TOPOLOGY'
  | 'STREAMS_ERROR'
  | 'NETWORK_EXCEPTION'
  | 'NOT_LEADER_OR_FOLLOWER'
  | 'LEADER_NOT_AVAILABLE'
  | 'UNKNOWN_SERVER_ERROR'
  | 'INVALID_TXN_STATE'
  | 'INVALID_PRODUCER_ID_MAPPING'
  | 'INVALID_TRANSACTION_TIMEOUT'
  | 'CONCURRENT_TRANSACTIONS'
  | 'PRODUCER_FENCED'
  | 'TRANSACTIONAL_ID_NOT_FOUND'
  | 'TRANSACTION_ABORTABLE'

/** Kafka protocol error codes for the Brook codes that have one. */
export const kafkaErrorCodes: Readonly<Record<BrookErrorCode, number>> = {
  INVALID_TOPIC: 17,
  INVALID_CONFIG: 40,
  INVALID_PARTITIONS: 37,
  INVALID_REQUEST: 42,
  TOPIC_ALREADY_EXISTS: 36,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  OFFSET_OUT_OF_RANGE: 1,
  RECORD_TOO_LARGE: 10,
  CORRUPT_RECORD: 2,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_PRODUCER_EPOCH: 47,
  UNKNOWN_PRODUCER_ID: 59,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  UNSUPPORTED_VERSION: 35,
  ILLEGAL_GENERATION: 22,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  GROUP_ID_NOT_FOUND: 69,
  NON_EMPTY_GROUP: 68,
  MEMBER_ID_REQUIRED: 79,
  FENCED_INSTANCE_ID: 82,
  INVALID_SESSION_TIMEOUT: 26,
  COORDINATOR_NOT_AVAILABLE: 15,
  ILLEGAL_STATE: -1,
  CLOSED: -1,
  TIMEOUT: 7,
  NOT_COORDINATOR: 16,
  OFFSET_METADATA_TOO_LARGE: 12,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
  INVALID_TOPOLOGY: -1,
  STREAMS_ERROR: -1,
  NETWORK_EXCEPTION: 13,
  NOT_LEADER_OR_FOLLOWER: 6,
  LEADER_NOT_AVAILABLE: 5,
  UNKNOWN_SERVER_ERROR: -1,
  INVALID_TXN_STATE: 48,
  INVALID_PRODUCER_ID_MAPPING: 49,
  INVALID_TRANSACTION_TIMEOUT: 50,
  CONCURRENT_TRANSACTIONS: 51,
  PRODUCER_FENCED: 90,
  TRANSACTIONAL_ID_NOT_FOUND: 105,
  TRANSACTION_ABORTABLE: 120,
}

const retriableCodes = new Set<BrookErrorCode>([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'CORRUPT_RECORD',
  'REBALANCE_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'TIMEOUT',
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'NOT_COORDINATOR',
  'NETWORK_EXCEPTION',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
])

export interface BrookErrorOptions {
  cause?: unknown
  /** The field, topic or config key the error is about. */
  field?: string
}

export class BrookError extends Error {
  readonly code: BrookErrorCode
  readonly field: string | undefined
  constructor(code: BrookErrorCode, message: string, options: BrookErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'BrookError'
    this.code = code
    this.field = options.field
  }
  get retriable(): boolean {
    return retriableCodes.has(this.code)
  }
  get kafkaCode(): number {
    return kafkaErrorCodes[this.code]
  }
}

export class InvalidTopicError extends BrookError {
  constructor(message: string, topic: string) {
    super('INVALID_TOPIC', message, { field: 'topic' })
    this.name = 'InvalidTopicError'
    this.topic = topic
  }
  readonly topic: string
}

export class InvalidConfigError extends BrookError {
  constructor(key: string, message: string) {
    super('INVALID_CONFIG', `Invalid value for config '${key}': ${message}`, { field: key })
    this.name = 'InvalidConfigError'
  }
}

export class RecordTooLargeError extends BrookError {
  constructor(size: number, limit: number, where: string) {
    super('RECORD_TOO_LARGE', `Record batch of ${size} bytes exceeds max.message.bytes=${limit} for ${where}`)
    this.name = 'RecordTooLargeError'
  }
}

export class CorruptRecordError extends BrookError {
  constructor(message: string, readonly position?: number) {
    super('CORRUPT_RECORD', message)
    this.name = 'CorruptRecordError'
  }
}

export class UnknownTopicOrPartitionError extends BrookError {
  constructor(topic: string, partition?: number) {
    super(
      'UNKNOWN_TOPIC_OR_PARTITION',
      partition === undefined ? `Unknown topic '${topic}'` : `Unknown partition ${topic}-${partition}`,
      { field: 'topic' },
    )
    this.name = 'UnknownTopicOrPartitionError'
  }
}

export class OffsetOutOfRangeError extends BrookError {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
  ) {
    super(
      'OFFSET_OUT_OF_RANGE',
      `Offset ${offset} is out of range for ${topic}-${partition} [${logStartOffset}, ${logEndOffset}]`,
    )
    this.name = 'OffsetOutOfRangeError'
  }
}
