// Brook's typed errors. Each carries a stable string code and, where one exists,
// the Kafka error code the wire protocol answers with.
import { KafkaErrors, type KafkaErrorName } from './protocol/kafka-errors.js'

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
  | 'WAKEUP'
  | 'TIMEOUT'
  | 'NOT_COORDINATOR'
  | 'OFFSET_METADATA_TOO_LARGE'
  | 'GROUP_SUBSCRIBED_TO_TOPIC'
  | 'NETWORK_EXCEPTION'
  | 'NOT_LEADER_OR_FOLLOWER'
  | 'LEADER_NOT_AVAILABLE'
  | 'UNKNOWN_SERVER_ERROR'
  | 'KAFKA_STORAGE_ERROR'
  | 'POLICY_VIOLATION'
  | 'THROTTLING_QUOTA_EXCEEDED'
  | 'INVALID_TXN_STATE'
  | 'INVALID_PRODUCER_ID_MAPPING'
  | 'INVALID_TRANSACTION_TIMEOUT'
  | 'CONCURRENT_TRANSACTIONS'
  | 'PRODUCER_FENCED'
  | 'TRANSACTIONAL_ID_NOT_FOUND'
  | 'TRANSACTION_ABORTABLE'

/**
 * The Kafka error each Brook code answers as. Brook-only codes (states and failures with
 * no Kafka counterpart) answer UNKNOWN_SERVER_ERROR. Codes and retriability come from
 * Kafka's table, never from here.
 */
export const kafkaErrorNames: Readonly<Record<BrookErrorCode, KafkaErrorName>> = {
  INVALID_TOPIC: 'INVALID_TOPIC_EXCEPTION',
  INVALID_CONFIG: 'INVALID_CONFIG',
  INVALID_PARTITIONS: 'INVALID_PARTITIONS',
  INVALID_REQUEST: 'INVALID_REQUEST',
  TOPIC_ALREADY_EXISTS: 'TOPIC_ALREADY_EXISTS',
  UNKNOWN_TOPIC_OR_PARTITION: 'UNKNOWN_TOPIC_OR_PARTITION',
  OFFSET_OUT_OF_RANGE: 'OFFSET_OUT_OF_RANGE',
  RECORD_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  CORRUPT_RECORD: 'CORRUPT_MESSAGE',
  DUPLICATE_SEQUENCE_NUMBER: 'DUPLICATE_SEQUENCE_NUMBER',
  OUT_OF_ORDER_SEQUENCE_NUMBER: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
  INVALID_PRODUCER_EPOCH: 'INVALID_PRODUCER_EPOCH',
  UNKNOWN_PRODUCER_ID: 'UNKNOWN_PRODUCER_ID',
  UNSUPPORTED_COMPRESSION_TYPE: 'UNSUPPORTED_COMPRESSION_TYPE',
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  ILLEGAL_GENERATION: 'ILLEGAL_GENERATION',
  UNKNOWN_MEMBER_ID: 'UNKNOWN_MEMBER_ID',
  REBALANCE_IN_PROGRESS: 'REBALANCE_IN_PROGRESS',
  INCONSISTENT_GROUP_PROTOCOL: 'INCONSISTENT_GROUP_PROTOCOL',
  INVALID_GROUP_ID: 'INVALID_GROUP_ID',
  GROUP_ID_NOT_FOUND: 'GROUP_ID_NOT_FOUND',
  NON_EMPTY_GROUP: 'NON_EMPTY_GROUP',
  MEMBER_ID_REQUIRED: 'MEMBER_ID_REQUIRED',
  FENCED_INSTANCE_ID: 'FENCED_INSTANCE_ID',
  INVALID_SESSION_TIMEOUT: 'INVALID_SESSION_TIMEOUT',
  COORDINATOR_NOT_AVAILABLE: 'COORDINATOR_NOT_AVAILABLE',
  ILLEGAL_STATE: 'UNKNOWN_SERVER_ERROR',
  CLOSED: 'UNKNOWN_SERVER_ERROR',
  WAKEUP: 'UNKNOWN_SERVER_ERROR',
  TIMEOUT: 'REQUEST_TIMED_OUT',
  NOT_COORDINATOR: 'NOT_COORDINATOR',
  OFFSET_METADATA_TOO_LARGE: 'OFFSET_METADATA_TOO_LARGE',
  GROUP_SUBSCRIBED_TO_TOPIC: 'GROUP_SUBSCRIBED_TO_TOPIC',
  NETWORK_EXCEPTION: 'NETWORK_EXCEPTION',
  NOT_LEADER_OR_FOLLOWER: 'NOT_LEADER_OR_FOLLOWER',
  LEADER_NOT_AVAILABLE: 'LEADER_NOT_AVAILABLE',
  UNKNOWN_SERVER_ERROR: 'UNKNOWN_SERVER_ERROR',
  KAFKA_STORAGE_ERROR: 'KAFKA_STORAGE_ERROR',
  POLICY_VIOLATION: 'POLICY_VIOLATION',
  THROTTLING_QUOTA_EXCEEDED: 'THROTTLING_QUOTA_EXCEEDED',
  INVALID_TXN_STATE: 'INVALID_TXN_STATE',
  INVALID_PRODUCER_ID_MAPPING: 'INVALID_PRODUCER_ID_MAPPING',
  INVALID_TRANSACTION_TIMEOUT: 'INVALID_TRANSACTION_TIMEOUT',
  CONCURRENT_TRANSACTIONS: 'CONCURRENT_TRANSACTIONS',
  PRODUCER_FENCED: 'PRODUCER_FENCED',
  TRANSACTIONAL_ID_NOT_FOUND: 'TRANSACTIONAL_ID_NOT_FOUND',
  TRANSACTION_ABORTABLE: 'TRANSACTION_ABORTABLE',
}

