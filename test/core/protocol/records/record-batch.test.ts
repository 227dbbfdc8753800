import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CorruptRecordError } from '../../../../core/errors.js'
import {
  ATTRIBUTES,
  CRC,
  CompressionType,
  MAX_TIMESTAMP,
  RECORD_COUNT,
  RECORDS,
  TimestampType,
  writeInt64,
} from '../../../../core/protocol/records/batch-header.js'
import {
  type DecodedRecord,
  RecordBatchBuilder,
  type RecordInput,
  decodeRecords,
  encodeRecordBatch,
  forEachBatch,
  forEachRecord,
  readBatchInfo,
  validateBatch,
} from '../../../../core/protocol/records/record-batch.js'

const codecs = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
] as const

// Bitwise CRC-32C, independent of the production implementation.
function referenceCrc32c(data: Buffer): number {
  let crc = 0xffffffff
  for (const byte of data) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

// Hex with '#' comments to the end of the line.
const hex = (s: string): Buffer => Buffer.from(s.replace(/#.*$/gm, '').replace(/[^0-9a-f]/gi, ''), 'hex')

// A batch written byte by byte from the v2 format description.
function goldenBatch(): Buffer {
  const b = hex(`
    0000000000000064  # baseOffset 100
    00000048          # batchLength 72 (84 - 12)
    00000003          # partitionLeaderEpoch 3
    02                # magic
    00000000          # crc (filled below)
    0000              # attributes: no compression, CreateTime
    00000001          # lastOffsetDelta 1
    00000174876e8000  # baseTimestamp 1600000000000
    00000174876e8005  # maxTimestamp 1600000000005
    000000000000002a  # producerId 42
    0001              # producerEpoch 1
    00000009          # baseSequence 9
    00000002          # recordCount 2
    12 00 00 00 02 6b 04 7631 00
    # ^ length 9, attributes, tsDelta 0, offsetDelta 0, key "k", value "v1", 0 headers
    18 00 0a 02 01 04 7632 02 02 68 02 78
    # ^ length 12, attributes, tsDelta 5, offsetDelta 1, null key, value "v2", 1 header h=x
  `)
  b.writeUInt32BE(referenceCrc32c(b.subarray(ATTRIBUTES)), CRC)
  return b
}

const goldenRecords: RecordInput[] = [
  { key: Buffer.from('k'), value: Buffer.from('v1'), timestamp: 1_600_000_000_000 },
  { key: null, value: Buffer.from('v2'), timestamp: 1_600_000_000_005, headers: [{ key: 'h', value: Buffer.from('x') }] },
]
const goldenOptions = { baseOffset: 100, partitionLeaderEpoch: 3, producerId: 42, producerEpoch: 1, baseSequence: 9 }

function plain(records: DecodedRecord[]): unknown[] {
  return records.map((r) => ({
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key === null ? null : r.key.toString('hex'),
    value: r.value === null ? null : r.value.toString('hex'),
    headers: r.headers.map((h) => ({ key: h.key, value: h.value === null ? null : h.value.toString('hex') })),
  }))
}

function expected(records: readonly RecordInput[], baseOffset: number): unknown[] {
  return records.map((r, i) => ({
    offset: baseOffset + i,
    timestamp: r.timestamp,
    key: r.key === null ? null : r.key.toString('hex'),
    value: r.value === null ? null : r.value.toString('hex'),
    headers: (r.headers ?? []).map((h) => ({ key: h.key, value: h.value === null ? null : h.value.toString('hex') })),
  }))
}

describe('golden batch', () => {
  it('encodes to exactly the hand-built bytes', () => {
    expect(encodeRecordBatch(goldenRecords, goldenOptions).toString('hex')).toBe(goldenBatch().toString('hex'))
    const builder = new RecordBatchBuilder({ ...goldenOptions, initialCapacity: 8 })
    for (const r of goldenRecords) builder.append(r)
    expect(builder.build().toString('hex')).toBe(goldenBatch().toString('hex'))
  })

  it('decodes exactly', () => {
    const b = goldenBatch()
    expect(validateBatch(b)).toBe(84)
    expect(plain(decodeRecords(b))).toEqual([
      { offset: 100, timestamp: 1_600_000_000_000, key: '6b', value: '7631', headers: [] },
      { offset: 101, timestamp: 1_600_000_000_005, key: null, value: '7632', headers: [{ key: 'h', value: '78' }] },
    ])
    expect(readBatchInfo(b)).toEqual({
      baseOffset: 100,
      lastOffset: 101,
      size: 84,
      partitionLeaderEpoch: 3,
      magic: 2,
      crc: b.readUInt32BE(CRC),
      attributes: 0,
      compression: CompressionType.None,
      timestampType: TimestampType.CreateTime,
      isTransactional: false,
      isControl: false,
      baseTimestamp: 1_600_000_000_000,
      maxTimestamp: 1_600_000_000_005,
      producerId: 42,
      producerEpoch: 1,
      baseSequence: 9,
      recordCount: 2,
      deleteHorizonMs: null,
    })
  })

  it('returns keys and values as views over the batch bytes', () => {
    const b = goldenBatch()
    const [first] = decodeRecords(b)
    expect(first!.value!.buffer).toBe(b.buffer)
    b[RECORDS + 8] = 0x39 // the "1" of "v1"
    expect(first!.value!.toString()).toBe('v9')
  })
})

const headerArb = fc.record({
  key: fc.string({ unit: 'binary', maxLength: 12 }),
  value: fc.option(fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a))),
})
const recordArb = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a))),
  value: fc.option(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a))),
  headers: fc.array(headerArb, { maxLength: 3 }),
  timestamp: fc.oneof(fc.integer({ min: 0, max: 2 ** 42 }), fc.constant(-1), fc.integer({ min: 1_700_000_000_000, max: 1_700_000_100_000 })),
})

