// One client connection: cuts the byte stream into frames, starts each request at once
// (handlers may run concurrently: long-polling fetches, joins) and writes the answers
// strictly in request order, as the protocol promises and clients rely on.
//
// Backpressure: frames beyond maxInFlight unanswered requests wait unparsed in a backlog,
// and reading pauses while that backlog is non-empty or the socket has more unsent bytes
// than it wants; it resumes once both drain.
import type { Socket } from 'node:net'
import { FrameSplitter, ProtocolError } from '../protocol/frame.js'
import { apiSpec } from '../protocol/apis/index.js'
import type { ServerState } from './context.js'
import type { ConnectionInfo, Dispatched, Router } from './router.js'
import type { PoolMember, RequestBytesPool } from './request-bytes-pool.js'
import { type BrookLogger, RateLimitedLogger } from '../logger.js'

const limiters = new WeakMap<BrookLogger, RateLimitedLogger>()
/** A server state built without a rate-limited logger gets one per logger. */
function limitedFor(logger: BrookLogger): RateLimitedLogger {
  let l = limiters.get(logger)
  if (l === undefined) limiters.set(logger, (l = new RateLimitedLogger(logger)))
  return l
}

export interface ConnectionOptions {
  /** socket.request.max.bytes: larger frames close the connection. */
  maxFrameSize: number
  /** Unanswered requests before further frames wait (and reading pauses). */
  maxInFlight: number
  /** connections.max.idle.ms: a connection with nothing in flight for this long is closed. 0 = never. */
  maxIdleMs: number
  /** queued.max.request.bytes across all connections; reading pauses while it is full. */
  pool?: RequestBytesPool
}

interface Slot {
  done: boolean
  chunks: Buffer[] | null
}

export class Connection implements PoolMember {
  private readonly splitter: FrameSplitter
  private readonly queue: Slot[] = []
  /** Complete frames not yet dispatched because maxInFlight requests are unanswered. */
  private readonly backlog: Buffer[] = []
  private readonly abort = new AbortController()
  private readonly info: ConnectionInfo
  private closed = false
  private writeBlocked = false
  private readPaused = false
  private poolPaused = false
  /** Bytes this connection holds in the pool (partial frame + backlog). */
  private pooled = 0
  private backlogBytes = 0
  readonly remote: string
  readonly closedPromise: Promise<void>

  constructor(
    private readonly socket: Socket,
    private readonly router: Router,
    private readonly server: ServerState,
    private readonly options: ConnectionOptions,
  ) {
    this.splitter = new FrameSplitter(options.maxFrameSize)
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`
    this.info = { server, clientHost: `/${socket.remoteAddress ?? ''}`, signal: this.abort.signal }
    socket.setNoDelay(true)
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()))
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    options.pool?.register(this)
    socket.on('drain', () => {
      this.writeBlocked = false
      this.maybeResume()
    })
    // Resets and broken pipes are the client's business; 'close' follows and cleans up.
    socket.on('error', () => undefined)
    socket.once('close', () => this.shutdown())
    if (options.maxIdleMs > 0) {
      // 'on', not setTimeout's callback (a once listener): the timer fires again after activity.
      socket.setTimeout(options.maxIdleMs)
      socket.on('timeout', () => {
        // Long polls and joins in flight are not idleness.
        if (this.queue.length === 0 && this.backlog.length === 0) this.close()
      })
    }
  }

  /** Requests received and not yet answered. */
  get inFlight(): number {
    return this.queue.length
  }

  /** Closes the connection now; unanswered requests are dropped. */
  close(): void {
    this.shutdown()
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return
    let frames: Buffer[]
    try {
      frames = this.splitter.push(chunk)
    } catch (err) {
      this.fail(err)
      return
    }
    for (const frame of frames) {
      this.backlog.push(frame)
      this.backlogBytes += frame.length
    }
    this.pump()
    this.account()
    if (this.backlog.length > 0) this.pauseReading()
  }

  /** Keeps this connection's share of queued.max.request.bytes up to date. */
  private account(): void {
    const pool = this.options.pool
    if (pool === undefined) return
    const now = this.closed ? 0 : this.splitter.buffered + this.backlogBytes
    if (now > this.pooled) pool.add(now - this.pooled)
    else if (now < this.pooled) pool.release(this.pooled - now)
    this.pooled = now
  }

  poolPause(): void {
    this.poolPaused = true
    this.pauseReading()
  }

  poolResumed(): void {
    this.poolPaused = false
    this.maybeResume()
  }

  /** Dispatches backlogged frames, in order, while fewer than maxInFlight are unanswered. */
  private pump(): void {
    while (!this.closed && this.backlog.length > 0 && this.queue.length < this.options.maxInFlight) {
      const frame = this.backlog.shift()!
      this.backlogBytes -= frame.length
      this.dispatch(frame)
    }
  }

  private dispatch(frame: Buffer): void {
    let d: Dispatched
    try {
      d = this.router.dispatch(frame, this.info)
    } catch (err) {
      this.fail(err)
      return
    }
    const slot: Slot = { done: false, chunks: null }
    this.queue.push(slot)
    d.response.then(
      (chunks) => {
        slot.done = true
        slot.chunks = chunks
        this.flush()
      },
      (err: unknown) => this.fail(err, `${apiSpec(d.apiKey)?.name ?? d.apiKey} v${d.apiVersion} (correlation id ${d.correlationId})`),
    )
  }

  /** Writes every answered request at the head of the queue, in order. */
  private flush(): void {
    if (this.closed) return
    this.writeAnswered()
    // Answers made room for frames waiting in the backlog.
    this.pump()
    this.account()
    this.maybeResume()
  }

  private writeAnswered(): void {
    while (this.queue.length > 0 && this.queue[0]!.done) {
      const { chunks } = this.queue.shift()!
      if (chunks === null) continue
      // cork/uncork turns the chunks (header, fields, linked record batches) into one writev.
      this.socket.cork()
      let ok = true
      for (const c of chunks) ok = this.socket.write(c)
      this.socket.uncork()
      if (!ok) {
        this.writeBlocked = true
        this.pauseReading()
      }
    }
  }

  private pauseReading(): void {
    if (this.readPaused || this.closed) return
    this.readPaused = true
    this.socket.pause()
  }

  private maybeResume(): void {
    if (!this.readPaused || this.closed || this.writeBlocked || this.poolPaused || this.backlog.length > 0) return
    this.readPaused = false
    this.socket.resume()
  }

  /** One log line, then this connection (only) goes away. */
  private fail(err: unknown, during?: string): void {
    if (this.closed) return
    // Clients can send bad frames at will: one cause, a few lines a minute, the rest counted.
    const log = this.server.limitedLogger ?? limitedFor(this.server.logger)
    if (err instanceof ProtocolError) {
      const api = err.apiKey === undefined ? '' : ` (${apiSpec(err.apiKey)?.name ?? `api key ${err.apiKey}`}${err.apiVersion === undefined ? '' : ` v${err.apiVersion}`})`
      log.warn(`connection.${err.kind}`, `Closing connection from ${this.remote}: ${err.kind}${api}: ${err.message}`)
    } else {
      log.error('connection.handler', `Closing connection from ${this.remote}: handler failed${during ? ` on ${during}` : ''}`, err)
    }
    this.close()
  }

  private shutdown(): void {
    if (this.closed) return
    this.closed = true
    this.queue.length = 0
    this.backlog.length = 0
    this.backlogBytes = 0
    this.account()
    this.options.pool?.unregister(this)
    // Ends long polls (fetch) that would otherwise wait for a client that is gone.
    this.abort.abort()
  }
}
