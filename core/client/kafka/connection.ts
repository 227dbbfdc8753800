// One TCP connection to one broker: request pipelining matched by correlation id,
// the ApiVersions handshake, and the version choice per api (the highest both sides
// speak). Requests beyond maxInFlight wait their turn in order.
import net from 'node:net'
import { BrookError } from '../../errors.js'
import { apiSpec, ApiKeys, type ApiKey, type RequestBodies, type ResponseBodies } from '../../protocol/apis/index.js'
import { createApiVersionsRequest, type ApiVersionsResponse } from '../../protocol/apis/generated/api-versions.js'
import { decodeResponseFrame, encodeRequestFrameChunks, FrameSplitter, responseCorrelationId } from '../../protocol/frame.js'
import { Writer } from '../../protocol/primitives/writer.js'
import { kafkaError, networkError, timeoutError } from './errors.js'

export interface ConnectionOptions {
  host: string
  port: number
  clientId: string
  /** Default 30000. */
  requestTimeoutMs?: number
  /** Default 10000. */
  connectTimeoutMs?: number
  /** Requests awaiting a response at once; default 5, as Kafka's max.in.flight.requests.per.connection. */
  maxInFlight?: number
}

export interface SendOptions {
  /** Overrides the connection's request timeout (long polls add their wait time). */
  timeoutMs?: number
  /** Produce with acks=0: the broker sends nothing back; resolves once written. */
  noResponse?: boolean
}

interface Pending {
  apiKey: ApiKey
  version: number
  resolve(body: unknown): void
  reject(err: Error): void
  timer: NodeJS.Timeout | null
}

interface Queued {
  run(): void
}

const SOFTWARE_NAME = 'brook'
const SOFTWARE_VERSION = '0.1.0'

export class Connection {
  readonly host: string
  readonly port: number
  private readonly clientId: string
  private readonly requestTimeoutMs: number
  private readonly maxInFlight: number
  private readonly socket: net.Socket
  private readonly splitter = new FrameSplitter()
  private readonly pending = new Map<number, Pending>()
  private readonly waiting: Queued[] = []
  private inFlight = 0
  private nextCorrelationId = 1
  private versions = new Map<number, { min: number; max: number }>()
  private closedWith: Error | null = null
  private readonly closeListeners: Array<(err: Error) => void> = []

