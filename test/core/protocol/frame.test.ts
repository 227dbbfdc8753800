import { describe, expect, it } from 'vitest'
import {
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeRequestFrameChunks,
  encodeResponseFrame,
  encodeResponseFrameChunks,
  FrameSplitter,
  ProtocolError,
  responseCorrelationId,
  splitFrames,
} from '../../../core/protocol/frame.js'
import {
  ApiKeys,
  createApiVersionsResponse,
  createFetchResponse,
  createFetchResponsePartitionData,
  createFetchResponseFetchableTopicResponse,
  createMetadataRequest,
} from '../../../core/protocol/apis/index.js'
import { BrookError } from '../../../core/errors.js'
import { Writer } from '../../../core/protocol/primitives/writer.js'

/** Hex with spaces and `# comments` to the end of the line. */
const hex = (s: string): Buffer => Buffer.from(s.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex')

/** Payload of a frame built by hand: strips and checks the 4-byte size prefix. */
function payloadOf(frame: Buffer): Buffer {
  expect(frame.readInt32BE(0)).toBe(frame.length - 4)
  return frame.subarray(4)
}

function protocolError(fn: () => unknown): ProtocolError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError)
    expect(err).toBeInstanceOf(BrookError)
    return err as ProtocolError
  }
  throw new Error('expected a ProtocolError')
}

describe('golden request bytes (computed from the protocol guide)', () => {
  it('decodes ApiVersionsRequest v3 (flexible body, request header v2)', () => {
    const frame = hex(`
      00000019            # size 25
      0012 0003           # api key 18, version 3
      00000001            # correlation id 1
      0003 616263         # client id "abc" (int16 length even in header v2)
      00                  # header tagged fields
      06 62726f6f6b       # client software name "brook" (compact: length + 1)
      04 312e30           # client software version "1.0"
      00                  # body tagged fields
      `)
    const req = decodeRequestFrame(payloadOf(frame))
    expect(req).toEqual({
      apiKey: 18,
      apiVersion: 3,
      correlationId: 1,
      clientId: 'abc',
      headerVersion: 2,
      header: { requestApiKey: 18, requestApiVersion: 3, correlationId: 1, clientId: 'abc' },
      body: { clientSoftwareName: 'brook', clientSoftwareVersion: '1.0' },
      trailingBytes: 0,
    })
    // and the encoder produces exactly these bytes
    expect(encodeRequestFrame(ApiKeys.ApiVersions, 3, 1, 'abc', req.body as never)).toEqual(frame)
  })

  it('decodes MetadataRequest v1 (request header v1, null client id)', () => {
    const frame = hex(`
      00000012            # size 18
      0003 0001           # api key 3, version 1
      00000007            # correlation id 7
      ffff                # client id null
      00000001            # 1 topic
      0002 7431           # name "t1"
      `)
    const req = decodeRequestFrame(payloadOf(frame))
    expect(req.apiKey).toBe(ApiKeys.Metadata)
    expect(req.clientId).toBeNull()
    expect(req.headerVersion).toBe(1)
    expect(req.body).toEqual({
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 't1' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    })
    expect(encodeRequestFrame(ApiKeys.Metadata, 1, 7, null, req.body as never)).toEqual(frame)
    // v1 topics null means "all topics"
    const all = decodeRequestFrame(hex('0003 0001 00000008 ffff ffffffff'))
    expect(all.body).toMatchObject({ topics: null })
  })

  it('decodes ProduceRequest v3 with records kept as a view of the frame', () => {
    const batch = '00000000000000000000000a0102030405060708090a'
    const frame = hex(`
      0000003c            # size 60
      0000 0003           # api key 0, version 3
      0000002a            # correlation id 42
      0001 63             # client id "c"
      ffff                # transactional id null
      ffff                # acks -1
      00007530            # timeout 30000
      00000001            # 1 topic
      0001 74             # name "t"
      00000001            # 1 partition
      00000000            # index 0
      00000016 ${batch}   # records: 22 bytes
      `)
    const payload = payloadOf(frame)
    const req = decodeRequestFrame(payload)
    if (req.apiKey !== ApiKeys.Produce) throw new Error('wrong api')
    expect(req.apiVersion).toBe(3)
    expect(req.correlationId).toBe(42)
    expect(req.clientId).toBe('c')
    expect(req.body.transactionalId).toBeNull()
    expect(req.body.acks).toBe(-1)
    expect(req.body.timeoutMs).toBe(30000)
    expect(req.body.topicData).toHaveLength(1)
    const part = req.body.topicData[0]!.partitionData[0]!
    expect(part.index).toBe(0)
    expect(part.records).toEqual(hex(batch))
    expect(part.records!.buffer).toBe(payload.buffer)
    expect(part.records!.byteOffset).toBe(payload.byteOffset + payload.length - 22)
    expect(encodeRequestFrame(ApiKeys.Produce, 3, 42, 'c', req.body)).toEqual(frame)
  })
  it('decodes ProduceRequest v9 (flexible: compact strings, arrays and records)', () => {
    const frame = hex(`
      00000022            # size 34
      0000 0009           # api key 0, version 9
      00000001            # correlation id 1
      0001 63             # client id "c" (still int16 length)
      00                  # header tagged fields
      00                  # transactional id null (compact)
      0001                # acks 1
      000003e8            # timeout 1000
      02                  # 1 topic (compact array: count + 1)
      02 74               # name "t"
      02                  # 1 partition
      00000000            # index 0
      04 aabbcc           # records: 3 bytes (compact: length + 1)
      00 00 00            # partition, topic and body tagged fields
      `)
    const req = decodeRequestFrame(payloadOf(frame))
    expect(req.headerVersion).toBe(2)
    expect(req.body).toEqual({
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: hex('aabbcc') }] }],
    })
    expect(encodeRequestFrame(ApiKeys.Produce, 9, 1, 'c', req.body as never)).toEqual(frame)
  })
})

