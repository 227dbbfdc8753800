// Connection limits: queued.max.request.bytes across connections, max.connections.per.ip,
// and bad frames logged at a bounded rate.
import { EventEmitter } from 'node:events'
import net, { type Socket } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Broker } from '../../../core/broker/broker.js'
import { Connection } from '../../../core/server/connection.js'
import { Router } from '../../../core/server/router.js'
import { defaultHandlers } from '../../../core/server/handlers/index.js'
import type { ServerState } from '../../../core/server/context.js'
import { RequestBytesPool } from '../../../core/server/request-bytes-pool.js'
import { startServer, type BrookServer } from '../../../core/server/server.js'
import { encodeRequestFrame, splitFrames } from '../../../core/protocol/frame.js'
import { ApiKeys, createApiVersionsRequest } from '../../../core/protocol/apis/index.js'
import { tmpDir } from '../../helpers/tmp.js'

class FakeSocket extends EventEmitter {
  readonly remoteAddress = '10.0.0.7'
  readonly remotePort = 5555
  written: Buffer[] = []
  paused = false
  destroyed = false
  setNoDelay(): void {}
  setTimeout(): void {}
  cork(): void {}
  uncork(): void {}
  write(chunk: Buffer): boolean {
    this.written.push(Buffer.from(chunk))
    return true
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
  responses(): Buffer[] {
    return splitFrames(Buffer.concat(this.written)).frames
  }
}

let broker: Broker
let lines: string[]
let state: ServerState
const router = new Router(defaultHandlers)
let server: BrookServer | null = null

beforeEach(async () => {
  broker = await Broker.open({ dataDir: tmpDir('brook-limits-') })
  lines = []
  state = {
    broker,
    advertisedHost: 'h',
    advertisedPort: 1,
    clusterId: 'c',
    logger: { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) },
    apiVersions: router.apiVersions,
  }
})

afterEach(async () => {
  await server?.close()
  server = null
  await broker.close()
})

const apiVersions = (id: number): Buffer =>
  encodeRequestFrame(ApiKeys.ApiVersions, 3, id, 'c', { ...createApiVersionsRequest(), clientSoftwareName: 'c', clientSoftwareVersion: '1' })

/** The size prefix of a frame announced as `size` bytes, followed by `have` bytes of it. */
function partialFrame(size: number, have: number): Buffer {
  const b = Buffer.alloc(4 + have)
  b.writeInt32BE(size, 0)
  return b
}

const waitFor = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((r) => setImmediate(r))
}

describe('queued.max.request.bytes', () => {
  it('bytes held by all connections share one pool: once full every connection stops reading, and reads resume when it drains', async () => {
    const pool = new RequestBytesPool(10_000)
    const options = { maxFrameSize: 1 << 20, maxInFlight: 100, maxIdleMs: 0, pool }
    const a = new FakeSocket()
    const b = new FakeSocket()
    new Connection(a as unknown as Socket, router, state, options)
    new Connection(b as unknown as Socket, router, state, options)
    a.emit('data', partialFrame(50_000, 6_000))
    expect(pool.usedBytes).toBe(6_004)
    expect(a.paused || b.paused).toBe(false)
    b.emit('data', partialFrame(50_000, 6_000))
    // Neither connection alone is near a per-connection cap; together they fill the pool.
    expect(pool.usedBytes).toBe(12_008)
    expect(a.paused && b.paused).toBe(true)
    // A connection opened while the pool is full starts paused.
    const c = new FakeSocket()
    new Connection(c as unknown as Socket, router, state, options)
    expect(c.paused).toBe(true)
    a.destroy()
    await waitFor(() => !c.paused)
    expect(pool.usedBytes).toBe(6_004)
    expect(b.paused).toBe(false)
    c.emit('data', apiVersions(1))
    await waitFor(() => c.responses().length === 1)
    b.destroy()
    c.destroy()
    await waitFor(() => pool.usedBytes === 0)
  })
})

describe('max.connections.per.ip', () => {
  it('closes connections from an address beyond the limit at once; the others keep working', async () => {
    server = await startServer(broker, { port: 0, maxConnectionsPerIp: 2, logger: state.logger })
    const connect = (): Promise<net.Socket> =>
      new Promise((resolve, reject) => {
        const s = net.connect(server!.port, '127.0.0.1', () => resolve(s))
        s.once('error', reject)
      })
    const first = await connect()
    const second = await connect()
    await waitFor(() => server!.connectionCount === 2)
    const third = await connect()
    await new Promise<void>((resolve) => third.once('close', () => resolve()))
    expect(lines.some((l) => l.includes('max.connections.per.ip=2'))).toBe(true)
    const answer = new Promise<Buffer>((resolve) => first.once('data', resolve))
    first.write(apiVersions(7))
    expect((await answer).length).toBeGreaterThan(8)
    first.destroy()
    second.destroy()
  })
})

describe('bad frames', () => {
  it('200 connections sending garbage cost a handful of WARN lines, with a count of the rest', async () => {
    server = await startServer(broker, { port: 0, logger: state.logger })
    for (let i = 0; i < 200; i++) {
      const s = net.connect(server.port, '127.0.0.1')
      s.on('error', () => undefined)
      await new Promise<void>((resolve) => s.once('connect', () => resolve()))
      const garbage = Buffer.alloc(8)
      garbage.writeInt32BE(-5, 0)
      s.write(garbage)
      await new Promise<void>((resolve) => s.once('close', () => resolve()))
    }
    const warns = lines.filter((l) => l.includes('Closing connection'))
    expect(warns.length).toBeLessThanOrEqual(5)
    expect(warns.length).toBeGreaterThan(0)
    await server.close()
    server = null
    // What was dropped is counted, not lost without a word.
    expect(lines).toContain(`${200 - warns.length} more lines of 'connection.MALFORMED' suppressed`)
  })
})

describe('partition bombs over the wire', () => {
  it('CreateTopics with 25,000 partitions and CreatePartitions to 2^31-1 are answered with POLICY_VIOLATION, nothing created', async () => {
    const { KafkaClient } = await import('../../../core/client/kafka/client.js')
    server = await startServer(broker, { port: 0, logger: state.logger })
    const client = await KafkaClient.connect({ bootstrapServers: `127.0.0.1:${server.port}` })
    const admin = client.admin()
    const codeOf = async (p: Promise<unknown>): Promise<string> => {
      try {
        await p
        return 'NONE'
      } catch (err) {
        return (err as { code?: string }).code ?? String(err)
      }
    }
    expect(await codeOf(admin.createTopics([{ topic: 'bomb', numPartitions: 25_000 }]))).toBe('POLICY_VIOLATION')
    expect(broker.hasTopic('bomb')).toBe(false)
    await admin.createTopics([{ topic: 'small', numPartitions: 1 }])
    expect(await codeOf(admin.createPartitions('small', 2 ** 31 - 1))).toBe('POLICY_VIOLATION')
    expect(broker.describeTopic('small').partitions).toBe(1)
    await client.close()
  })
})
