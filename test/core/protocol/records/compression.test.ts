import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { compressFrameSync, decompressFrameSync } from 'lz4-napi'
import { compressSync as snappyRaw } from 'snappy'
import { describe, expect, it } from 'vitest'
import { BrookError, CorruptRecordError } from '../../../../core/errors.js'
import {
  CompressionType,
  compress,
  compressionName,
  compressionTypeFromName,
  decompress,
} from '../../../../core/protocol/records/compression.js'
import { loadWasmZstd, zstdFrames } from '../../../../core/protocol/records/zstd.js'

const codecs = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
] as const

function compressible(n: number): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = 97 + ((i * 7) % 13) + (i % 101 === 0 ? 5 : 0)
  return b
}

const xerialHeader = Buffer.from('82534e41505059000000000100000001', 'hex')
// Raw snappy block for "hello": varint length 5, literal tag (5-1)<<2, the bytes.
const helloBlock = Buffer.from('05106865 6c6c6f'.replace(/ /g, ''), 'hex')

describe('compression round trips', () => {
  it.each(codecs)('codec %i round-trips empty, small, random and large compressible data', (codec) => {
    for (const data of [Buffer.alloc(0), Buffer.from('x'), randomBytes(1000), compressible(300_000), randomBytes(70_000)]) {
      const packed = compress(codec, data)
      expect(decompress(codec, packed).equals(data)).toBe(true)
    }
  })

  it('actually compresses compressible data', () => {
    const data = compressible(100_000)
    for (const codec of codecs.slice(1)) expect(compress(codec, data).length).toBeLessThan(data.length / 2)
  })

  it.each(codecs)('codec %i round-trips arbitrary bytes', (codec) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        const data = Buffer.from(bytes)
        expect(decompress(codec, compress(codec, data))).toEqual(data)
      }),
      { numRuns: 60 },
    )
  })
})

describe('codec names', () => {
  it('maps Kafka names both ways', () => {
    for (const codec of codecs) expect(compressionTypeFromName(compressionName(codec))).toBe(codec)
    expect(compressionTypeFromName('LZ4')).toBe(CompressionType.Lz4)
    expect(() => compressionTypeFromName('brotli')).toThrow(BrookError)
  })
})

