// The Kafka wire protocol listener: a net.Server whose connections dispatch to one Broker.
// Protocol work is in core/protocol (pure); this module only owns sockets.
import { createHash } from 'node:crypto'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { Broker } from '../broker/broker.js'
import { InvalidConfigError } from '../errors.js'
import { RateLimitedLogger, stderrLogger } from '../logger.js'
import { RequestBytesPool } from './request-bytes-pool.js'
import { DEFAULT_MAX_FRAME_SIZE } from '../protocol/frame.js'
import { Connection } from './connection.js'
import type { AnyApiHandler, ServerLogger, ServerState } from './context.js'
import { defaultHandlers } from './handlers/index.js'
import { Router } from './router.js'

export interface ServerOptions {
  /** Interface to bind. Default 127.0.0.1. */
  host?: string
  /** Port to bind; 0 picks a free one. Default 9092. */
  port?: number
  /** Host clients are told to connect to. Default: host, or the machine's name when host is a wildcard. */
  advertisedHost?: string
  /** Port clients are told to connect to. Default: the bound port. */
  advertisedPort?: number
  /** socket.request.max.bytes: larger request frames close the connection. Default 104857600. */
  socketRequestMaxBytes?: number
  /** Unanswered requests per connection before the server stops reading from it. Default 100. */
  maxInFlightRequests?: number
  /** connections.max.idle.ms: idle connections are closed after this long. Default 600000; 0 = never. */
  connectionsMaxIdleMs?: number
  /** queued.max.request.bytes: request bytes all connections together hold while reading and queued; reading pauses beyond. Default 536870912; -1 = unbounded. */
  queuedMaxRequestBytes?: number
  /** max.connections.per.ip: further connections from one address are closed at once. Default 1000. */
  maxConnectionsPerIp?: number
  /** max.connections: connections at most; further ones are closed at once. Default 4000. */
  maxConnections?: number
  /** Cluster id reported in Metadata and DescribeCluster. Default: derived from the data directory. */
  clusterId?: string
  logger?: ServerLogger
}

export interface BrookServer {
  /** The bound host and port (port resolved when 0 was asked for). */
  readonly host: string
  readonly port: number
  readonly advertisedHost: string
  readonly advertisedPort: number
  /** Open connections right now. */
  readonly connectionCount: number
  /** Request bytes held across connections (queued.max.request.bytes counts these). */
  readonly queuedRequestBytes: number
  /** Stops listening and closes every connection. The broker stays open. */
  close(): Promise<void>
}

export { stderrLogger }

/** A stable 22-character base64url id per data directory, the form Kafka cluster ids take. */
export function clusterIdFor(dataDir: string): string {
  return createHash('sha256').update(path.resolve(dataDir)).digest().subarray(0, 16).toString('base64url')
}

const WILDCARDS = new Set(['0.0.0.0', '::', ''])

export async function startServer(broker: Broker, options: ServerOptions = {}, handlers: readonly AnyApiHandler[] = defaultHandlers): Promise<BrookServer> {
  const host = options.host ?? '127.0.0.1'
  const maxFrameSize = options.socketRequestMaxBytes ?? DEFAULT_MAX_FRAME_SIZE
  const maxInFlight = options.maxInFlightRequests ?? 100
  const maxIdleMs = options.connectionsMaxIdleMs ?? 600_000
  const logger = options.logger ?? stderrLogger
  const queuedMaxRequestBytes = options.queuedMaxRequestBytes ?? 536_870_912
  const maxPerIp = options.maxConnectionsPerIp ?? 1000
  const maxConnections = options.maxConnections ?? 4000
  if (queuedMaxRequestBytes !== -1) checkInt('queuedMaxRequestBytes', queuedMaxRequestBytes, 1, Number.MAX_SAFE_INTEGER)
  checkInt('maxConnectionsPerIp', maxPerIp, 1, Number.MAX_SAFE_INTEGER)
  checkInt('maxConnections', maxConnections, 1, Number.MAX_SAFE_INTEGER)
  checkInt('port', options.port ?? 9092, 0, 65535)
  if (options.advertisedPort !== undefined) checkInt('advertisedPort', options.advertisedPort, 1, 65535)
  checkInt('socketRequestMaxBytes', maxFrameSize, 1, 2 ** 31 - 1)
  checkInt('maxInFlightRequests', maxInFlight, 1, Number.MAX_SAFE_INTEGER)
  checkInt('connectionsMaxIdleMs', maxIdleMs, 0, 2 ** 31 - 1)
  const router = new Router(handlers)
  const listener = net.createServer({ noDelay: true })
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject)
    listener.listen(options.port ?? 9092, host, () => {
      listener.off('error', reject)
      resolve()
    })
  })
  const bound = listener.address() as net.AddressInfo
  const limited = new RateLimitedLogger(logger)
  const state: ServerState = {
    broker,
    advertisedHost: options.advertisedHost ?? (WILDCARDS.has(host) ? os.hostname() : host),
    advertisedPort: options.advertisedPort ?? bound.port,
    clusterId: options.clusterId ?? clusterIdFor(broker.config.dataDir),
    logger,
    limitedLogger: limited,
    apiVersions: router.apiVersions,
  }

  const pool = new RequestBytesPool(queuedMaxRequestBytes)
  const connections = new Set<Connection>()
  const perIp = new Map<string, number>()
  listener.on('connection', (socket) => {
    const ip = socket.remoteAddress ?? '?'
    const fromIp = perIp.get(ip) ?? 0
    if (fromIp >= maxPerIp || connections.size >= maxConnections) {
      const which = fromIp >= maxPerIp ? `${fromIp} connections from ${ip} (max.connections.per.ip=${maxPerIp})` : `${connections.size} connections (max.connections=${maxConnections})`
      limited.warn('connection.limit', `Refusing a connection from ${ip}: already ${which}`)
      socket.destroy()
      return
    }
    perIp.set(ip, fromIp + 1)
    const conn = new Connection(socket, router, state, { maxFrameSize, maxInFlight, maxIdleMs, pool })
    connections.add(conn)
    void conn.closedPromise.then(() => {
      connections.delete(conn)
      const n = (perIp.get(ip) ?? 1) - 1
      if (n <= 0) perIp.delete(ip)
      else perIp.set(ip, n)
    })
  })
  // A failing accept (EMFILE...) must not take the process down.
  listener.on('error', (err) => limited.error('listener', 'Listener error', err))

  let closing: Promise<void> | null = null
  return {
    host: bound.address,
    port: bound.port,
    advertisedHost: state.advertisedHost,
    advertisedPort: state.advertisedPort,
    get connectionCount() {
      return connections.size
    },
    get queuedRequestBytes() {
      return pool.usedBytes
    },
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => listener.close(() => resolve()))
        const all = [...connections]
        for (const c of all) c.close()
        await Promise.all(all.map((c) => c.closedPromise))
        await stopped
        limited.reportSuppressed()
      })()
      return closing
    },
  }
}

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidConfigError(name, `expected an integer from ${min} to ${max}, got ${value}`)
  }
}
