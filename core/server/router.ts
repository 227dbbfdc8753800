// Request bytes in, response bytes out: decodes a frame, picks the handler by api key,
// encodes its answer. No sockets here, so tests drive it with raw frames.
import { Writer } from '../protocol/primitives/writer.js'
import { decodeRequestFrame, encodeResponseFrameChunks, ProtocolError, type RequestFrame } from '../protocol/frame.js'
import { apiSpec, ApiKeys, type ApiKey, type RequestBodies, type ResponseBodies } from '../protocol/apis/index.js'
import { createApiVersionsResponse, type ApiVersionsResponseApiVersion } from '../protocol/apis/generated/api-versions.js'
import type { AnyApiHandler, ApiHandler, RequestContext, ServerState } from './context.js'
import { ErrorCode } from './error-codes.js'

/** What a connection knows about itself, for the RequestContext. */
export interface ConnectionInfo {
  readonly server: ServerState
  readonly clientHost: string
  readonly signal: AbortSignal
}

/** A decoded request on its way to its handler. */
export interface Dispatched {
  readonly apiKey: number
  readonly apiVersion: number
  readonly correlationId: number
  /** The response frame as chunks (records linked, not copied), or null when none is sent. */
  readonly response: Promise<Buffer[] | null>
}

export class Router {
  private readonly handlers = new Map<number, ApiHandler>()
  /** The ApiVersions answer: each handler's range clamped to what the codecs and Kafka's definitions allow. */
  readonly apiVersions: readonly ApiVersionsResponseApiVersion[]

  constructor(handlers: readonly AnyApiHandler[]) {
    const versions: ApiVersionsResponseApiVersion[] = []
    for (const h of handlers) {
      const spec = apiSpec(h.apiKey)
      if (spec === undefined) throw new Error(`No codec for api key ${h.apiKey}`)
      // Kafka marks the newest version of some apis unstable: never advertise it.
      const specMax = spec.latestVersionUnstable ? spec.maxVersion - 1 : spec.maxVersion
      const minVersion = Math.max(h.minVersion, spec.minVersion)
      const maxVersion = Math.min(h.maxVersion, specMax)
      if (minVersion > maxVersion) throw new Error(`${spec.name}: no version left in ${h.minVersion}-${h.maxVersion}`)
      if (this.handlers.has(h.apiKey)) throw new Error(`Two handlers for ${spec.name}`)
      this.handlers.set(h.apiKey, { ...h, minVersion, maxVersion } as ApiHandler)
      versions.push({ apiKey: h.apiKey, minVersion, maxVersion })
    }
    this.apiVersions = versions.sort((a, b) => a.apiKey - b.apiKey)
  }

  /** The version range served for an api, or undefined when it is not served. */
  versions(apiKey: number): { minVersion: number; maxVersion: number } | undefined {
    const h = this.handlers.get(apiKey)
    return h && { minVersion: h.minVersion, maxVersion: h.maxVersion }
  }

  /**
   * Decodes one frame payload and starts its handler. Throws a ProtocolError (synchronously)
   * for frames that cannot be answered: garbage, unknown apis, versions not served. An
   * ApiVersions request of a version not served gets the v0 error answer Kafka sends, so
   * clients downgrade.
   */
  dispatch(payload: Buffer, conn: ConnectionInfo): Dispatched {
    let frame: RequestFrame
    try {
      frame = decodeRequestFrame(payload)
    } catch (err) {
      const early = this.apiVersionsFallback(err)
      if (early) return early
      throw err
    }
    const { apiKey, apiVersion, correlationId } = frame
    if (frame.trailingBytes > 0) {
      conn.server.logger.debug?.(
        `Ignoring ${frame.trailingBytes} bytes after the known fields of ${apiSpec(apiKey)?.name ?? apiKey} v${apiVersion} (correlation id ${correlationId}, client ${frame.clientId ?? ''})`,
      )
    }
    const handler = this.handlers.get(apiKey)
    const range = handler && { min: handler.minVersion, max: handler.maxVersion }
    if (handler === undefined || apiVersion < range!.min || apiVersion > range!.max) {
      if (apiKey === ApiKeys.ApiVersions) return this.unsupportedApiVersions(correlationId)
      const what = handler === undefined ? 'is not served' : `version ${apiVersion} is outside ${range!.min}-${range!.max}`
      throw new ProtocolError(
        handler === undefined ? 'UNKNOWN_API' : 'UNSUPPORTED_VERSION',
        `${apiSpec(apiKey)?.name ?? apiKey} ${what}`,
        { context: { apiKey, apiVersion, correlationId } },
      )
    }
    const ctx: RequestContext = {
      server: conn.server,
      broker: conn.server.broker,
      apiVersion,
      clientId: frame.clientId ?? '',
      clientHost: conn.clientHost,
      signal: conn.signal,
    }
    const response = run(handler, frame.body, ctx).then((body) =>
      body === null ? null : encodeResponseFrameChunks(apiKey, apiVersion, correlationId, body as ResponseBodies[ApiKey], new Writer(256)),
    )
    return { apiKey, apiVersion, correlationId, response }
  }

  /** ApiVersions with a version newer than the codecs know still gets an answer. */
  private apiVersionsFallback(err: unknown): Dispatched | null {
    if (
      err instanceof ProtocolError &&
      err.kind === 'UNSUPPORTED_VERSION' &&
      err.apiKey === ApiKeys.ApiVersions &&
      err.correlationId !== undefined &&
      (err.apiVersion ?? 0) > 0
    ) {
      return this.unsupportedApiVersions(err.correlationId)
    }
    return null
  }

  private unsupportedApiVersions(correlationId: number): Dispatched {
    const body = { ...createApiVersionsResponse(), errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [...this.apiVersions] }
    const chunks = encodeResponseFrameChunks(ApiKeys.ApiVersions, 0, correlationId, body, new Writer(256))
    return { apiKey: ApiKeys.ApiVersions, apiVersion: 0, correlationId, response: Promise.resolve(chunks) }
  }
}

async function run<K extends ApiKey>(handler: ApiHandler<K>, body: RequestBodies[K], ctx: RequestContext): Promise<ResponseBodies[K] | null> {
  return handler.handle(body, ctx)
}
