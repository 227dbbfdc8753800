// One client connection: cuts the byte stream into frames, starts each request at once
// (handlers may run concurrently: long-polling fetches, joins) and writes the answers
// strictly in request order, as Kafka clients match responses by position as well as id.
//
// Backpressure: reading pauses while too many requests are unanswered or while the socket
// has more unsent bytes than it wants; it resumes once both drain.
import type { Socket } from 'node:net'
import { FrameSplitter, ProtocolError } from '../protocol/frame.js'
import { apiSpec } from '../protocol/apis/index.js'
import type { ServerState } from './context.js'
import type { ConnectionInfo, Router } from './router.js'

export interface ConnectionOptions {
  /** socket.request.max.bytes: larger frames close the connection. */
  maxFrameSize: number
  /** Unanswered requests before reading pauses. */
  maxInFlight: number
}

interface Slot {
  done: boolean
  chunks: Buffer[] | null
}

export class Connection {
  private readonly splitter: FrameSplitter
  private readonly queue: Slot[] = []
  private readonly abort = new AbortController()
  private readonly info: ConnectionInfo
  private closed = false
  private writeBlocked = false
  private readPaused = false
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
    socket.on('drain', () => {
      this.writeBlocked = false
      this.maybeResume()
    })
    // Resets and broken pipes are the client's business; 'close' follows and cleans up.
    socket.on('error', () => undefined)
    socket.once('close', () => this.shutdown())
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
      if (this.closed) return
      this.dispatch(frame)
    }
    if (this.queue.length >= this.options.maxInFlight) this.pauseReading()
  }

  private dispatch(frame: Buffer): void {
    let response: Promise<Buffer[] | null>
    let label: string
    try {
      const d = this.router.dispatch(frame, this.info)
      response = d.response
      label = `${apiSpec(d.apiKey)?.name ?? d.apiKey} v${d.apiVersion} (correlation id ${d.correlationId})`
    } catch (err) {
      this.fail(err)
      return
    }
    const slot: Slot = { done: false, chunks: null }
    this.queue.push(slot)
    response.then(
      (chunks) => {
        slot.done = true
        slot.chunks = chunks
        this.flush()
      },
      (err: unknown) => this.fail(err, label),
    )
  }

  /** Writes every answered request at the head of the queue, in order. */
  private flush(): void {
    if (this.closed) return
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
    this.maybeResume()
  }

  private pauseReading(): void {
    if (this.readPaused || this.closed) return
    this.readPaused = true
    this.socket.pause()
  }

  private maybeResume(): void {
    if (!this.readPaused || this.closed || this.writeBlocked || this.queue.length >= this.options.maxInFlight) return
    this.readPaused = false
    this.socket.resume()
  }

  /** One log line, then this connection (only) goes away. */
  private fail(err: unknown, during?: string): void {
    if (this.closed) return
    const { logger } = this.server
    if (err instanceof ProtocolError) {
      const api = err.apiKey === undefined ? '' : ` (${apiSpec(err.apiKey)?.name ?? `api key ${err.apiKey}`}${err.apiVersion === undefined ? '' : ` v${err.apiVersion}`})`
      logger.warn(`Closing connection from ${this.remote}: ${err.kind}${api}: ${err.message}`)
    } else {
      logger.error(`Closing connection from ${this.remote}: handler failed${during ? ` on ${during}` : ''}`, err)
    }
    this.close()
  }

  private shutdown(): void {
    if (this.closed) return
    this.closed = true
    this.queue.length = 0
    // Ends long polls (fetch) that would otherwise wait for a client that is gone.
    this.abort.abort()
  }
}