describe('round trips', () => {
  it.each(codecs)('codec %i: arbitrary records survive encode/decode', (codec) => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 40 }), fc.nat(2 ** 40), (records, baseOffset) => {
        const batch = encodeRecordBatch(records, { compression: codec, baseOffset })
        expect(validateBatch(batch)).toBe(batch.length)
        expect(plain(decodeRecords(batch))).toEqual(expected(records, baseOffset))
        const viaEach: DecodedRecord[] = []
        forEachRecord(batch, 0, (r) => viaEach.push(r))
        expect(plain(viaEach)).toEqual(expected(records, baseOffset))
        const info = readBatchInfo(batch)
        expect(info.compression).toBe(codec)
        expect(info.recordCount).toBe(records.length)
        expect(info.lastOffset).toBe(baseOffset + Math.max(records.length - 1, 0))
        if (records.length > 0) {
          expect(info.baseTimestamp).toBe(records[0]!.timestamp)
          expect(info.maxTimestamp).toBe(Math.max(...records.map((r) => r.timestamp)))
        }
      }),
      { numRuns: codec === CompressionType.None ? 200 : 60 },
    )
  })

  it('the reusable builder produces the same bytes as the one-shot encoder', () => {
    fc.assert(
      fc.property(fc.array(fc.array(recordArb, { maxLength: 20 }), { minLength: 1, maxLength: 4 }), fc.constantFrom(...codecs), (batches, codec) => {
        const builder = new RecordBatchBuilder({ initialCapacity: 32 })
        batches.forEach((records, i) => {
          const options = { compression: codec, baseOffset: i * 100, producerId: 7, baseSequence: i }
          builder.reset(options)
          for (const r of records) builder.append(r)
          expect(builder.recordCount).toBe(records.length)
          const built = builder.build()
          const oneShot = encodeRecordBatch(records, options)
          if (codec === CompressionType.None) {
            expect(builder.sizeInBytes).toBe(built.length)
            expect(built).toEqual(oneShot)
          }
          expect(plain(decodeRecords(built))).toEqual(plain(decodeRecords(oneShot)))
        })
      }),
      { numRuns: 60 },
    )
  })
})