describe('response frames', () => {
  it('puts ApiVersions responses on header v0 even at v3 (no tagged header fields)', () => {
    const body = { ...createApiVersionsResponse(), apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 11 }] }
    const frame = encodeResponseFrame(ApiKeys.ApiVersions, 3, 5, body)
    expect(frame).toEqual(
      hex(`
        00000013          # size 19
        00000005          # correlation id; header v0 has no tagged fields
        0000              # error code
        02                # 1 api key (compact array)
        0000 0000 000b 00 # Produce 0-11, element tagged fields
        00000000          # throttle time
        00                # body tagged fields
        `),
    )
    const back = decodeResponseFrame(ApiKeys.ApiVersions, 3, frame.subarray(4))
    expect(back).toEqual({ correlationId: 5, body })
  })

  it('puts flexible responses on header v1', () => {
    const frame = encodeResponseFrame(ApiKeys.Metadata, 9, 77, {
      throttleTimeMs: 0,
      brokers: [],
      clusterId: null,
      controllerId: -1,
      topics: [],
      clusterAuthorizedOperations: -2147483648,
    })
    // size, correlation id, header tagged fields (0), then the body
    expect(frame.subarray(4, 9)).toEqual(hex('0000004d 00'))
    expect(responseCorrelationId(frame.subarray(4))).toBe(77)
  })

  it('links fetched record batches into the chunks without copying', () => {
    const records = Buffer.alloc(10_000, 0xab)
    const partition = { ...createFetchResponsePartitionData(), partitionIndex: 3, highWatermark: 100, records }
    const topic = { ...createFetchResponseFetchableTopicResponse(), topic: 'events', partitions: [partition] }
    const body = { ...createFetchResponse(), responses: [topic] }
    const writer = new Writer()
    const chunks = encodeResponseFrameChunks(ApiKeys.Fetch, 11, 9, body, writer)
    expect(chunks).toContain(records)
    const frame = Buffer.concat(chunks)
    expect(frame).toEqual(encodeResponseFrame(ApiKeys.Fetch, 11, 9, body))
    const back = decodeResponseFrame(ApiKeys.Fetch, 11, frame.subarray(4))
    expect(back.body.responses[0]!.partitions[0]!.records).toEqual(records)
    // the request side has the same chunked form
    const reqChunks = encodeRequestFrameChunks(ApiKeys.Metadata, 12, 1, 'x', createMetadataRequest())
    expect(decodeRequestFrame(Buffer.concat(reqChunks).subarray(4)).apiVersion).toBe(12)
  })

  it('writes non-default tagged fields in tag order and skips default ones', () => {
    const partition = {
      ...createFetchResponsePartitionData(),
      partitionIndex: 0,
      currentLeader: { leaderId: 1, leaderEpoch: 2 },
      records: hex('00'),
    }
    const topic = { ...createFetchResponseFetchableTopicResponse(), topic: 't', partitions: [partition] }
    const frame = encodeResponseFrame(ApiKeys.Fetch, 12, 1, { ...createFetchResponse(), responses: [topic] })
    // records (compact, 1 byte), then 1 tagged field: tag 1, size 9, leader 1, epoch 2, struct tags
    const tail = hex('02 00   01   01 09 00000001 00000002 00')
    expect(frame.indexOf(tail)).toBeGreaterThan(0)
    const back = decodeResponseFrame(ApiKeys.Fetch, 12, frame.subarray(4))
    expect(back.body.responses[0]!.partitions[0]!.currentLeader).toEqual({ leaderId: 1, leaderEpoch: 2 })
    expect(back.body.responses[0]!.partitions[0]!.divergingEpoch).toEqual({ epoch: -1, endOffset: -1 })
  })

  it('wraps encoder failures as INVALID_VALUE with the request context', () => {
    const bad = { ...createApiVersionsResponse(), errorCode: 70000 }
    const err = protocolError(() => encodeResponseFrame(ApiKeys.ApiVersions, 0, 3, bad))
    expect(err.kind).toBe('INVALID_VALUE')
    expect(err.correlationId).toBe(3)
  })
})

