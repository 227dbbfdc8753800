import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { BrookError } from '../../../../core/errors.js'
import { Connection } from '../../../../core/client/kafka/connection.js'
import { ApiKeys, type ApiKey, type ResponseBodies } from '../../../../core/protocol/apis/index.js'
import { createApiVersionsResponse } from '../../../../core/protocol/apis/generated/api-versions.js'
import { createMetadataRequest, createMetadataResponse, createMetadataResponseTopic } from '../../../../core/protocol/apis/generated/metadata.js'
import { decodeRequestFrame, encodeResponseFrame, FrameSplitter, type RequestFrame } from '../../../../core/protocol/frame.js'
import { waitFor } from '../../../helpers/wait.js'

interface Fake {
  port: number
  seen: RequestFrame[]
  close(): Promise<void>
}

type Reply = <K extends ApiKey>(apiKey: K, version: number, body: ResponseBodies[K]) => void

const servers: Fake[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close()
})

/** A scripted broker: ApiVersions answered with `versions` unless `onRequest` handles it. */
async function fakeBroker(
  versions: Array<{ apiKey: number; minVersion: number; maxVersion: number }>,
  onRequest: (frame: RequestFrame, reply: Reply, socket: net.Socket) => boolean | void = () => false,
): Promise<Fake> {
  const seen: RequestFrame[] = []
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    const splitter = new FrameSplitter()
    socket.on('data', (chunk) => {
      for (const payload of splitter.push(chunk)) {
        const frame = decodeRequestFrame(payload)
        seen.push(frame)
        const reply: Reply = (apiKey, version, body) => {
          if (!socket.destroyed) socket.write(encodeResponseFrame(apiKey, version, frame.correlationId, body))
        }
        if (onRequest(frame, reply, socket) === true) continue
        if (frame.apiKey === ApiKeys.ApiVersions) {
          reply(ApiKeys.ApiVersions, frame.apiVersion, { ...createApiVersionsResponse(), apiKeys: versions })
        }
      }
    })
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const fake: Fake = {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  servers.push(fake)
  return fake
}

const BASIC = [
  { apiKey: ApiKeys.ApiVersions, minVersion: 0, maxVersion: 3 },
  { apiKey: ApiKeys.Metadata, minVersion: 0, maxVersion: 9 },
  { apiKey: ApiKeys.Produce, minVersion: 3, maxVersion: 20 },
]

function open(port: number, extra: Partial<Parameters<typeof Connection.open>[0]> = {}): Promise<Connection> {
  return Connection.open({ host: '127.0.0.1', port, clientId: 'test', ...extra })
}

function metadataAnswer(topic: string): ResponseBodies[3] {
  return { ...createMetadataResponse(), topics: [{ ...createMetadataResponseTopic(), name: topic }] }
}

const metadataFor = (topic: string) => ({ ...createMetadataRequest(), topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: topic }] })