describe('appendRange', () => {
  it('writes the bytes append() writes for the same keys and values, taken from ranges of larger buffers', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 30 }), fc.nat(7), (records, pad) => {
        // Every key and value copied into one shared buffer with padding around it.
        const slab = Buffer.alloc(records.reduce((n, r) => n + (r.key?.length ?? 0) + (r.value?.length ?? 0) + 2 * pad, 0), 0xee)
        const builder = new RecordBatchBuilder({ initialCapacity: 16, producerId: 3, baseSequence: 5 })
        let pos = 0
        for (const r of records) {
          const keyBuf = r.key as Buffer | null
          const valueBuf = r.value as Buffer | null
          const ks = pos + pad
          if (keyBuf !== null) keyBuf.copy(slab, ks)
          const ke = ks + (keyBuf?.length ?? 0)
          const vs = ke + pad
          if (valueBuf !== null) valueBuf.copy(slab, vs)
          const ve = vs + (valueBuf?.length ?? 0)
          pos = ve
          builder.appendRange(keyBuf === null ? null : slab, ks, ke, valueBuf === null ? null : slab, vs, ve, r.timestamp, r.headers)
        }
        expect(builder.build()).toEqual(encodeRecordBatch(records, { producerId: 3, baseSequence: 5 }))
      }),
      { numRuns: 200 },
    )
  })

  it('refuses a range outside its buffer and writes nothing', () => {
    const builder = new RecordBatchBuilder()
    const b = Buffer.from('0123456789')
    expect(() => builder.appendRange(b, 5, 11, null, 0, 0, 1, undefined)).toThrow(CorruptRecordError)
    expect(() => builder.appendRange(null, 0, 0, b, 6, 5, 1, undefined)).toThrow(CorruptRecordError)
    expect(() => builder.appendRange(b, -1, 2, null, 0, 0, 1, undefined)).toThrow(CorruptRecordError)
    expect(builder.recordCount).toBe(0)
    builder.appendRange(b, 0, 0, b, 2, 4, 1, undefined)
    expect(plain(decodeRecords(builder.build()))).toEqual([{ offset: 0, timestamp: 1, key: '', value: Buffer.from('23').toString('hex'), headers: [] }])
  })
})

