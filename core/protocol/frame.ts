// Whole Kafka frames: a 4-byte size prefix, a request/response header and a body.
// Pure functions over Buffers; sockets live in core/server and core/client.
//
// Encoders build into a Writer (optionally one the caller reuses). encode*Frame returns
// one Buffer (record batches copied once into it); encode*FrameChunks returns the chunks
// as views, with record batches linked rather than copied, for socket writev/cork.

import { ProtocolError, type ProtocolErrorContext } from './errors.js'
import { Reader } from './primitives/reader.js'
import { Writer } from './primitives/writer.js'
import {
  apiSpec,
  isVersionSupported,
  requestHeaderVersion,
  responseHeaderVersion,
  decodeRequestHeader,
  encodeRequestHeader,
  decodeResponseHeader,
  encodeResponseHeader,
  type ApiKey,
  type ApiSpec,
  type RequestBodies,
  type RequestHeader,
  type ResponseBodies,
} from './apis/index.js'

export { ProtocolError, type ProtocolErrorKind, type ProtocolErrorContext } from './errors.js'

/** Kafka's socket.request.max.bytes default. */
export const DEFAULT_MAX_FRAME_SIZE = 104857600

/** A decoded request; switching on apiKey narrows body to that api's request type. */
export type RequestFrame = {
  [K in ApiKey]: {
    apiKey: K
    apiVersion: number
    correlationId: number
    clientId: string | null
    headerVersion: 0 | 1 | 2
    header: RequestHeader
    body: RequestBodies[K]
    /**
     * Bytes after the fields this version defines. Kafka reads the fields it knows and
     * ignores the rest, and some clients depend on it (librdkafka 2.10+ sends four bytes
     * for a v9+ Metadata request's null topic array), so they are counted, not refused.
     */
    trailingBytes: number
  }
}[ApiKey]

export interface ResponseFrame<K extends ApiKey> {
  correlationId: number
  body: ResponseBodies[K]
}

/** Turns anything a codec threw into a ProtocolError of the given kind. */
function asProtocolError(err: unknown, kind: 'MALFORMED' | 'INVALID_VALUE', what: string, context: ProtocolErrorContext): ProtocolError {
  if (err instanceof ProtocolError) {
    if (err.correlationId !== undefined || context.correlationId === undefined) return err
    return new ProtocolError(err.kind, err.message, { cause: err.cause, context, ...(err.field === undefined ? {} : { field: err.field }) })
  }
  const reason = err instanceof Error ? err.message : String(err)
  return new ProtocolError(kind, `${what}: ${reason}`, { cause: err, context })
}

function specOrThrow(apiKey: number, context: ProtocolErrorContext): ApiSpec {
  const spec = apiSpec(apiKey)
  if (spec === undefined) throw new ProtocolError('UNKNOWN_API', `Unknown api key ${apiKey}`, { context })
  return spec
}

function checkVersion(spec: ApiSpec, apiVersion: number, context: ProtocolErrorContext): void {
  if (!isVersionSupported(spec, apiVersion)) {
    throw new ProtocolError(
      'UNSUPPORTED_VERSION',
      `${spec.name} version ${apiVersion} is outside ${spec.minVersion}-${spec.maxVersion}`,
      { context },
    )
  }
}

/**
 * Decodes a request frame's payload (the bytes after the size prefix). Unknown keys,
 * unsupported versions and bytes that do not parse throw a ProtocolError carrying whatever
 * of apiKey/apiVersion/correlationId could be read. Bytes left over after the known fields
 * are ignored, as Kafka does, and reported in trailingBytes.
 */
export function decodeRequestFrame(payload: Buffer): RequestFrame {
  if (payload.length < 8) {
    throw new ProtocolError('MALFORMED', `Request of ${payload.length} bytes is shorter than a request header`)
  }
  const apiKey = payload.readInt16BE(0)
  const apiVersion = payload.readInt16BE(2)
  const correlationId = payload.readInt32BE(4)
  const context = { apiKey, apiVersion, correlationId }
  const spec = specOrThrow(apiKey, context)
  checkVersion(spec, apiVersion, context)
  const headerVersion = requestHeaderVersion(spec, apiVersion)
  try {
    const r = new Reader(payload)
    const header = decodeRequestHeader(headerVersion, r)
    const body = spec.decodeRequest(apiVersion, r)
    const trailingBytes = r.remaining
    return { apiKey, apiVersion, correlationId, clientId: header.clientId, headerVersion, header, body, trailingBytes } as RequestFrame
  } catch (err) {
    throw asProtocolError(err, 'MALFORMED', `Malformed ${spec.name} v${apiVersion} request`, context)
  }
}

function encodeResponse<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: ResponseBodies[K],
  w: Writer,
): Writer {
  const context = { apiKey, apiVersion, correlationId }
  const spec = specOrThrow(apiKey, context) as unknown as ApiSpec<K>
  checkVersion(spec as unknown as ApiSpec, apiVersion, context)
  try {
    const size = w.reserveInt32()
    encodeResponseHeader(responseHeaderVersion(spec as unknown as ApiSpec, apiVersion), { correlationId }, w)
    spec.encodeResponse(apiVersion, body, w)
    w.patchInt32(size, w.length - 4)
    return w
  } catch (err) {
    throw asProtocolError(err, 'INVALID_VALUE', `Cannot encode ${spec.name} v${apiVersion} response`, context)
  }
}

/** A response frame, size prefix included, in one Buffer. */
export function encodeResponseFrame<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: ResponseBodies[K],
  writer: Writer = new Writer(),
): Buffer {
  return encodeResponse(apiKey, apiVersion, correlationId, body, writer.reset()).toBuffer()
}

