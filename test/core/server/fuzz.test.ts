// Thousands of mutated (bit-flipped, truncated, extended) valid request frames over real
// sockets; afterwards a fresh connection must still get ApiVersions and Metadata answers.
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Broker } from '../../../core/broker/broker.js'
import { startServer, type BrookServer } from '../../../core/server/server.js'
import type { ServerLogger } from '../../../core/server/context.js'
import { decodeRequestFrame, encodeRequestFrame } from '../../../core/protocol/frame.js'
import {
  ApiKeys,
  createApiVersionsRequest,
  createDescribeConfigsRequest,
  createFetchRequest,
  createFetchRequestFetchPartition,
  createFindCoordinatorRequest,
  createJoinGroupRequest,
  createListOffsetsRequest,
  createListOffsetsRequestListOffsetsPartition,
  createMetadataRequest,
  createMetadataRequestTopic,
  createOffsetCommitRequest,
  createOffsetFetchRequest,
  createProduceRequest,
  createSyncGroupRequest,
} from '../../../core/protocol/apis/index.js'
import { encodeRecordBatch } from '../../../core/protocol/records/record-batch.js'
import { WireClient } from './wire-client.js'

const FRAMES = 4000
// Most mutations are fatal to their connection, so few frames per connection reach the parser more often.
const FRAMES_PER_CONNECTION = 4
const TIME_BUDGET_MS = 20_000

let dataDir: string
let broker: Broker
let server: BrookServer
let logLines = 0
const errors: string[] = []
const logger: ServerLogger = {
  info: () => logLines++,
  warn: () => logLines++,
  error: (message, err) => {
    logLines++
    errors.push(`${message} ${String(err)}`)
  },
}

beforeAll(async () => {
  // No auto-creation: mutated topic names must not fill the disk with topics.
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-fuzz-'))
  broker = await Broker.open({ dataDir, autoCreateTopicsEnable: false })
  await broker.createTopic('fuzz', { numPartitions: 2 })
  server = await startServer(broker, { port: 0, logger, socketRequestMaxBytes: 1 << 20 })
})

