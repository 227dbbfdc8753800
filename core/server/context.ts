// What a request handler sees: the broker, how this server is reached, and who asked.
import type { Broker } from '../broker/broker.js'
import type { ApiKey, RequestBodies, ResponseBodies } from '../protocol/apis/index.js'
import type { ApiVersionsResponseApiVersion } from '../protocol/apis/generated/api-versions.js'

import type { BrookLogger, RateLimitedLogger } from '../logger.js'

/** Where server events go; one line per event. */
export type ServerLogger = BrookLogger

/** Shared by every connection of one server. */
export interface ServerState {
  readonly broker: Broker
  /** Host and port clients are told to connect to (Metadata, FindCoordinator, DescribeCluster). */
  readonly advertisedHost: string
  readonly advertisedPort: number
  readonly clusterId: string
  readonly logger: ServerLogger
  /** The same logger rate-limited per cause: what clients can trigger at will goes through it. */
  readonly limitedLogger?: RateLimitedLogger
  /** The ApiVersions answer, derived from the handler table. */
  readonly apiVersions: readonly ApiVersionsResponseApiVersion[]
}

export interface RequestContext {
  readonly server: ServerState
  readonly broker: Broker
  readonly apiVersion: number
  readonly clientId: string
  /** The peer address in Kafka's form ('/127.0.0.1'), as DescribeGroups reports it. */
  readonly clientHost: string
  /** Aborted when the connection closes, so long polls stop waiting for nobody. */
  readonly signal: AbortSignal
}

/**
 * One api. Handlers answer with the response body, or null for no response at all
 * (Produce with acks=0). Per-partition failures go into error codes; a thrown error
 * is unexpected and closes the connection.
 */
export interface ApiHandler<K extends ApiKey = ApiKey> {
  readonly apiKey: K
  readonly minVersion: number
  readonly maxVersion: number
  handle(request: RequestBodies[K], ctx: RequestContext): Promise<ResponseBodies[K] | null> | ResponseBodies[K] | null
}

/** A handler of some api: what handler tables hold. */
export type AnyApiHandler = { [K in ApiKey]: ApiHandler<K> }[ApiKey]

/** Identity, for type inference of the handler's request and response. */
export function defineHandler<K extends ApiKey>(handler: ApiHandler<K>): ApiHandler<K> {
  return handler
}
