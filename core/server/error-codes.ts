// Turning broker failures into Kafka error codes for per-partition / per-resource answers.
import { BrookError } from '../errors.js'
import { KafkaErrorCodes } from '../protocol/kafka-errors.js'

export const NONE = 0
export const UNKNOWN_SERVER_ERROR = -1

/** Error code names Kafka clients know, by value. */
export const ErrorCode = KafkaErrorCodes

/**
 * The Kafka code of a BrookError. Anything else is a bug or an I/O failure, which the
 * caller rethrows so the connection is closed and the error logged.
 */
export function kafkaCodeOf(err: unknown): number {
  if (err instanceof BrookError) return err.kafkaCode
  throw err
}

/** Code plus message, for responses that carry an errorMessage. */
export function errorOf(err: unknown): { errorCode: number; errorMessage: string } {
  const errorCode = kafkaCodeOf(err)
  return { errorCode, errorMessage: (err as Error).message }
}