/** Same as encodeResponseFrame, as chunk views (records not copied), valid until writer.reset(). */
export function encodeResponseFrameChunks<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: ResponseBodies[K],
  writer: Writer = new Writer(),
): Buffer[] {
  return encodeResponse(apiKey, apiVersion, correlationId, body, writer.reset()).toBuffers()
}

function encodeRequest<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: RequestBodies[K],
  w: Writer,
): Writer {
  const context = { apiKey, apiVersion, correlationId }
  const spec = specOrThrow(apiKey, context) as unknown as ApiSpec<K>
  checkVersion(spec as unknown as ApiSpec, apiVersion, context)
  try {
    const size = w.reserveInt32()
    const header = { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId, clientId }
    encodeRequestHeader(requestHeaderVersion(spec as unknown as ApiSpec, apiVersion), header, w)
    spec.encodeRequest(apiVersion, body, w)
    w.patchInt32(size, w.length - 4)
    return w
  } catch (err) {
    throw asProtocolError(err, 'INVALID_VALUE', `Cannot encode ${spec.name} v${apiVersion} request`, context)
  }
}

/** A request frame, size prefix included, in one Buffer (client side). */
export function encodeRequestFrame<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: RequestBodies[K],
  writer: Writer = new Writer(),
): Buffer {
  return encodeRequest(apiKey, apiVersion, correlationId, clientId, body, writer.reset()).toBuffer()
}

/** Same as encodeRequestFrame, as chunk views (records not copied), valid until writer.reset(). */
export function encodeRequestFrameChunks<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: RequestBodies[K],
  writer: Writer = new Writer(),
): Buffer[] {
  return encodeRequest(apiKey, apiVersion, correlationId, clientId, body, writer.reset()).toBuffers()
}

/** The correlation id of a response payload, to find which request it answers. */
export function responseCorrelationId(payload: Buffer): number {
  if (payload.length < 4) throw new ProtocolError('MALFORMED', `Response of ${payload.length} bytes has no correlation id`)
  return payload.readInt32BE(0)
}

/** Decodes a response payload (after the size prefix) for the api and version the request used. */
export function decodeResponseFrame<K extends ApiKey>(apiKey: K, apiVersion: number, payload: Buffer): ResponseFrame<K> {
  const context: ProtocolErrorContext = { apiKey, apiVersion }
  if (payload.length >= 4) context.correlationId = payload.readInt32BE(0)
  const spec = specOrThrow(apiKey, context) as unknown as ApiSpec<K>
  checkVersion(spec as unknown as ApiSpec, apiVersion, context)
  try {
    const r = new Reader(payload)
    const header = decodeResponseHeader(responseHeaderVersion(spec as unknown as ApiSpec, apiVersion), r)
    const body = spec.decodeResponse(apiVersion, r)
    if (r.remaining !== 0) {
      throw new ProtocolError('MALFORMED', `${r.remaining} unexpected bytes after ${spec.name} v${apiVersion} response`)
    }
    return { correlationId: header.correlationId, body }
  } catch (err) {
    throw asProtocolError(err, 'MALFORMED', `Malformed ${spec.name} v${apiVersion} response`, context)
  }
}

/**
 * Cuts a byte stream into frame payloads (size prefixes removed). Payloads are views of the
 * pushed chunks; bytes are copied only when a frame spans several chunks.
 */
export class FrameSplitter {
  private pending: Buffer[] = []
  private pendingLength = 0

  constructor(readonly maxFrameSize: number = DEFAULT_MAX_FRAME_SIZE) {}

  /** Bytes received but not yet part of a complete frame. */
  get buffered(): number {
    return this.pendingLength
  }

  /** Adds received bytes; returns the frames they complete, in order. */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.pending.push(chunk)
      this.pendingLength += chunk.length
    }
    const frames: Buffer[] = []
    while (this.pendingLength >= 4) {
      let head = this.pending[0]!
      if (head.length < 4) head = this.flatten()
      const size = head.readInt32BE(0)
      if (size < 0) throw new ProtocolError('MALFORMED', `Negative frame size ${size}`)
      if (size > this.maxFrameSize) {
        throw new ProtocolError('FRAME_TOO_LARGE', `Frame of ${size} bytes exceeds the maximum of ${this.maxFrameSize}`)
      }
      if (this.pendingLength < 4 + size) break
      if (head.length < 4 + size) head = this.flatten()
      frames.push(head.subarray(4, 4 + size))
      if (head.length === 4 + size) this.pending.shift()
      else this.pending[0] = head.subarray(4 + size)
      this.pendingLength -= 4 + size
    }
    return frames
  }

  /** The unconsumed bytes, as one Buffer. */
  rest(): Buffer {
    return this.pending.length === 1 ? this.pending[0]! : this.flattenOrEmpty()
  }

  private flattenOrEmpty(): Buffer {
    return this.pending.length === 0 ? Buffer.alloc(0) : this.flatten()
  }

  private flatten(): Buffer {
    const one = Buffer.concat(this.pending, this.pendingLength)
    this.pending = [one]
    return one
  }
}

/** Stateless form of FrameSplitter: complete frames in `data` and the bytes left over. */
export function splitFrames(
  data: Buffer | readonly Buffer[],
  maxFrameSize: number = DEFAULT_MAX_FRAME_SIZE,
): { frames: Buffer[]; rest: Buffer } {
  const splitter = new FrameSplitter(maxFrameSize)
  const frames: Buffer[] = []
  for (const chunk of Buffer.isBuffer(data) ? [data] : data) {
    for (const frame of splitter.push(chunk)) frames.push(frame)
  }
  return { frames, rest: splitter.rest() }
}