  private constructor(socket: net.Socket, options: ConnectionOptions) {
    this.socket = socket
    this.host = options.host
    this.port = options.port
    this.clientId = options.clientId
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000
    this.maxInFlight = options.maxInFlight ?? 5
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (err) => this.fail(networkError(`Connection to ${this.address} failed: ${err.message}`, err)))
    socket.on('close', () => this.fail(networkError(`Connection to ${this.address} was closed`)))
  }

  get address(): string {
    return `${this.host}:${this.port}`
  }

  get closed(): boolean {
    return this.closedWith !== null
  }

  /** Requests sent and not yet answered. */
  get outstanding(): number {
    return this.inFlight + this.waiting.length
  }

  /** Connects and negotiates api versions. */
  static async open(options: ConnectionOptions): Promise<Connection> {
    const timeoutMs = options.connectTimeoutMs ?? 10_000
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: options.host, port: options.port })
      const timer = setTimeout(() => {
        s.destroy()
        reject(timeoutError(`Connecting to ${options.host}:${options.port} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      s.once('connect', () => {
        clearTimeout(timer)
        s.removeAllListeners('error')
        resolve(s)
      })
      s.once('error', (err) => {
        clearTimeout(timer)
        reject(networkError(`Cannot connect to ${options.host}:${options.port}: ${err.message}`, err))
      })
    })
    const conn = new Connection(socket, options)
    try {
      await conn.handshake()
    } catch (err) {
      conn.close()
      throw err
    }
    return conn
  }

  private async handshake(): Promise<void> {
    const spec = apiSpec(ApiKeys.ApiVersions)!
    let version = spec.maxVersion
    for (let attempt = 0; attempt < 3; attempt++) {
      const body = { ...createApiVersionsRequest(), clientSoftwareName: SOFTWARE_NAME, clientSoftwareVersion: SOFTWARE_VERSION }
      const res = await this.request(ApiKeys.ApiVersions, version, body, {})
      if (res.errorCode === 35) {
        // The broker answered in v0 with what it speaks: retry at its highest ApiVersions.
        const theirs = res.apiKeys.find((k) => k.apiKey === ApiKeys.ApiVersions)
        const next = Math.min(spec.maxVersion, theirs?.maxVersion ?? 0)
        if (next >= version) break
        version = next
        continue
      }
      if (res.errorCode !== 0) throw kafkaError(res.errorCode, `ApiVersions with ${this.address}`)
      this.versions = new Map(res.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]))
      return
    }
    throw new BrookError('UNSUPPORTED_VERSION', `${this.address} speaks no ApiVersions version this client knows`)
  }

  /** The version used for an api: the highest both sides support. */
  versionFor(apiKey: ApiKey): number {
    const v = this.maybeVersionFor(apiKey)
    if (v === null) {
      const spec = apiSpec(apiKey)
      const theirs = this.versions.get(apiKey)
      throw new BrookError(
        'UNSUPPORTED_VERSION',
        `${spec?.name ?? apiKey}: ${this.address} supports ${theirs ? `versions ${theirs.min}-${theirs.max}` : 'no version'}, this client ${spec?.minVersion}-${spec?.maxVersion}`,
      )
    }
    return v
  }

  maybeVersionFor(apiKey: ApiKey): number | null {
    const spec = apiSpec(apiKey)
    const theirs = this.versions.get(apiKey)
    if (!spec || !theirs) return null
    const ours = spec.latestVersionUnstable ? spec.maxVersion - 1 : spec.maxVersion
    const v = Math.min(ours, theirs.max)
    return v >= Math.max(spec.minVersion, theirs.min) ? v : null
  }

  /** Sends a request at the negotiated version; resolves with the response body. */
  send<K extends ApiKey>(apiKey: K, body: RequestBodies[K], options: SendOptions = {}): Promise<ResponseBodies[K]> {
    return this.request(apiKey, this.versionFor(apiKey), body, options)
  }

  /** Sends at an explicit version (the caller has checked it with versionFor). */
  request<K extends ApiKey>(apiKey: K, version: number, body: RequestBodies[K], options: SendOptions): Promise<ResponseBodies[K]> {
    if (this.closedWith) return Promise.reject(this.closedWith)
    return new Promise<ResponseBodies[K]>((resolve, reject) => {
      const run = (): void => this.write(apiKey, version, body, options, resolve as (b: unknown) => void, reject)
      if (this.inFlight < this.maxInFlight) run()
      else this.waiting.push({ run })
    })
  }

  private write<K extends ApiKey>(
    apiKey: K,
    version: number,
    body: RequestBodies[K],
    options: SendOptions,
    resolve: (b: unknown) => void,
    reject: (e: Error) => void,
  ): void {
    if (this.closedWith) {
      reject(this.closedWith)
      return
    }
    const correlationId = this.nextCorrelationId
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff
    let chunks: Buffer[]
    try {
      // A fresh writer per request: the socket holds on to the chunks until they are flushed.
      chunks = encodeRequestFrameChunks(apiKey, version, correlationId, this.clientId, body, new Writer(512))
    } catch (err) {
      reject(err as Error)
      this.next()
      return
    }
    if (options.noResponse) {
      this.writeChunks(chunks)
      resolve(undefined)
      return
    }
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs
    const timer = setTimeout(() => {
      const name = apiSpec(apiKey)?.name ?? String(apiKey)
      // As the Java client: a timed-out connection is not trusted any more.
      this.fail(timeoutError(`${name} request to ${this.address} timed out after ${timeoutMs} ms`))
    }, timeoutMs)
    this.pending.set(correlationId, { apiKey, version, resolve, reject, timer })
    this.inFlight++
    this.writeChunks(chunks)
  }

  private writeChunks(chunks: Buffer[]): void {
    if (chunks.length === 1) {
      this.socket.write(chunks[0]!)
      return
    }
    this.socket.cork()
    for (const c of chunks) this.socket.write(c)
    this.socket.uncork()
  }

  private next(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) this.waiting.shift()!.run()
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[]
    try {
      frames = this.splitter.push(chunk)
    } catch (err) {
      this.fail(networkError(`Unreadable response from ${this.address}: ${(err as Error).message}`, err))
      return
    }
    for (const frame of frames) {
      let correlationId: number
      try {
        correlationId = responseCorrelationId(frame)
      } catch (err) {
        this.fail(networkError(`Unreadable response from ${this.address}: ${(err as Error).message}`, err))
        return
      }
      const p = this.pending.get(correlationId)
      if (!p) continue
      this.pending.delete(correlationId)
      if (p.timer) clearTimeout(p.timer)
      this.inFlight--
      try {
        p.resolve(this.decode(p, frame))
      } catch (err) {
        p.reject(err as Error)
      }
    }
    this.next()
  }

  private decode(p: Pending, frame: Buffer): unknown {
    if (p.apiKey === ApiKeys.ApiVersions && frame.length >= 6 && frame.readInt16BE(4) === 35 && p.version > 0) {
      // An ApiVersions error answer is always in v0.
      return decodeResponseFrame(ApiKeys.ApiVersions, 0, frame).body satisfies ApiVersionsResponse
    }
    return decodeResponseFrame(p.apiKey, p.version, frame).body
  }

  onClose(listener: (err: Error) => void): void {
    if (this.closedWith) listener(this.closedWith)
    else this.closeListeners.push(listener)
  }

  private fail(err: Error): void {
    if (this.closedWith) return
    this.closedWith = err
    this.socket.destroy()
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer)
      p.reject(err)
    }
    this.pending.clear()
    this.inFlight = 0
    const waiting = this.waiting.splice(0)
    // Queued requests run, see closedWith and reject.
    for (const q of waiting) q.run()
    for (const l of this.closeListeners.splice(0)) l(err)
  }

  close(): void {
    this.fail(new BrookError('CLOSED', `Connection to ${this.address} is closed`))
  }
}