afterAll(async () => {
  await server.close()
  await broker.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

/** Small deterministic PRNG (mulberry32) so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function seedFrames(): Buffer[] {
  const records = encodeRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1 }])
  const partition = { ...createFetchRequestFetchPartition(), partition: 0, fetchOffset: 0, partitionMaxBytes: 4096 }
  let id = 0
  const f = <K extends Parameters<typeof encodeRequestFrame>[0]>(key: K, v: number, body: Parameters<typeof encodeRequestFrame<K>>[4]) =>
    encodeRequestFrame(key, v, ++id, 'fuzz', body)
  return [
    f(ApiKeys.ApiVersions, 3, { ...createApiVersionsRequest(), clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' }),
    f(ApiKeys.ApiVersions, 0, createApiVersionsRequest()),
    f(ApiKeys.Metadata, 12, { ...createMetadataRequest(), topics: [{ ...createMetadataRequestTopic(), name: 'fuzz' }] }),
    f(ApiKeys.Metadata, 4, { ...createMetadataRequest(), topics: null }),
    f(ApiKeys.Produce, 9, { ...createProduceRequest(), acks: 1, timeoutMs: 1000, topicData: [{ name: 'fuzz', partitionData: [{ index: 0, records }] }] }),
    f(ApiKeys.Produce, 3, { ...createProduceRequest(), acks: -1, timeoutMs: 1000, topicData: [{ name: 'fuzz', partitionData: [{ index: 1, records }] }] }),
    f(ApiKeys.Fetch, 12, { ...createFetchRequest(), maxWaitMs: 10, minBytes: 1, topics: [{ topic: 'fuzz', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [partition] }] }),
    f(ApiKeys.Fetch, 4, { ...createFetchRequest(), maxWaitMs: 10, minBytes: 1, topics: [{ topic: 'fuzz', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [partition] }] }),
    f(ApiKeys.ListOffsets, 7, { ...createListOffsetsRequest(), topics: [{ name: 'fuzz', partitions: [{ ...createListOffsetsRequestListOffsetsPartition(), timestamp: -1 }] }] }),
    f(ApiKeys.FindCoordinator, 4, { ...createFindCoordinatorRequest(), coordinatorKeys: ['g'] }),
    f(ApiKeys.JoinGroup, 9, { ...createJoinGroupRequest(), groupId: 'g', sessionTimeoutMs: 100, rebalanceTimeoutMs: 100, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('m') }] }),
    f(ApiKeys.SyncGroup, 5, { ...createSyncGroupRequest(), groupId: 'g', memberId: 'm', generationId: 1 }),
    f(ApiKeys.OffsetCommit, 8, { ...createOffsetCommitRequest(), groupId: 'g', topics: [{ name: 'fuzz', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: '' }] }] }),
    f(ApiKeys.OffsetFetch, 8, { ...createOffsetFetchRequest(), groups: [{ groupId: 'g', memberId: null, memberEpoch: -1, topics: null }] }),
    f(ApiKeys.DescribeConfigs, 4, { ...createDescribeConfigsRequest(), resources: [{ resourceType: 2, resourceName: 'fuzz', configurationKeys: null }] }),
    f(ApiKeys.ListGroups, 4, { statesFilter: [], typesFilter: [] }),
  ]
}

const withSize = (payload: Buffer): Buffer => {
  const out = Buffer.alloc(payload.length + 4)
  out.writeInt32BE(payload.length)
  payload.copy(out, 4)
  return out
}

/** A byte flip that still decodes, so the odd values reach the handlers; null if none found. */
function decodableMutation(frame: Buffer, rand: () => number): Buffer | null {
  for (let attempt = 0; attempt < 20; attempt++) {
    const payload = Buffer.from(frame.subarray(4))
    // Past the 8-byte api key/version/correlation id: those are covered below.
    payload[8 + Math.floor(rand() * (payload.length - 8))] = Math.floor(rand() * 256)
    try {
      decodeRequestFrame(payload)
      return withSize(payload)
    } catch {
      // try another byte
    }
  }
  return null
}

function mutate(frame: Buffer, rand: () => number): Buffer {
  const pick = (n: number) => Math.floor(rand() * n)
  const payload = Buffer.from(frame.subarray(4))
  switch (pick(8)) {
    case 6:
    case 7:
      return decodableMutation(frame, rand) ?? frame
    case 0:
    case 1: {
      // Flip a few bytes, size prefix intact.
      const flips = 1 + pick(4)
      for (let i = 0; i < flips; i++) payload[pick(payload.length)] = pick(256)
      return withSize(payload)
    }
    case 2:
      return withSize(payload.subarray(0, pick(payload.length)))
    case 3:
      return withSize(Buffer.concat([payload, Buffer.from(Array.from({ length: 1 + pick(16) }, () => pick(256)))]))
    case 4: {
      // Another version of the same api.
      payload.writeInt16BE(pick(20) - 2, 2)
      return withSize(payload)
    }
    default: {
      // A lying size prefix.
      const out = Buffer.from(frame)
      out.writeInt32BE(pick(2) === 0 ? pick(frame.length * 2) : pick(0x7fffffff))
      return out
    }
  }
}

/** Writes frames on one fresh socket, then waits for the server to close it or a short while. */
function blast(port: number, frames: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.on('error', () => undefined)
    socket.on('data', () => undefined)
    const timer = setTimeout(() => socket.destroy(), 40)
    socket.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
    socket.once('connect', () => {
      for (const f of frames) if (!socket.destroyed) socket.write(f)
    })
  })
}

describe('fuzzed frames', () => {
  it('survives thousands of mutated frames and keeps serving', async () => {
    const rand = prng(0x5eed)
    const seeds = seedFrames()
    const started = Date.now()
    let sent = 0
    while (sent < FRAMES && Date.now() - started < TIME_BUDGET_MS) {
      const batch: Buffer[] = []
      for (let i = 0; i < FRAMES_PER_CONNECTION; i++) batch.push(mutate(seeds[Math.floor(rand() * seeds.length)]!, rand))
      await blast(server.port, batch)
      sent += batch.length
    }
    expect(sent).toBeGreaterThan(500)
    // Bad frames were noticed and logged, at most once per connection.
    expect(logLines).toBeGreaterThan(0)
    // Whatever decodes, handlers answer: no handler failed.
    expect(errors).toEqual([])
    expect(logLines).toBeLessThanOrEqual(Math.ceil(sent / FRAMES_PER_CONNECTION))

    const c = await WireClient.connect(server.port)
    try {
      const versions = await c.send(ApiKeys.ApiVersions, 3, { ...createApiVersionsRequest(), clientSoftwareName: 'after', clientSoftwareVersion: '1' })
      expect(versions.errorCode).toBe(0)
      const meta = await c.send(ApiKeys.Metadata, 12, { ...createMetadataRequest(), topics: [{ ...createMetadataRequestTopic(), name: 'fuzz' }] })
      expect(meta.topics[0]).toMatchObject({ name: 'fuzz', errorCode: 0 })
      expect(meta.topics[0]!.partitions.length).toBe(2)
    } finally {
      await c.close()
    }
  })
})