describe('unsupported and corrupt input', () => {
  it('rejects unknown codecs with UNSUPPORTED_COMPRESSION_TYPE', () => {
    for (const codec of [5, 7, -1] as unknown as CompressionType[]) {
      expect(() => compress(codec, Buffer.from('a'))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_COMPRESSION_TYPE' }))
      expect(() => decompress(codec, Buffer.from('a'))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_COMPRESSION_TYPE' }))
    }
  })

  it.each(codecs.slice(1))('codec %i turns garbage and truncation into CorruptRecordError', (codec) => {
    const garbage = Buffer.from('this is definitely not compressed data at all, 0123456789')
    expect(() => decompress(codec, garbage)).toThrow(CorruptRecordError)
    const packed = compress(codec, compressible(50_000))
    expect(() => decompress(codec, packed.subarray(0, packed.length >> 1))).toThrow(CorruptRecordError)
  })
})

describe('snappy framing', () => {
  it('writes xerial framing like the Java client, in 32 KiB chunks', () => {
    const data = compressible(100_000)
    const packed = compress(CompressionType.Snappy, data)
    expect(packed.subarray(0, 16)).toEqual(xerialHeader)
    let pos = 16
    let chunks = 0
    while (pos < packed.length) {
      pos += 4 + packed.readInt32BE(pos)
      chunks++
    }
    expect(pos).toBe(packed.length)
    expect(chunks).toBe(4)
  })

  it('decodes a hand-built xerial frame', () => {
    const frame = Buffer.concat([xerialHeader, Buffer.from([0, 0, 0, helloBlock.length]), helloBlock])
    expect(decompress(CompressionType.Snappy, frame).toString()).toBe('hello')
    const two = Buffer.concat([frame, Buffer.from([0, 0, 0, helloBlock.length]), helloBlock])
    expect(decompress(CompressionType.Snappy, two).toString()).toBe('hellohello')
  })

  it('decodes a raw snappy block, hand-built and from the library', () => {
    expect(decompress(CompressionType.Snappy, helloBlock).toString()).toBe('hello')
    const data = compressible(40_000)
    expect(decompress(CompressionType.Snappy, snappyRaw(data)).equals(data)).toBe(true)
  })

  it('rejects a xerial chunk that overruns the frame', () => {
    const frame = Buffer.concat([xerialHeader, Buffer.from([0, 0, 0, 50]), helloBlock])
    expect(() => decompress(CompressionType.Snappy, frame)).toThrow(CorruptRecordError)
  })
})

describe('lz4 frames', () => {
  it('writes standard frames: version 1, independent blocks, 64 KiB, valid header checksum', () => {
    const data = compressible(200_000)
    const packed = compress(CompressionType.Lz4, data)
    expect(packed.subarray(0, 7).toString('hex')).toBe('04224d18604082')
    // The reference frame decoder checks the header checksum and block layout.
    expect(decompressFrameSync(packed).equals(data)).toBe(true)
    const raw = randomBytes(100_000) // incompressible: stored blocks
    expect(decompressFrameSync(compress(CompressionType.Lz4, raw)).equals(raw)).toBe(true)
  })

  it('reads frames from the reference encoder, with and without checksums', () => {
    for (const data of [Buffer.alloc(0), compressible(10), compressible(500_000), randomBytes(80_000)]) {
      expect(decompress(CompressionType.Lz4, compressFrameSync(data)).equals(data)).toBe(true)
      const withSums = compressFrameSync(data, { contentChecksum: true, blockChecksums: true })
      expect(decompress(CompressionType.Lz4, withSums).equals(data)).toBe(true)
    }
  })

  it('decodes a hand-built frame with a stored block', () => {
    const frame = Buffer.concat([
      Buffer.from('04224d18604082', 'hex'),
      Buffer.from([5, 0, 0, 0x80]),
      Buffer.from('hello'),
      Buffer.alloc(4),
    ])
    expect(decompress(CompressionType.Lz4, frame).toString()).toBe('hello')
  })
})

describe('gzip and zstd interop', () => {
  it('reads gzip at any level', () => {
    const data = compressible(20_000)
    for (const level of [1, 6, 9]) expect(decompress(CompressionType.Gzip, gzipSync(data, { level })).equals(data)).toBe(true)
  })

  it('reads zstd frames without a content size (streaming encoders, as zstd-jni writes)', async () => {
    const data = compressible(120_000)
    // Re-frame a one-shot frame as a streaming encoder writes it: no content size, a window descriptor.
    const oneShot = compress(CompressionType.Zstd, data)
    const [frame] = zstdFrames(oneShot)
    expect(frame!.contentSize).toBe(data.length)
    const fhd = oneShot[4]!
    const headerLength = 5 + ((fhd & 0x20) !== 0 ? 0 : 1) + [0, 1, 2, 4][fhd & 3]! + ((fhd >> 6) === 0 ? ((fhd & 0x20) !== 0 ? 1 : 0) : [0, 2, 4, 8][fhd >> 6]!)
    const streamed = Buffer.concat([oneShot.subarray(0, 4), Buffer.from([fhd & 0x04, 7 << 3]), oneShot.subarray(headerLength)])
    expect(zstdFrames(streamed)[0]!.contentSize).toBe(-1)
    expect(decompress(CompressionType.Zstd, streamed).equals(data)).toBe(true)
    expect((await loadWasmZstd()).decompress(streamed).equals(data)).toBe(true)
    // Two frames back to back read as their concatenation.
    expect(decompress(CompressionType.Zstd, Buffer.concat([streamed, oneShot])).equals(Buffer.concat([data, data]))).toBe(true)
  })

  it('reads what the zstd command writes from a pipe (no content size) and the command reads Brook\'s frames', () => {
    const which = spawnSync('zstd', ['--version'])
    if (which.error) {
      if (process.env.CI === 'true') throw new Error('the zstd command is missing (Debian package zstd)')
      console.warn('skipping: the zstd command is not installed')
      return
    }
    const data = Buffer.concat([compressible(300_000), randomBytes(50_000)])
    const piped = spawnSync('sh', ['-c', 'cat | zstd -q -c'], { input: data, maxBuffer: 1 << 26 })
    expect(piped.status).toBe(0)
    expect(zstdFrames(piped.stdout)[0]!.contentSize).toBe(-1)
    expect(decompress(CompressionType.Zstd, piped.stdout).equals(data)).toBe(true)
    const back = spawnSync('zstd', ['-q', '-d', '-c'], { input: compress(CompressionType.Zstd, data), maxBuffer: 1 << 26 })
    expect(back.status).toBe(0)
    expect(back.stdout.equals(data)).toBe(true)
  })

  it('rejects a zstd frame cut short with a CorruptRecordError', () => {
    const frame = compress(CompressionType.Zstd, compressible(10_000))
    expect(() => decompress(CompressionType.Zstd, frame.subarray(0, frame.length - 3))).toThrow(CorruptRecordError)
  })

})
