// Connection without a network: a fake socket feeds raw bytes in odd-sized chunks and
// records what is written, paused, resumed and destroyed.
import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Broker } from '../../../core/broker/broker.js'
import { Connection } from '../../../core/server/connection.js'
import { Router } from '../../../core/server/router.js'
import { defaultHandlers } from '../../../core/server/handlers/index.js'
import type { ServerState } from '../../../core/server/context.js'
import { decodeResponseFrame, encodeRequestFrame, splitFrames } from '../../../core/protocol/frame.js'
import {
  ApiKeys,
  createApiVersionsRequest,
  createFetchRequest,
  createFetchRequestFetchPartition,
  createMetadataRequest,
  createProduceRequest,
} from '../../../core/protocol/apis/index.js'
import { encodeRecordBatch } from '../../../core/protocol/records/record-batch.js'
import { tmpDir } from '../../helpers/tmp.js'
import { waitFor } from '../../helpers/wait.js'

class FakeSocket extends EventEmitter {
  readonly remoteAddress = '10.0.0.7'
  readonly remotePort = 5555
  written: Buffer[] = []
  writes = 0
  corked = 0
  paused = false
  destroyed = false
  /** What write() answers: false simulates a full socket buffer. */
  accept = true
  setNoDelay(): void {}
  setTimeout(): void {}
  cork(): void {
    this.corked++
  }
  uncork(): void {}
  write(chunk: Buffer): boolean {
    this.written.push(Buffer.from(chunk))
    this.writes++
    return this.accept
  }
  pause(): void {
    this.paused = true
  }
  resume(): void {
    this.paused = false
  }
  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    queueMicrotask(() => this.emit('close'))
  }
  /** Response payloads written so far. */
  responses(): Buffer[] {
    return splitFrames(Buffer.concat(this.written)).frames
  }
  /** Feeds bytes in chunks of the given sizes, cycling. */
  feed(bytes: Buffer, sizes: number[]): void {
    let at = 0
    for (let i = 0; at < bytes.length; i++) {
      const n = sizes[i % sizes.length]!
      this.emit('data', bytes.subarray(at, at + n))
      at += n
    }
  }
}

let broker: Broker
let logged: string[]
let state: ServerState
const router = new Router(defaultHandlers)

beforeEach(async () => {
  broker = await Broker.open({ dataDir: tmpDir('brook-conn-') })
  logged = []
  state = {
    broker,
    advertisedHost: 'h',
    advertisedPort: 1,
    clusterId: 'c',
    logger: { info: (m) => logged.push(m), warn: (m) => logged.push(m), error: (m) => logged.push(m) },
    apiVersions: router.apiVersions,
  }
})

afterEach(async () => {
  await broker.close()
})

function open(socket: FakeSocket, maxInFlight = 100): Connection {
  return new Connection(socket as unknown as Socket, router, state, { maxFrameSize: 1 << 20, maxInFlight, maxIdleMs: 0 })
}

const apiVersions = (id: number): Buffer =>
  encodeRequestFrame(ApiKeys.ApiVersions, 3, id, 'c', { ...createApiVersionsRequest(), clientSoftwareName: 'c', clientSoftwareVersion: '1' })
const fetchFrame = (id: number, maxWaitMs: number): Buffer =>
  encodeRequestFrame(ApiKeys.Fetch, 12, id, 'c', {
    ...createFetchRequest(),
    maxWaitMs,
    minBytes: 1,
    topics: [{ topic: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [{ ...createFetchRequestFetchPartition(), partitionMaxBytes: 1 << 16 }] }],
  })
const produceFrame = (id: number): Buffer =>
  encodeRequestFrame(ApiKeys.Produce, 9, id, 'c', {
    ...createProduceRequest(),
    acks: 1,
    timeoutMs: 1000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records: encodeRecordBatch([{ key: null, value: Buffer.from('v'), timestamp: 1 }]) }] }],
  })

describe('Connection', () => {
  it('reassembles frames from any chunking and answers in order', async () => {
    const socket = new FakeSocket()
    open(socket)
    const bytes = Buffer.concat([apiVersions(1), encodeRequestFrame(ApiKeys.Metadata, 12, 2, 'c', { ...createMetadataRequest(), topics: null }), apiVersions(3)])
    socket.feed(bytes, [1, 3, 7, 2, 50])
    await waitFor('three answers', () => socket.responses().length === 3)
    const responses = socket.responses()
    expect(responses.map((r) => r.readInt32BE(0))).toEqual([1, 2, 3])
    expect(decodeResponseFrame(ApiKeys.Metadata, 12, responses[1]!).body.brokers[0]!.host).toBe('h')
    // One cork per response: its chunks leave as one writev.
    expect(socket.corked).toBe(3)
  })

  it('holds frames beyond the in-flight limit and pauses reading until answers go out', async () => {
    await broker.createTopic('t')
    const socket = new FakeSocket()
    open(socket, 1)
    // A long poll first: with one request in flight the produce must wait unparsed.
    socket.feed(Buffer.concat([fetchFrame(1, 300), produceFrame(2)]), [10_000])
    await waitFor('reading to pause', () => socket.paused)
    expect(broker.partition('t', 0).highWatermark).toBe(0)
    expect(socket.responses()).toEqual([])
    // Nothing wakes the fetch (the produce is behind it), so it answers at its deadline;
    // then the produce runs and reading resumes.
    await waitFor('both answers', () => socket.responses().length >= 2)
    expect(socket.responses().map((r) => r.readInt32BE(0))).toEqual([1, 2])
    expect(broker.partition('t', 0).highWatermark).toBe(1)
    expect(socket.paused).toBe(false)
  })

  it('pauses reading while the socket buffer is full and resumes on drain', async () => {
    const socket = new FakeSocket()
    open(socket)
    socket.accept = false
    socket.feed(apiVersions(1), [1000])
    await waitFor('the answer and a pause', () => socket.responses().length === 1 && socket.paused)
    socket.emit('drain')
    expect(socket.paused).toBe(false)
    socket.accept = true
    socket.feed(apiVersions(2), [1000])
    await waitFor('the second answer', () => socket.responses().length === 2)
    expect(socket.responses().map((r) => r.readInt32BE(0))).toEqual([1, 2])
  })

  it('closes on garbage with one log line and answers nothing after', async () => {
    const socket = new FakeSocket()
    open(socket)
    const junk = Buffer.from([0, 0, 0, 4, 0x7f, 0x7f, 0x7f, 0x7f])
    socket.feed(Buffer.concat([apiVersions(1), junk, apiVersions(2)]), [3])
    await waitFor('the connection to close', () => socket.destroyed)
    expect(logged.length).toBe(1)
    expect(logged[0]).toMatch(/^Closing connection from 10\.0\.0\.7:5555: MALFORMED/)
    expect(socket.responses().every((r) => r.readInt32BE(0) === 1)).toBe(true)
  })
})
