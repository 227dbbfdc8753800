// The one error type the protocol layer throws. Decoding bad bytes must never surface
// a RangeError or TypeError: callers answer ProtocolErrors by closing the connection
// (MALFORMED, UNKNOWN_API) or with an error response (UNSUPPORTED_VERSION).

import { BrookError, type BrookErrorCode } from '../errors.js'

/**
 * - MALFORMED: bytes that do not parse (truncated, bad lengths, trailing garbage).
 * - UNKNOWN_API: an api key this codec set does not know.
 * - UNSUPPORTED_VERSION: an api/header version outside the valid range, or a message that
 *   carries a non-default value for a non-ignorable field the chosen version cannot express.
 * - INVALID_VALUE: encoding a value the wire type cannot hold (null in a non-nullable field,
 *   a string over 32767 bytes in an int16-length string, a malformed uuid, an int16 out of range...).
 * - FRAME_TOO_LARGE: a size prefix above the configured maximum (socket.request.max.bytes).
 */
export type ProtocolErrorKind = 'MALFORMED' | 'UNKNOWN_API' | 'UNSUPPORTED_VERSION' | 'INVALID_VALUE' | 'FRAME_TOO_LARGE'

/** What is known about the request an error is about, so a server can still answer it. */
export interface ProtocolErrorContext {
  apiKey?: number
  apiVersion?: number
  correlationId?: number
}

const brookCodes: Readonly<Record<ProtocolErrorKind, BrookErrorCode>> = {
  MALFORMED: 'INVALID_REQUEST',
  UNKNOWN_API: 'INVALID_REQUEST',
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  INVALID_VALUE: 'INVALID_REQUEST',
  FRAME_TOO_LARGE: 'INVALID_REQUEST',
}

export class ProtocolError extends BrookError {
  readonly kind: ProtocolErrorKind
  readonly apiKey: number | undefined
  readonly apiVersion: number | undefined
  readonly correlationId: number | undefined
  constructor(
    kind: ProtocolErrorKind,
    message: string,
    options: { cause?: unknown; field?: string; context?: ProtocolErrorContext } = {},
  ) {
    super(brookCodes[kind], message, options)
    this.name = 'ProtocolError'
    this.kind = kind
    this.apiKey = options.context?.apiKey
    this.apiVersion = options.context?.apiVersion
    this.correlationId = options.context?.correlationId
  }
}

export const malformed = (message: string): ProtocolError => new ProtocolError('MALFORMED', message)

/** Thrown by generated encoders, mirroring Kafka's UnsupportedVersionException. */
export function unsupportedField(message: string, field: string, version: number): ProtocolError {
  return new ProtocolError(
    'UNSUPPORTED_VERSION',
    `Attempted to write a non-default ${field} at version ${version} of ${message}`,
    { field },
  )
}

export function nonNullableField(message: string, field: string, version: number): ProtocolError {
  return new ProtocolError('INVALID_VALUE', `${message}.${field} is not nullable at version ${version}`, { field })
}

export function unsupportedVersion(message: string, version: number, min: number, max: number): ProtocolError {
  return new ProtocolError('UNSUPPORTED_VERSION', `${message} version ${version} is outside ${min}-${max}`)
}