describe('text keys and values', () => {
  // Arbitrary UTF-16 (lone surrogates included), short (JS-encoded) and long (native) strings.
  const textArb = fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ minLength: 60, maxLength: 200 }))
  it('encode to the same bytes as Buffer.from(text), for key, value or both', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ key: fc.option(textArb), value: fc.option(textArb), same: fc.boolean() }), { minLength: 1, maxLength: 20 }), (rows) => {
        const asText: RecordInput[] = rows.map((r, i) => ({ key: r.key, value: r.same ? r.key : r.value, timestamp: 1000 + i }))
        const asBytes: RecordInput[] = asText.map((r) => ({
          key: r.key === null ? null : Buffer.from(r.key as string),
          value: r.value === null ? null : Buffer.from(r.value as string),
          timestamp: r.timestamp,
        }))
        expect(encodeRecordBatch(asText)).toEqual(encodeRecordBatch(asBytes))
        const builder = new RecordBatchBuilder({ initialCapacity: 16 })
        for (const r of asText) builder.append(r)
        expect(builder.build()).toEqual(encodeRecordBatch(asBytes))
      }),
      { numRuns: 300 },
    )
  })

  it('appendKeyValue writes the bytes append() writes for text, bytes or null, mixed with other appends, for any timestamps and a delete horizon', () => {
    const ts = fc.oneof(fc.integer({ min: -1, max: 2000 }), fc.integer({ min: 0, max: 2 ** 45 }))
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.option(textArb), value: fc.option(textArb), same: fc.boolean(), timestamp: ts, via: fc.constantFrom('text', 'bytes', 'append') }), { minLength: 1, maxLength: 25 }),
        fc.option(fc.integer({ min: 0, max: 2 ** 42 }), { nil: undefined }),
        (rows, deleteHorizonMs) => {
          const options = deleteHorizonMs === undefined ? {} : { deleteHorizonMs }
          const asBytes: RecordInput[] = rows.map((r) => {
            const value = r.same ? r.key : r.value
            return { key: r.key === null ? null : Buffer.from(r.key), value: value === null ? null : Buffer.from(value), timestamp: r.timestamp }
          })
          const builder = new RecordBatchBuilder({ initialCapacity: 16, ...options })
          rows.forEach((r, i) => {
            const b = asBytes[i]!
            if (r.via === 'text') builder.appendKeyValue(r.key, r.same ? r.key : r.value, r.timestamp)
            else if (r.via === 'bytes') builder.appendKeyValue(b.key, r.same ? b.key : b.value, r.timestamp)
            else builder.append(b)
          })
          expect(builder.build()).toEqual(encodeRecordBatch(asBytes, options))
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('decoded headers', () => {
  it('records without headers share one read-only empty array; records with headers get their own', () => {
    const batch = encodeRecordBatch([
      { key: null, value: Buffer.from('a'), timestamp: 1 },
      { key: null, value: Buffer.from('b'), timestamp: 2 },
      { key: null, value: Buffer.from('c'), timestamp: 3, headers: [{ key: 'h', value: Buffer.from('1') }] },
    ])
    const [a, b, c] = decodeRecords(batch) as [DecodedRecord, DecodedRecord, DecodedRecord]
    expect(a.headers).toEqual([])
    expect(a.headers).toBe(b.headers)
    // read-only, as Kafka's consumer records' headers are: adding one to a record cannot leak into another
    expect(() => a.headers.push({ key: 'x', value: null })).toThrow(TypeError)
    expect(b.headers).toEqual([])
    expect(c.headers).toEqual([{ key: 'h', value: Buffer.from('1') }])
    c.headers.push({ key: 'more', value: null })
    expect(c.headers).toHaveLength(2)
  })
})

describe('RecordBatchBuilder', () => {
  const rec = (v: string, timestamp = 1000): RecordInput => ({ key: null, value: Buffer.from(v), timestamp })

  it('build() hands out a buffer the builder never touches again', () => {
    const builder = new RecordBatchBuilder()
    builder.append(rec('first'))
    const a = builder.build()
    const copy = Buffer.from(a)
    builder.reset()
    builder.append(rec('other'))
    builder.build()
    expect(a).toEqual(copy)
  })

  it('grows past its initial capacity', () => {
    const builder = new RecordBatchBuilder({ initialCapacity: 64 })
    const big = Buffer.alloc(1500, 1)
    for (let i = 0; i < 500; i++) builder.append({ key: null, value: big, timestamp: i })
    const batch = builder.build()
    validateBatch(batch)
    const decoded = decodeRecords(batch)
    expect(decoded).toHaveLength(500)
    expect(decoded[499]!.value).toEqual(big)
    expect(decoded[499]!.timestamp).toBe(499)
  })

  it('keeps offset gaps and a forced last offset delta (compaction)', () => {
    const builder = new RecordBatchBuilder({ baseOffset: 1000 })
    builder.appendWithOffsetDelta(0, rec('a'))
    builder.appendWithOffsetDelta(5, rec('b'))
    builder.appendWithOffsetDelta(9, rec('c'))
    builder.setLastOffsetDelta(12)
    const batch = builder.build()
    expect(decodeRecords(batch).map((r) => r.offset)).toEqual([1000, 1005, 1009])
    expect(readBatchInfo(batch).lastOffset).toBe(1012)
    expect(readBatchInfo(batch).recordCount).toBe(3)
    expect(() => builder.appendWithOffsetDelta(9, rec('d'))).toThrow(CorruptRecordError)
    expect(() => builder.setLastOffsetDelta(3)).toThrow(CorruptRecordError)
  })

  it('continues numbering after explicit deltas with append()', () => {
    const builder = new RecordBatchBuilder()
    builder.appendWithOffsetDelta(3, rec('a'))
    builder.append(rec('b'))
    expect(decodeRecords(builder.build()).map((r) => r.offset)).toEqual([3, 4])
  })

  it('writes an empty batch that keeps its offset range', () => {
    const builder = new RecordBatchBuilder({ baseOffset: 50, producerId: 3, producerEpoch: 0, baseSequence: 10 })
    builder.setLastOffsetDelta(4)
    const batch = builder.build()
    expect(validateBatch(batch)).toBe(61)
    expect(decodeRecords(batch)).toEqual([])
    expect(readBatchInfo(batch)).toMatchObject({ baseOffset: 50, lastOffset: 54, recordCount: 0, producerId: 3 })
  })

  it('sets attribute bits for transactional, control, LogAppendTime and delete horizon', () => {
    const batch = encodeRecordBatch([rec('x', 5000), rec('y', 4000)], {
      transactional: true,
      isControl: true,
      timestampType: TimestampType.LogAppendTime,
      deleteHorizonMs: 9_000,
      compression: CompressionType.Zstd,
    })
    const info = readBatchInfo(batch)
    expect(info.attributes).toBe(0x04 | 0x08 | 0x10 | 0x20 | 0x40)
    expect(info).toMatchObject({
      isTransactional: true,
      isControl: true,
      timestampType: TimestampType.LogAppendTime,
      compression: CompressionType.Zstd,
      baseTimestamp: 9_000,
      deleteHorizonMs: 9_000,
      maxTimestamp: 5000,
    })
  })

  it('keeps record timestamps relative to the delete horizon', () => {
    const batch = encodeRecordBatch([rec('x', 5000), rec('y', 4000)], { deleteHorizonMs: 1_700_000_000_000 })
    expect(decodeRecords(batch).map((r) => r.timestamp)).toEqual([5000, 4000])
  })

  it('gives every record the batch max timestamp under LogAppendTime', () => {
    const batch = encodeRecordBatch([rec('x', 5000), rec('y', 4000)], { timestampType: TimestampType.LogAppendTime })
    expect(decodeRecords(batch).map((r) => r.timestamp)).toEqual([5000, 5000])
    // The broker stamps the append time into maxTimestamp.
    writeInt64(batch, MAX_TIMESTAMP, 7777)
    batch.writeUInt32BE(referenceCrc32c(batch.subarray(ATTRIBUTES)), CRC)
    validateBatch(batch)
    expect(decodeRecords(batch).map((r) => r.timestamp)).toEqual([7777, 7777])
  })

  it('decodes control records like any other', () => {
    // Commit marker: key = version 0, type 1; value = version 0, coordinator epoch 3.
    const batch = encodeRecordBatch(
      [{ key: hex('0000 0001'), value: hex('0000 00000003'), timestamp: 10 }],
      { isControl: true, transactional: true, producerId: 8, producerEpoch: 2 },
    )
    const [marker] = decodeRecords(batch)
    expect(marker!.key!.readInt16BE(2)).toBe(1)
    expect(marker!.value!.readInt32BE(2)).toBe(3)
  })

  it('encodes multi-byte header keys', () => {
    const batch = encodeRecordBatch([{ key: null, value: null, timestamp: 1, headers: [{ key: 'clé-🔑', value: null }] }])
    expect(decodeRecords(batch)[0]!.headers).toEqual([{ key: 'clé-🔑', value: null }])
  })
})

describe('validation', () => {
  const batch = encodeRecordBatch(
    [
      { key: Buffer.from('a'), value: Buffer.from('hello'), timestamp: 1 },
      { key: Buffer.from('b'), value: Buffer.from('world'), timestamp: 2, headers: [{ key: 'k', value: null }] },
    ],
    { baseOffset: 7 },
  )

  it('detects any flipped bit from the magic byte on', () => {
    for (let i = 16; i < batch.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const bad = Buffer.from(batch)
        bad[i]! ^= bit
        expect(() => validateBatch(bad), `byte ${i}`).toThrow(CorruptRecordError)
      }
    }
  })

  it('ignores fields outside the CRC: base offset and leader epoch', () => {
    const ok = Buffer.from(batch)
    ok[7]! ^= 0xff
    ok[13]! ^= 0xff
    expect(validateBatch(ok)).toBe(batch.length)
  })

  it('rejects every truncation', () => {
    for (let n = 0; n < batch.length; n++) {
      expect(() => validateBatch(batch.subarray(0, n)), `${n} bytes`).toThrow(CorruptRecordError)
      expect(() => decodeRecords(batch.subarray(0, n)), `${n} bytes`).toThrow(CorruptRecordError)
    }
  })

  it('rejects a bad magic and an impossible length, naming the position', () => {
    const framed = Buffer.concat([Buffer.alloc(10), batch])
    expect(validateBatch(framed, 10)).toBe(batch.length)
    const badMagic = Buffer.from(framed)
    badMagic[10 + 16] = 1
    expect(() => validateBatch(badMagic, 10)).toThrow(expect.objectContaining({ position: 10, message: expect.stringMatching(/magic/) }))
    const badLength = Buffer.from(framed)
    badLength.writeInt32BE(10, 10 + 8)
    expect(() => validateBatch(badLength, 10)).toThrow(expect.objectContaining({ position: 10 }))
  })

  it('rejects malformed records without reading past them, even when the CRC is not checked', () => {
    const wrongCount = Buffer.from(batch)
    wrongCount.writeInt32BE(3, RECORD_COUNT)
    expect(() => decodeRecords(wrongCount)).toThrow(CorruptRecordError)
    const fewer = Buffer.from(batch)
    fewer.writeInt32BE(1, RECORD_COUNT)
    expect(() => decodeRecords(fewer)).toThrow(/after its 1 records/)
  })

  it('either decodes or throws CorruptRecordError on any mutated record bytes', () => {
    const compressed = codecs.map((c) =>
      encodeRecordBatch(
        Array.from({ length: 20 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(30, i), timestamp: i, headers: [{ key: 'h', value: Buffer.from([i]) }] })),
        { compression: c },
      ),
    )
    fc.assert(
      fc.property(fc.nat(codecs.length - 1), fc.nat(), fc.integer({ min: 0, max: 255 }), (which, where, byte) => {
        const b = Buffer.from(compressed[which]!)
        b[RECORDS + (where % (b.length - RECORDS))] = byte
        try {
          decodeRecords(b)
        } catch (err) {
          expect(err).toBeInstanceOf(CorruptRecordError)
        }
      }),
      { numRuns: 500 },
    )
  })
})

