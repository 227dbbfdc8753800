// A minimal Kafka client for tests: encodes requests with the generated codecs, sends them
// over a socket (pipelined), decodes responses in order.
import net from 'node:net'
import {
  decodeResponseFrame,
  encodeRequestFrame,
  FrameSplitter,
  responseCorrelationId,
} from '../../../core/protocol/frame.js'
import type { ApiKey, RequestBodies, ResponseBodies } from '../../../core/protocol/apis/index.js'

interface Pending {
  apiKey: ApiKey
  apiVersion: number
  correlationId: number
  resolve: (body: unknown) => void
  reject: (err: unknown) => void
}

export class WireClient {
  private readonly splitter = new FrameSplitter(1 << 30)
  private readonly pending: Pending[] = []
  private nextCorrelationId = 1
  private closedError: Error | null = null
  readonly closed: Promise<void>
  /** Correlation ids in the order their responses arrived. */
  readonly arrivalOrder: number[] = []

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', () => undefined)
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.closedError = new Error('connection closed')
        for (const p of this.pending.splice(0)) p.reject(this.closedError)
        resolve()
      })
    })
  }

  static connect(port: number, host = '127.0.0.1'): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => {
        socket.off('error', reject)
        resolve(new WireClient(socket))
      })
      socket.once('error', reject)
    })
  }

  get isClosed(): boolean {
    return this.closedError !== null
  }

  /** Sends a request; the promise settles with its decoded response body. */
  send<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestBodies[K], clientId = 'wire-test'): Promise<ResponseBodies[K]> {
    const correlationId = this.nextCorrelationId++
    const frame = encodeRequestFrame(apiKey, apiVersion, correlationId, clientId, body)
    return this.sendFrame(frame, apiKey, apiVersion, correlationId) as Promise<ResponseBodies[K]>
  }

  /** Sends a request that gets no response (Produce acks=0). */
  sendOneWay<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestBodies[K]): void {
    this.socket.write(encodeRequestFrame(apiKey, apiVersion, this.nextCorrelationId++, 'wire-test', body))
  }

  /** Raw bytes, no response expected. */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  sendFrame(frame: Buffer, apiKey: ApiKey, apiVersion: number, correlationId: number): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError)
    return new Promise((resolve, reject) => {
      this.pending.push({ apiKey, apiVersion, correlationId, resolve, reject })
      this.socket.write(frame)
    })
  }

  private onData(chunk: Buffer): void {
    for (const payload of this.splitter.push(chunk)) {
      const p = this.pending.shift()
      if (!p) throw new Error('response without request')
      const id = responseCorrelationId(payload)
      this.arrivalOrder.push(id)
      if (id !== p.correlationId) {
        p.reject(new Error(`expected correlation id ${p.correlationId}, got ${id}`))
        continue
      }
      try {
        p.resolve(decodeResponseFrame(p.apiKey, p.apiVersion, payload).body)
      } catch (err) {
        p.reject(err)
      }
    }
  }

  close(): Promise<void> {
    this.socket.end()
    this.socket.destroy()
    return this.closed
  }
}
