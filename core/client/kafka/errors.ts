// Kafka error codes from responses turned into BrookErrors. The Brook code is the one
// with the same Kafka code where there is one; retriability follows Kafka's table, so a
// caller can tell a leader move from a bad request without knowing the codes.
import { BrookError, type BrookErrorCode, kafkaErrorCodes } from '../../errors.js'
import { isRetriable, kafkaErrorName } from '../../protocol/kafka-errors.js'

const brookCodeByKafka = new Map<number, BrookErrorCode>()
for (const [code, kafka] of Object.entries(kafkaErrorCodes) as Array<[BrookErrorCode, number]>) {
  if (kafka >= 0 && !brookCodeByKafka.has(kafka)) brookCodeByKafka.set(kafka, code)
}
// Kafka codes whose Brook name differs.
brookCodeByKafka.set(17, 'INVALID_TOPIC') // INVALID_TOPIC_EXCEPTION
brookCodeByKafka.set(2, 'CORRUPT_RECORD') // CORRUPT_MESSAGE
brookCodeByKafka.set(7, 'TIMEOUT') // REQUEST_TIMED_OUT
brookCodeByKafka.set(14, 'COORDINATOR_NOT_AVAILABLE') // COORDINATOR_LOAD_IN_PROGRESS
brookCodeByKafka.set(18, 'RECORD_TOO_LARGE') // RECORD_LIST_TOO_LARGE
brookCodeByKafka.set(38, 'INVALID_CONFIG') // INVALID_REPLICATION_FACTOR
brookCodeByKafka.set(87, 'CORRUPT_RECORD') // INVALID_RECORD

/** A BrookError from a Kafka error code; `retriable` is Kafka's verdict for that code. */
export class KafkaResponseError extends BrookError {
  readonly kafkaErrorCode: number
  private readonly canRetry: boolean
  constructor(kafkaErrorCode: number, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(brookCodeByKafka.get(kafkaErrorCode) ?? 'UNKNOWN_SERVER_ERROR', message, options)
    this.name = 'KafkaResponseError'
    this.kafkaErrorCode = kafkaErrorCode
    this.canRetry = isRetriable(kafkaErrorCode)
  }
  override get retriable(): boolean {
    return this.canRetry
  }
}

/** The error for a non-zero Kafka code: "<what>: NAME (code) - broker message". */
export function kafkaError(code: number, what: string, brokerMessage?: string | null, field?: string): KafkaResponseError {
  const detail = brokerMessage ? `: ${brokerMessage}` : ''
  return new KafkaResponseError(code, `${what} failed with ${kafkaErrorName(code)} (Kafka error ${code})${detail}`, field ? { field } : {})
}

/** A connection failure or a response that cannot be read: retriable on a new connection. */
export function networkError(message: string, cause?: unknown): BrookError {
  return new BrookError('NETWORK_EXCEPTION', message, cause === undefined ? {} : { cause })
}

export function timeoutError(message: string): BrookError {
  return new BrookError('TIMEOUT', message)
}

export const tp = (topic: string, partition: number): string => `${topic}-${partition}`