describe('Connection', () => {
  it('uses the highest version both sides speak, and refuses apis the broker does not offer', async () => {
    const fake = await fakeBroker(BASIC)
    const conn = await open(fake.port)
    expect(conn.versionFor(ApiKeys.Metadata)).toBe(9)
    expect(conn.versionFor(ApiKeys.Produce)).toBe(11)
    expect(() => conn.versionFor(ApiKeys.Fetch)).toThrow(BrookError)
    expect(conn.maybeVersionFor(ApiKeys.Fetch)).toBeNull()
    conn.close()
  })

  it('retries ApiVersions at the version the broker names in its v0 error answer', async () => {
    const fake = await fakeBroker(BASIC, (frame, reply) => {
      if (frame.apiKey === ApiKeys.ApiVersions && frame.apiVersion > 3) {
        reply(ApiKeys.ApiVersions, 0, { ...createApiVersionsResponse(), errorCode: 35, apiKeys: BASIC })
        return true
      }
      return false
    })
    const conn = await open(fake.port)
    expect(fake.seen.map((f) => f.apiVersion)).toEqual([4, 3])
    expect(conn.versionFor(ApiKeys.Metadata)).toBe(9)
    conn.close()
  })

  it('matches pipelined responses to their requests by correlation id', async () => {
    const held: Array<() => void> = []
    const fake = await fakeBroker(BASIC, (frame, reply) => {
      if (frame.apiKey !== ApiKeys.Metadata) return false
      const topic = frame.body.topics![0]!.name!
      held.push(() => reply(ApiKeys.Metadata, frame.apiVersion, metadataAnswer(topic)))
      // Answer in reverse once all three arrived.
      if (held.length === 3) for (const answer of held.reverse()) answer()
      return true
    })
    const conn = await open(fake.port)
    const answers = await Promise.all(['a', 'b', 'c'].map((t) => conn.send(ApiKeys.Metadata, metadataFor(t))))
    expect(answers.map((a) => a.topics[0]!.name)).toEqual(['a', 'b', 'c'])
    conn.close()
  })

  it('keeps at most maxInFlight requests outstanding and sends the rest as answers come', async () => {
    const waiting: Array<() => void> = []
    const fake = await fakeBroker(BASIC, (frame, reply) => {
      if (frame.apiKey !== ApiKeys.Metadata) return false
      waiting.push(() => reply(ApiKeys.Metadata, frame.apiVersion, metadataAnswer(frame.body.topics![0]!.name!)))
      return true
    })
    const conn = await open(fake.port, { maxInFlight: 2 })
    const all = Promise.all(['a', 'b', 'c', 'd'].map((t) => conn.send(ApiKeys.Metadata, metadataFor(t))))
    const metadataSeen = (): number => fake.seen.filter((f) => f.apiKey === ApiKeys.Metadata).length
    // Two reach the broker; the other two wait for an answer (the broker holds both).
    await waitFor('two requests at the broker', () => waiting.length === 2)
    expect(metadataSeen()).toBe(2)
    expect(conn.outstanding).toBe(4)
    // Each answer lets one more through, never more than two unanswered at the broker.
    for (let answered = 0; answered < 4; answered++) {
      await waitFor('a request held by the broker', () => waiting.length > 0)
      expect(metadataSeen() - answered).toBeLessThanOrEqual(2)
      waiting.shift()!()
    }
    expect((await all).map((a) => a.topics[0]!.name)).toEqual(['a', 'b', 'c', 'd'])
    conn.close()
  })

  it('fails a request that gets no answer in time with a retriable TIMEOUT and drops the connection', async () => {
    const fake = await fakeBroker(BASIC, (frame) => frame.apiKey === ApiKeys.Metadata)
    const conn = await open(fake.port, { requestTimeoutMs: 150 })
    const err = await conn.send(ApiKeys.Metadata, metadataFor('t')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BrookError)
    expect((err as BrookError).code).toBe('TIMEOUT')
    expect((err as BrookError).retriable).toBe(true)
    expect(conn.closed).toBe(true)
  })

  it('fails outstanding requests with a retriable NETWORK_EXCEPTION when the broker hangs up', async () => {
    const fake = await fakeBroker(BASIC, (frame, _reply, socket) => {
      if (frame.apiKey !== ApiKeys.Metadata) return false
      socket.destroy()
      return true
    })
    const conn = await open(fake.port)
    const err = await conn.send(ApiKeys.Metadata, metadataFor('t')).catch((e: unknown) => e)
    expect((err as BrookError).code).toBe('NETWORK_EXCEPTION')
    expect((err as BrookError).retriable).toBe(true)
    const after = await conn.send(ApiKeys.Metadata, metadataFor('t')).catch((e: unknown) => e)
    expect((after as BrookError).code).toBe('NETWORK_EXCEPTION')
  })

  it('reports an unreachable broker as a retriable network error', async () => {
    const fake = await fakeBroker(BASIC)
    const port = fake.port
    await fake.close()
    servers.length = 0
    const err = await open(port).catch((e: unknown) => e)
    expect((err as BrookError).code).toBe('NETWORK_EXCEPTION')
    expect((err as BrookError).retriable).toBe(true)
  })

  it('sends acks=0 produce requests without waiting for an answer', async () => {
    const fake = await fakeBroker(BASIC)
    const conn = await open(fake.port)
    await conn.send(ApiKeys.Produce, { transactionalId: null, acks: 0, timeoutMs: 1000, topicData: [] }, { noResponse: true })
    await waitFor('the produce at the broker', () => fake.seen.some((f) => f.apiKey === ApiKeys.Produce))
    expect(conn.outstanding).toBe(0)
    conn.close()
  })
})