describe('forEachBatch', () => {
  it('walks complete batches and stops before a partial one', () => {
    const a = encodeRecordBatch([{ key: null, value: Buffer.from('a'), timestamp: 1 }], { baseOffset: 0 })
    const b = encodeRecordBatch([{ key: null, value: Buffer.from('bb'), timestamp: 1 }], { baseOffset: 1, compression: CompressionType.Gzip })
    const c = encodeRecordBatch([{ key: null, value: Buffer.from('ccc'), timestamp: 1 }], { baseOffset: 2 })
    const log = Buffer.concat([a, b, c, c.subarray(0, 30)])
    const seen: [number, number][] = []
    const consumed = forEachBatch(log, (at, size) => seen.push([at, size]))
    expect(seen).toEqual([
      [0, a.length],
      [a.length, b.length],
      [a.length + b.length, c.length],
    ])
    expect(consumed).toBe(a.length + b.length + c.length)
    expect(seen.map(([at]) => decodeRecords(log, at)[0]!.value!.toString())).toEqual(['a', 'bb', 'ccc'])
    expect(forEachBatch(Buffer.alloc(0), () => {})).toBe(0)
    expect(forEachBatch(c.subarray(0, 11), () => {})).toBe(0)
  })

  it('throws on a batch length below the header size', () => {
    const bad = Buffer.alloc(61)
    bad.writeInt32BE(5, 8)
    expect(() => forEachBatch(bad, () => {})).toThrow(CorruptRecordError)
  })
})
