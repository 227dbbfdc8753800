// Mutation fuzzing: valid frames for every api and version, damaged in many ways. The
// decoder must either return a frame or throw a ProtocolError: never hang, never throw
// RangeError/TypeError, never try to allocate what the bytes cannot hold.

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame, ProtocolError } from '../../../core/protocol/frame.js'
import { apiSpecs, type ApiKey, type ApiSpec } from '../../../core/protocol/apis/index.js'
import { Reader } from '../../../core/protocol/primitives/reader.js'
import { Writer } from '../../../core/protocol/primitives/writer.js'
import { messageArb } from './apis/sample.js'

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

const specs = Object.values(apiSpecs) as ApiSpec[]

function corpus(kind: 'Request' | 'Response'): { spec: ApiSpec; version: number; payload: Buffer }[] {
  const out: { spec: ApiSpec; version: number; payload: Buffer }[] = []
  for (const spec of specs) {
    for (let v = spec.minVersion; v <= spec.maxVersion; v++) {
      for (const m of fc.sample(messageArb(`${spec.name}${kind}`, v), { numRuns: 5, seed: spec.apiKey * 100 + v })) {
        const frame =
          kind === 'Request'
            ? encodeRequestFrame(spec.apiKey as ApiKey, v, 1234, 'fuzz', m as never)
            : encodeResponseFrame(spec.apiKey as ApiKey, v, 1234, m as never)
        out.push({ spec, version: v, payload: frame.subarray(4) })
      }
    }
  }
  return out
}

function mutate(src: Buffer, rnd: () => number): Buffer {
  const b = Buffer.from(src)
  const at = (): number => Math.floor(rnd() * b.length)
  switch (Math.floor(rnd() * 7)) {
    case 0: // flip bytes
      for (let i = 0, n = 1 + Math.floor(rnd() * 4); i < n && b.length > 0; i++) b[at()]! ^= 1 + Math.floor(rnd() * 255)
      return b
    case 1: // truncate
      return b.subarray(0, Math.floor(rnd() * b.length))
    case 2: // extend
      return Buffer.concat([b, Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 16) }, () => Math.floor(rnd() * 256)))])
    case 3: {
      // plant a huge or negative length
      if (b.length < 12) return b
      const values = [0x7fffffff, 0x00ffffff, 0xffffffff, 0xfffffffe, 0x80000000, Math.floor(rnd() * 0xffffffff)]
      b.writeUInt32BE(values[Math.floor(rnd() * values.length)]!, 8 + Math.floor(rnd() * (b.length - 11)))
      return b
    }
    case 4: {
      // a run of 0xff: endless varints, -1 lengths
      const start = 8 + Math.floor(rnd() * Math.max(1, b.length - 8))
      b.fill(0xff, Math.min(start, b.length), Math.min(b.length, start + 1 + Math.floor(rnd() * 12)))
      return b
    }
    case 5: // random body behind a valid header prefix
      return Buffer.concat([b.subarray(0, 8), Buffer.from(Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)))])
    default: {
      // remove a slice from the middle
      const s = at()
      return Buffer.concat([b.subarray(0, s), b.subarray(s + 1 + Math.floor(rnd() * 8))])
    }
  }
}

function expectProtocolError(fn: () => unknown): 'ok' | 'error' {
  try {
    fn()
    return 'ok'
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err
    return 'error'
  }
}

describe('decoding damaged frames', () => {
  it('request frames: every mutation decodes or throws ProtocolError', () => {
    const valid = corpus('Request')
    expect(valid.length).toBeGreaterThan(1000)
    for (const { payload } of valid) expect(decodeRequestFrame(payload).correlationId).toBe(1234)
    const rnd = prng(20260124)
    const outcomes = { ok: 0, error: 0 }
    for (let round = 0; round < 10; round++) {
      for (const { payload } of valid) outcomes[expectProtocolError(() => decodeRequestFrame(mutate(payload, rnd)))]++
    }
    expect(outcomes.ok + outcomes.error).toBe(valid.length * 10)
    expect(outcomes.error).toBeGreaterThan(0)
    expect(outcomes.ok).toBeGreaterThan(0)
  })

  it('response frames: every mutation decodes or throws ProtocolError', () => {
    const valid = corpus('Response')
    const rnd = prng(7)
    let errors = 0
    for (let round = 0; round < 4; round++) {
      for (const { spec, version, payload } of valid) {
        if (expectProtocolError(() => decodeResponseFrame(spec.apiKey as ApiKey, version, mutate(payload, rnd))) === 'error') errors++
      }
    }
    expect(errors).toBeGreaterThan(0)
  })

  it('generated decoders themselves (no frame-level wrapping) only throw ProtocolError', () => {
    const rnd = prng(99)
    let errors = 0
    for (const spec of specs) {
      for (let v = spec.minVersion; v <= spec.maxVersion; v++) {
        for (const m of fc.sample(messageArb(`${spec.name}Request`, v), { numRuns: 3, seed: v })) {
          const body = spec.encodeRequest(v, m as never, new Writer()).toBuffer()
          // pad so the "header" mutations (which skip the first 8 bytes) also hit short bodies
          const padded = Buffer.concat([Buffer.alloc(8), body])
          for (let i = 0; i < 6; i++) {
            const damaged = mutate(padded, rnd).subarray(8)
            if (expectProtocolError(() => spec.decodeRequest(v, new Reader(damaged))) === 'error') errors++
          }
        }
      }
    }
    expect(errors).toBeGreaterThan(1000)
  })

  it('random bytes never escape as another error type', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (bytes) => {
        expectProtocolError(() => decodeRequestFrame(Buffer.from(bytes)))
      }),
      { numRuns: 2000 },
    )
  })

  it('a header claiming a valid api, followed by random bytes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...specs),
        fc.integer({ min: 0, max: 20 }),
        fc.uint8Array({ maxLength: 120 }),
        (spec, v, rest) => {
          const head = Buffer.alloc(8)
          head.writeInt16BE(spec.apiKey, 0)
          head.writeInt16BE(Math.min(v, spec.maxVersion), 2)
          expectProtocolError(() => decodeRequestFrame(Buffer.concat([head, Buffer.from(rest)])))
        },
      ),
      { numRuns: 3000 },
    )
  })
})