describe('request frame errors', () => {
  it('reports unknown api keys with the correlation id', () => {
    const err = protocolError(() => decodeRequestFrame(hex('7fff 0000 00000063 ffff')))
    expect(err.kind).toBe('UNKNOWN_API')
    expect(err.correlationId).toBe(99)
  })

  it('reports unsupported versions so a server can answer them', () => {
    const err = protocolError(() => decodeRequestFrame(hex('0012 0063 00000004 ffff 00')))
    expect(err.kind).toBe('UNSUPPORTED_VERSION')
    expect(err.apiKey).toBe(18)
    expect(err.apiVersion).toBe(99)
    expect(err.correlationId).toBe(4)
    expect(err.code).toBe('UNSUPPORTED_VERSION')
  })

  it('rejects short, truncated and over-long requests as MALFORMED', () => {
    expect(protocolError(() => decodeRequestFrame(hex('0003 0001'))).kind).toBe('MALFORMED')
    expect(protocolError(() => decodeRequestFrame(hex('0003 0001 00000008 ffff 000000'))).kind).toBe('MALFORMED')
  })

  it('reads the known fields of a request and counts the bytes after them, as Kafka does', () => {
    const req = decodeRequestFrame(hex('0003 0001 00000008 ffff ffffffff 00 0102'))
    expect(req.apiKey).toBe(3)
    expect(req.body).toMatchObject({ topics: null })
    expect(req.trailingBytes).toBe(3)
    expect(decodeRequestFrame(hex('0003 0001 00000008 ffff ffffffff')).trailingBytes).toBe(0)
  })
})

describe('frame splitting', () => {
  const frameOf = (payload: string): Buffer => {
    const p = hex(payload)
    const out = Buffer.alloc(4 + p.length)
    out.writeInt32BE(p.length, 0)
    p.copy(out, 4)
    return out
  }

  it('returns complete frames and the remainder', () => {
    const stream = Buffer.concat([frameOf('0102'), frameOf(''), frameOf('030405'), hex('0000000a 0607')])
    const { frames, rest } = splitFrames(stream)
    expect(frames.map((f) => f.toString('hex'))).toEqual(['0102', '', '030405'])
    expect(rest).toEqual(hex('0000000a 0607'))
  })

  it('reassembles frames split at every possible byte boundary', () => {
    const stream = Buffer.concat([frameOf('aabbcc'), frameOf('dd'), frameOf('eeff0011')])
    for (let cut = 0; cut <= stream.length; cut++) {
      for (let cut2 = cut; cut2 <= stream.length; cut2++) {
        const splitter = new FrameSplitter()
        const got = [
          ...splitter.push(stream.subarray(0, cut)),
          ...splitter.push(stream.subarray(cut, cut2)),
          ...splitter.push(stream.subarray(cut2)),
        ]
        expect(got.map((f) => f.toString('hex'))).toEqual(['aabbcc', 'dd', 'eeff0011'])
        expect(splitter.buffered).toBe(0)
      }
    }
  })

  it('hands out views, not copies, when a frame sits inside one chunk', () => {
    const chunk = Buffer.concat([frameOf('0102'), frameOf('0304')])
    const [a] = new FrameSplitter().push(chunk)
    expect(a!.buffer).toBe(chunk.buffer)
  })

  it('rejects sizes over the maximum before buffering them', () => {
    const err = protocolError(() => new FrameSplitter(1024).push(hex('00000401')))
    expect(err.kind).toBe('FRAME_TOO_LARGE')
    expect(protocolError(() => splitFrames(hex('7fffffff'))).kind).toBe('FRAME_TOO_LARGE')
    expect(protocolError(() => splitFrames(hex('80000000'))).kind).toBe('MALFORMED')
    expect(splitFrames(hex('00000400'), 1024).frames).toEqual([])
  })
})
