import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  apiSpec,
  apiSpecs,
  ApiKeys,
  createMetadataRequest,
  createMetadataRequestTopic,
  createProduceRequest,
  encodeMetadataRequest,
  encodeProduceRequest,
  encodeRequestHeader,
  decodeRequestHeader,
  decodeMetadataRequest,
  requestHeaderVersion,
  responseHeaderVersion,
  type ApiSpec,
} from '../../../../core/protocol/apis/index.js'
import { ProtocolError } from '../../../../core/protocol/errors.js'
import { Reader } from '../../../../core/protocol/primitives/reader.js'
import { Writer } from '../../../../core/protocol/primitives/writer.js'
import { messageArb, versionsOf } from './sample.js'

type Codec = (v: number, m: never, w: Writer) => Writer
type Decoder = (v: number, r: Reader) => unknown

function roundTrip(encode: Codec, decode: Decoder, v: number, m: unknown): void {
  const w = new Writer(32)
  encode(v, m as never, w)
  const bytes = w.toBuffer()
  expect(bytes.length).toBe(w.length)
  const r = new Reader(bytes)
  const back = decode(v, r)
  expect(r.remaining).toBe(0)
  expect(back).toEqual(m)
}

const specs = Object.values(apiSpecs) as ApiSpec[]

describe('generated codecs: every api, every version, round trip', () => {
  it('covers the whole registry', () => {
    expect(specs.length).toBeGreaterThanOrEqual(80)
    expect(apiSpec(ApiKeys.Produce)?.name).toBe('Produce')
    expect(apiSpec(ApiKeys.Fetch)?.maxVersion).toBe(17)
    expect(apiSpec(9999)).toBeUndefined()
  })

  for (const spec of specs) {
    it(`${spec.name} (key ${spec.apiKey}) v${spec.minVersion}-${spec.maxVersion}`, () => {
      for (const v of versionsOf(`${spec.name}Request`)) {
        fc.assert(
          fc.property(messageArb(`${spec.name}Request`, v), (m) => roundTrip(spec.encodeRequest, spec.decodeRequest, v, m)),
          { numRuns: 12 },
        )
        fc.assert(
          fc.property(messageArb(`${spec.name}Response`, v), (m) => roundTrip(spec.encodeResponse, spec.decodeResponse, v, m)),
          { numRuns: 12 },
        )
      }
    })
  }

  it('round-trips request and response headers at every version', () => {
    for (const v of [0, 1, 2]) {
      fc.assert(fc.property(messageArb('RequestHeader', v), (m) => roundTrip(encodeRequestHeader as Codec, decodeRequestHeader, v, m)))
    }
  })
})

describe('version rules', () => {
  it('throws UNSUPPORTED_VERSION for a non-default, non-ignorable field the version lacks', () => {
    const m = { ...createProduceRequest(), transactionalId: 'tx' }
    expect(() => encodeProduceRequest(2, m, new Writer())).toThrow(ProtocolError)
    try {
      encodeProduceRequest(2, m, new Writer())
    } catch (err) {
      expect((err as ProtocolError).kind).toBe('UNSUPPORTED_VERSION')
      expect((err as ProtocolError).field).toBe('transactionalId')
    }
    const meta = { ...createMetadataRequest(), allowAutoTopicCreation: false }
    expect(() => encodeMetadataRequest(3, meta, new Writer())).toThrow(/allowAutoTopicCreation/)
    // default value: nothing to lose, so it is fine
    expect(() => encodeMetadataRequest(3, createMetadataRequest(), new Writer())).not.toThrow()
  })

  it('silently drops ignorable fields the version lacks', () => {
    const topic = { ...createMetadataRequestTopic(), name: 't', topicId: 'AAECAwQFBgcICQoLDA0ODw' }
    const w = encodeMetadataRequest(1, { ...createMetadataRequest(), topics: [topic] }, new Writer())
    const back = decodeMetadataRequest(1, new Reader(w.toBuffer()))
    expect(back.topics).toEqual([{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 't' }])
  })

  it('rejects null in a field that is not nullable in that version', () => {
    const m = { ...createMetadataRequest(), topics: null }
    expect(() => encodeMetadataRequest(0, m, new Writer())).toThrow(ProtocolError)
    expect(() => encodeMetadataRequest(1, m, new Writer())).not.toThrow()
  })

  it('rejects versions outside the valid range', () => {
    expect(() => encodeProduceRequest(12, createProduceRequest(), new Writer())).toThrow(/outside 0-11/)
    expect(() => decodeMetadataRequest(-1, new Reader(Buffer.alloc(10)))).toThrow(ProtocolError)
  })

  it('skips unknown tagged fields and reads known ones', () => {
    // MetadataRequest v12 (flexible): empty topics, flags, then 2 tagged fields: an unknown
    // tag 7 (3 bytes) and another unknown tag 100 (0 bytes).
    const bytes = Buffer.from([0x01, 0x01, 0x00, 0x02, 0x07, 0x03, 0xaa, 0xbb, 0xcc, 0x64, 0x00])
    const r = new Reader(bytes)
    expect(decodeMetadataRequest(12, r)).toEqual({
      topics: [],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    })
    expect(r.remaining).toBe(0)
  })
})

describe('header versions', () => {
  const spec = (k: number): ApiSpec => apiSpec(k)!
  it('uses request header v2 for flexible versions, v1 otherwise, v0 for ControlledShutdown v0', () => {
    expect(requestHeaderVersion(spec(ApiKeys.Produce), 8)).toBe(1)
    expect(requestHeaderVersion(spec(ApiKeys.Produce), 9)).toBe(2)
    expect(requestHeaderVersion(spec(ApiKeys.ApiVersions), 3)).toBe(2)
    expect(requestHeaderVersion(spec(ApiKeys.ControlledShutdown), 0)).toBe(0)
    expect(requestHeaderVersion(spec(ApiKeys.ControlledShutdown), 1)).toBe(1)
    expect(requestHeaderVersion(spec(ApiKeys.ControlledShutdown), 3)).toBe(2)
  })

  it('uses response header v1 for flexible versions except ApiVersions, always v0', () => {
    expect(responseHeaderVersion(spec(ApiKeys.Fetch), 11)).toBe(0)
    expect(responseHeaderVersion(spec(ApiKeys.Fetch), 12)).toBe(1)
    expect(responseHeaderVersion(spec(ApiKeys.ApiVersions), 3)).toBe(0)
    expect(responseHeaderVersion(spec(ApiKeys.ApiVersions), 4)).toBe(0)
  })

  it('records each api flexible threshold', () => {
    expect(spec(ApiKeys.Produce).flexibleMinVersion).toBe(9)
    expect(spec(ApiKeys.Metadata).flexibleMinVersion).toBe(9)
    expect(spec(ApiKeys.ApiVersions).flexibleMinVersion).toBe(3)
  })
})