/** Kafka protocol error codes for the Brook codes (-1 for the Brook-only ones). */
export const kafkaErrorCodes: Readonly<Record<BrookErrorCode, number>> = Object.fromEntries(
  Object.entries(kafkaErrorNames).map(([brook, kafka]) => [brook, KafkaErrors[kafka].code]),
) as Record<BrookErrorCode, number>

function kafkaNameOf(code: string): KafkaErrorName {
  return Object.hasOwn(kafkaErrorNames, code) ? kafkaErrorNames[code as BrookErrorCode] : 'UNKNOWN_SERVER_ERROR'
}

export interface BrookErrorOptions {
  cause?: unknown
  /** The field, topic or config key the error is about. */
  field?: string
}

/**
 * Brook's error. Core raises the codes above; the layers above core (streams, sql, connectors)
 * subclass it with codes of their own, which core does not know and answers as
 * UNKNOWN_SERVER_ERROR on the wire.
 */
export class BrookError<C extends string = BrookErrorCode> extends Error {
  readonly code: C
  readonly field: string | undefined
  constructor(code: C, message: string, options: BrookErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'BrookError'
    this.code = code
    this.field = options.field
  }
  /** Kafka's verdict for the Kafka error this code answers as. */
  get retriable(): boolean {
    return KafkaErrors[kafkaNameOf(this.code)].retriable
  }
  get kafkaCode(): number {
    return KafkaErrors[kafkaNameOf(this.code)].code
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

/**
 * The disk failed under a log (ENOSPC, EIO, ...): Kafka's KAFKA_STORAGE_ERROR, retriable.
 * Nothing of the failed write is in the log; the errno is kept as `errno` and `cause`.
 */
export class KafkaStorageError extends BrookError {
  readonly errno: string | undefined
  constructor(where: string, cause: unknown) {
    const errno = (cause as NodeJS.ErrnoException | undefined)?.code
    const detail = cause instanceof Error ? cause.message : String(cause)
    super('KAFKA_STORAGE_ERROR', `Storage error on ${where}: ${detail}`, { cause })
    this.name = 'KafkaStorageError'
    this.errno = errno
  }
}

/** Wraps an I/O failure (anything not already a BrookError) as a KafkaStorageError. */
export function asStorageError(err: unknown, where: string): BrookError {
  return err instanceof BrookError ? err : new KafkaStorageError(where, err)
}
