import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { compressFrameSync, decompressFrameSync } from 'lz4-napi'
import { compressSync as snappyRaw } from 'snappy'
import { describe, expect, it } from 'vitest'
import { CompressStream as ZstdCompressStream, decompress as zstdDecompress } from 'zstd-napi'
import { BrookError, CorruptRecordError } from '../../../../core/errors.js'
import {
  CompressionType,
  compress,
  compressionName,
  compressionTypeFromName,
  decompress,
} from '../../../../core/protocol/records/compression.js'

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
    const stream = new ZstdCompressStream()
    const chunks: Buffer[] = []
    stream.on('data', (c: Buffer) => chunks.push(c))
    const done = new Promise((resolve) => stream.on('end', resolve))
    stream.write(data.subarray(0, 50_000))
    stream.end(data.subarray(50_000))
    await done
    const frame = Buffer.concat(chunks)
    // Frame header descriptor: no content size field, not single-segment.
    expect(frame.readUInt32LE(0)).toBe(0xfd2fb528)
    expect(frame[4]! & 0xe0).toBe(0)
    expect(decompress(CompressionType.Zstd, frame).equals(data)).toBe(true)
    expect(zstdDecompress(compress(CompressionType.Zstd, data)).equals(data)).toBe(true)
  })
})
