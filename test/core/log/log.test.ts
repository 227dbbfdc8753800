import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { CorruptRecordError, OffsetOutOfRangeError, RecordTooLargeError } from '../../../core/errors.js'
import { Log } from '../../../core/log/log.js'
import { TimestampType } from '../../../core/protocol/records/batch-header.js'
import { encodeRecordBatch } from '../../../core/protocol/records/record-batch.js'
import { batch, config, readAll, records, removeDir, tempDir } from './helpers.js'

const dirs: string[] = []
function dir(): string {
  const d = tempDir()
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d)
})

function files(d: string, suffix: string): string[] {
  return fs
    .readdirSync(d)
    .filter((f) => f.endsWith(suffix))
    .sort()
}

describe('Log append and read', () => {
  it('assigns offsets, reads back whole batches, empty at the end', () => {
    const log = Log.open(dir(), config())
    const r1 = log.append(batch(3, 'a'))
    const r2 = log.append(batch(2, 'b'))
    expect(r1).toMatchObject({ baseOffset: 0, lastOffset: 2, recordCount: 3, duplicate: false, logAppendTime: -1 })
    expect(r2).toMatchObject({ baseOffset: 3, lastOffset: 4 })
    expect(log.logEndOffset).toBe(5)
    expect(records(log.read(0, 1 << 20)).map((r) => r.value)).toEqual(['a-0', 'a-1', 'a-2', 'b-0', 'b-1'])
    // Offset inside the second batch returns that whole batch.
    expect(records(log.read(4, 1 << 20)).map((r) => r.offset)).toEqual([3, 4])
    // maxBytes smaller than a batch still returns one batch.
    expect(records(log.read(0, 1)).map((r) => r.offset)).toEqual([0, 1, 2])
    expect(log.read(5, 100).length).toBe(0)
    expect(() => log.read(6, 100)).toThrow(OffsetOutOfRangeError)
    expect(() => log.read(-1, 100)).toThrow(OffsetOutOfRangeError)
    // maxOffset excludes batches starting at or after it.
    expect(records(log.read(0, 1 << 20, { maxOffset: 3 })).map((r) => r.offset)).toEqual([0, 1, 2])
    log.close()
  })

  it('appends several concatenated batches with one call', () => {
    const log = Log.open(dir(), config())
    const res = log.append(Buffer.concat([batch(2, 'x'), batch(3, 'y')]))
    expect(res).toMatchObject({ baseOffset: 0, lastOffset: 4, recordCount: 5 })
    expect(readAll(log).map((r) => r.value)).toEqual(['x-0', 'x-1', 'y-0', 'y-1', 'y-2'])
    log.close()
  })

  it('rejects a batch above max.message.bytes and leaves the log untouched', () => {
    const log = Log.open(dir(), config({ 'max.message.bytes': '500' }))
    log.append(batch(2, 'ok'))
    const size = log.sizeInBytes
    const big = batch(20, 'big', { valueSize: 100 })
    expect(() => log.append(big)).toThrow(RecordTooLargeError)
    // Also when a good batch precedes the big one in the same request.
    expect(() => log.append(Buffer.concat([batch(1, 'fine'), big]))).toThrow(RecordTooLargeError)
    expect(log.sizeInBytes).toBe(size)
    expect(log.logEndOffset).toBe(2)
    log.close()
  })

  it('rejects corrupt input (bad CRC, bad magic, truncated) without writing', () => {
    const log = Log.open(dir(), config())
    const b = batch(2, 'c')
    const badCrc = Buffer.from(b)
    badCrc[b.length - 1]! ^= 0xff
    expect(() => log.append(badCrc)).toThrow(CorruptRecordError)
    const badMagic = Buffer.from(b)
    badMagic[16] = 1
    expect(() => log.append(badMagic)).toThrow(CorruptRecordError)
    expect(() => log.append(b.subarray(0, b.length - 3))).toThrow(CorruptRecordError)
    expect(log.sizeInBytes).toBe(0)
    expect(log.logEndOffset).toBe(0)
    log.close()
  })

  it('stamps LogAppendTime batches with the append time', () => {
    let now = 50_000
    const log = Log.open(dir(), config({ 'message.timestamp.type': 'LogAppendTime' }), { now: () => now })
    const res = log.append(batch(2, 'a', { timestamp: 5 }))
    expect(res.logAppendTime).toBe(50_000)
    const out = log.read(0, 1 << 20)
    expect(out.readInt16BE(21) & 0x08).toBe(0x08)
    expect(out.readInt32BE(35 + 4)).toBe(50_000)
    now = 60_000
    log.append(batch(1, 'b', { timestamp: 5 }))
    expect(log.offsetForTimestamp(55_000)).toEqual({ offset: 2, timestamp: 60_000 })
    expect(TimestampType.LogAppendTime).toBe(1)
    log.close()
  })

  it('reads across segment boundaries up to maxBytes', () => {
    const log = Log.open(dir(), config({ 'segment.bytes': '400' }))
    for (let i = 0; i < 12; i++) log.append(batch(2, `s${i}`, { valueSize: 40 }))
    expect(log.segmentCount).toBeGreaterThan(3)
    const all = records(log.read(0, 1 << 20))
    expect(all.map((r) => r.offset)).toEqual([...Array(24).keys()])
    const some = records(log.read(5, 600))
    expect(some[0]!.offset).toBe(4)
    expect(readAll(log, 0, 300).map((r) => r.offset)).toEqual([...Array(24).keys()])
    log.close()
  })
})

describe('Log segments and indexes', () => {
  it('rolls by size and names files by 20-digit base offset', () => {
    const d = dir()
    const log = Log.open(d, config({ 'segment.bytes': '1000', 'index.interval.bytes': '100' }))
    for (let i = 0; i < 20; i++) log.append(batch(3, `r${i}`, { valueSize: 50 }))
    const logs = files(d, '.log')
    expect(logs.length).toBeGreaterThan(3)
    expect(logs[0]).toBe('00000000000000000000.log')
    for (const f of logs) expect(fs.statSync(path.join(d, f)).size).toBeLessThanOrEqual(1000)
    for (let o = 0; o < 60; o += 7) expect(records(log.read(o, 1))[0]!.offset).toBeLessThanOrEqual(o)
    log.close()
    expect(files(d, '.index').length).toBe(logs.length)
    expect(files(d, '.timeindex').length).toBe(logs.length)
    expect(fs.statSync(path.join(d, files(d, '.index')[0]!)).size % 8).toBe(0)
    expect(fs.statSync(path.join(d, files(d, '.index')[0]!)).size).toBeGreaterThan(0)
  })

  it('rolls by segment.ms measured from the first batch timestamp', () => {
    const d = dir()
    const log = Log.open(d, config({ 'segment.ms': '1000' }))
    log.append(batch(1, 'a', { timestamp: 10_000 }))
    log.append(batch(1, 'b', { timestamp: 10_500 }))
    expect(log.segmentCount).toBe(1)
    log.append(batch(1, 'c', { timestamp: 11_000 }))
    expect(log.segmentCount).toBe(2)
    expect(log.segmentBaseOffsets()).toEqual([0, 2])
    log.close()
  })

  it('rolls when the offset index is full', () => {
    const log = Log.open(dir(), config({ 'segment.index.bytes': '24', 'index.interval.bytes': '0' }))
    for (let i = 0; i < 10; i++) log.append(batch(1, `x${i}`))
    expect(log.segmentCount).toBeGreaterThan(1)
    expect(readAll(log).length).toBe(10)
    log.close()
  })

  it('finds offsets by timestamp through the time index', () => {
    const d = dir()
    const log = Log.open(d, config({ 'index.interval.bytes': '50', 'segment.bytes': '2000' }))
    for (let i = 0; i < 40; i++) log.append(batch(2, `t${i}`, { timestamp: 1000 * i }))
    // batch i holds offsets 2i (ts 1000i) and 2i+1 (ts 1000i + 1)
    expect(log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 0 })
    expect(log.offsetForTimestamp(5000)).toEqual({ offset: 10, timestamp: 5000 })
    expect(log.offsetForTimestamp(5001)).toEqual({ offset: 11, timestamp: 5001 })
    expect(log.offsetForTimestamp(5002)).toEqual({ offset: 12, timestamp: 6000 })
    expect(log.offsetForTimestamp(39_001)).toEqual({ offset: 79, timestamp: 39_001 })
    expect(log.offsetForTimestamp(39_002)).toBeNull()
    log.close()
    const again = Log.open(d, config({ 'index.interval.bytes': '50', 'segment.bytes': '2000' }))
    expect(again.offsetForTimestamp(25_500)).toEqual({ offset: 52, timestamp: 26_000 })
    again.close()
  })
})

describe('Log recovery', () => {
  function fill(d: string, n: number, cfg = config({ 'segment.bytes': '2000', 'index.interval.bytes': '100' })): Log {
    const log = Log.open(d, cfg)
    for (let i = 0; i < n; i++) log.append(batch(2, `v${i}`, { valueSize: 30 }))
    return log
  }

  it('reopens after a clean close without scanning', () => {
    const d = dir()
    const log = fill(d, 50)
    const before = readAll(log)
    log.close()
    expect(fs.existsSync(path.join(d, 'clean-shutdown'))).toBe(true)
    const again = Log.open(d, config({ 'segment.bytes': '2000', 'index.interval.bytes': '100' }))
    expect(fs.existsSync(path.join(d, 'clean-shutdown'))).toBe(false)
    expect(again.stats.recoveredSegments).toBe(0)
    expect(again.logEndOffset).toBe(100)
    expect(readAll(again)).toEqual(before)
    again.append(batch(1, 'more'))
    expect(again.logEndOffset).toBe(101)
    again.close()
  })

  it('truncates a torn tail to the complete prefix after an unclean stop', () => {
    const d = dir()
    const log = fill(d, 30)
    const before = readAll(log)
    log.closeUnclean()
    const last = files(d, '.log').at(-1)!
    const file = path.join(d, last)
    const size = fs.statSync(file).size
    // Cut the last batch in half and add garbage after it.
    fs.truncateSync(file, size - 20)
    fs.appendFileSync(file, Buffer.from('garbage garbage garbage'))
    const again = Log.open(d, config({ 'segment.bytes': '2000', 'index.interval.bytes': '100' }))
    expect(again.stats.truncatedBytes).toBeGreaterThan(0)
    expect(again.logEndOffset).toBe(58)
    expect(readAll(again)).toEqual(before.slice(0, 58))
    const res = again.append(batch(1, 'after'))
    expect(res.baseOffset).toBe(58)
    again.close()
  })

  it('keeps later segments when an earlier one has a damaged end: only that range reads as corrupt', () => {
    const d = dir()
    const log = fill(d, 40)
    const before = readAll(log)
    log.closeUnclean()
    fs.rmSync(path.join(d, 'log.checkpoint'), { force: true }) // forces recovery of every segment
    const logs = files(d, '.log')
    expect(logs.length).toBeGreaterThan(2)
    const second = path.join(d, logs[1]!)
    const size = fs.statSync(second).size
    fs.truncateSync(second, size - 5)
    const again = Log.open(d, config({ 'segment.bytes': '2000', 'index.interval.bytes': '100' }))
    expect(again.segmentCount).toBe(logs.length)
    expect(again.logEndOffset).toBe(log.logEndOffset)
    const thirdBase = Number(logs[2]!.slice(0, 20))
    // Everything from the third segment on is intact.
    expect(readAll(again, thirdBase)).toEqual(before.filter((r) => r.offset >= thirdBase))
    again.close()
  })

  it('rebuilds deleted or corrupt index files even after a clean close', () => {
    const d = dir()
    const cfg = config({ 'segment.bytes': '1200', 'index.interval.bytes': '100' })
    const log = fill(d, 50, cfg)
    const before = readAll(log)
    log.close()
    const indexes = files(d, '.index')
    fs.rmSync(path.join(d, indexes[0]!))
    fs.writeFileSync(path.join(d, indexes[1]!), Buffer.alloc(13)) // not a whole entry
    const bad = Buffer.alloc(16)
    bad.writeInt32BE(5, 0)
    bad.writeInt32BE(100, 4)
    bad.writeInt32BE(3, 8) // offsets go down
    bad.writeInt32BE(200, 12)
    fs.writeFileSync(path.join(d, indexes[2]!), bad)
    const past = Buffer.alloc(8)
    past.writeInt32BE(1, 0)
    past.writeInt32BE(1_000_000, 4) // past the end of the log
    fs.writeFileSync(path.join(d, indexes[3]!), past)
    fs.rmSync(path.join(d, files(d, '.timeindex')[4]!))
    const again = Log.open(d, cfg)
    expect(again.stats.rebuiltIndexes).toBe(5)
    expect(readAll(again)).toEqual(before)
    for (let o = 0; o < 100; o += 3) expect(records(again.read(o, 1)).some((r) => r.offset === o)).toBe(true)
    again.close()
    expect(fs.statSync(path.join(d, indexes[0]!)).size).toBeGreaterThan(0)
  })

  it('reports a bit flipped inside a closed segment as CorruptRecordError', () => {
    const d = dir()
    const cfg = config({ 'segment.bytes': '2000', 'index.interval.bytes': '100' })
    const log = fill(d, 40, cfg)
    log.close()
    const first = path.join(d, files(d, '.log')[0]!)
    const bytes = fs.readFileSync(first)
    bytes[200]! ^= 0x10
    fs.writeFileSync(first, bytes)
    const again = Log.open(d, cfg)
    let err: unknown
    try {
      for (let o = 0; o < 20; o++) again.read(o, 1)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(CorruptRecordError)
    expect((err as Error).message).toContain('00000000000000000000.log')
    // A read from the start never hands out the corrupt batch.
    let got: Buffer | null = null
    try {
      got = again.read(0, 1 << 20)
    } catch (e) {
      expect(e).toBeInstanceOf(CorruptRecordError)
    }
    if (got !== null) {
      const recs = records(got)
      expect(recs.length).toBeGreaterThan(0)
      expect(recs.every((r) => /^v\d+-\d-x*$/.test(r.value!))).toBe(true)
    }
    again.close()
  })
})

describe('Log property: appends read back exactly', () => {
  it('random appends, reads at random offsets, reopen clean and unclean', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ n: fc.integer({ min: 1, max: 20 }), size: fc.integer({ min: 1, max: 300 }) }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
        fc.constantFrom('clean', 'unclean', 'torn'),
        (appends, probes, mode) => {
          const d = tempDir()
          try {
            const cfg = config({ 'segment.bytes': '3000', 'index.interval.bytes': '256' })
            const log = Log.open(d, cfg)
            const expected: string[] = []
            const sizes: number[] = []
            appends.forEach((a, i) => {
              const b = batch(a.n, `b${i}`, { valueSize: a.size })
              sizes.push(b.length)
              log.append(b)
              for (let j = 0; j < a.n; j++) expected.push(`b${i}-${j}-`.padEnd(a.size, 'x'))
            })
            const check = (l: Log, count: number): void => {
              expect(l.logEndOffset).toBe(count)
              expect(readAll(l).map((r) => r.value)).toEqual(expected.slice(0, count))
              for (const p of probes) {
                const o = p % count
                const recs = records(l.read(o, 1 + (p % 5000)))
                expect(recs[0]!.offset).toBeLessThanOrEqual(o)
                const hit = recs.find((r) => r.offset === o)
                expect(hit?.value).toBe(expected[o])
              }
            }
            check(log, expected.length)
            if (mode === 'clean') log.close()
            else log.closeUnclean()
            let count = expected.length
            if (mode === 'torn') {
              // Cut the last batch somewhere inside it and append garbage.
              const last = path.join(d, files(d, '.log').at(-1)!)
              const size = fs.statSync(last).size
              const lastSize = sizes.at(-1)!
              if (size > 0) {
                fs.truncateSync(last, size - 1 - ((probes[0] ?? 0) % lastSize))
                fs.appendFileSync(last, Buffer.alloc((probes[1] ?? 0) % 100, 0x5a))
                count -= appends.at(-1)!.n
              }
            }
            const again = Log.open(d, cfg)
            if (count > 0) check(again, count)
            again.close()
          } finally {
            removeDir(d)
          }
        },
      ),
      { numRuns: 40 },
    )
  })
})

describe('Log corruption outside the CRC', () => {
  it('treats an out-of-order base offset as corrupt, on read and in recovery', () => {
    const d = dir()
    const cfg = config({ 'segment.bytes': '2000' })
    const log = Log.open(d, cfg)
    for (let i = 0; i < 10; i++) log.append(batch(2, `o${i}`))
    log.closeUnclean()
    const file = path.join(d, files(d, '.log')[0]!)
    const bytes = fs.readFileSync(file)
    // Third batch: set its base offset back to 0 (the CRC does not cover it).
    let at = 0
    for (let i = 0; i < 2; i++) at += 12 + bytes.readInt32BE(at + 8)
    bytes.writeInt32BE(0, at + 4)
    fs.writeFileSync(file, bytes)
    const again = Log.open(d, cfg)
    // The damaged batch (offsets 4, 5) is fenced off; the batches after it stay.
    expect(again.logEndOffset).toBe(20)
    expect(records(again.read(0, 1 << 20)).map((r) => r.offset)).toEqual([0, 1, 2, 3])
    expect(() => again.read(4, 1 << 20)).toThrow(CorruptRecordError)
    expect(readAll(again, 6).map((r) => r.offset)).toEqual([...Array(14).keys()].map((i) => i + 6))
    again.close()
  })
})

describe('maxTimestampRecord (ListOffsets MAX_TIMESTAMP)', () => {
  const stamped = (ts: number[]): Buffer => encodeRecordBatch(ts.map((timestamp, i) => ({ key: null, value: Buffer.from(`r${i}`.padEnd(60, '.')), timestamp })))

  it('finds the first record carrying the largest timestamp across segments, also after reopening', () => {
    const d = dir()
    const cfg = config({ 'segment.bytes': '400', 'index.interval.bytes': '50' })
    const log = Log.open(d, cfg)
    expect(log.maxTimestampRecord()).toBeNull()
    log.append(stamped([100, 200])) // 0-1
    log.append(stamped([300, 7_000, 500, 7_000])) // 2-5: the max, first at offset 3
    for (let i = 0; i < 12; i++) log.append(stamped([1_000 + i, 2_000 + i])) // 6-29, later segments
    log.append(stamped([7_000])) // 30: a tie, later
    expect(log.segmentCount).toBeGreaterThan(2)
    expect(log.maxTimestampRecord()).toEqual({ offset: 3, timestamp: 7_000 })
    log.close()
    const again = Log.open(d, cfg)
    expect(again.maxTimestampRecord()).toEqual({ offset: 3, timestamp: 7_000 })
    again.append(stamped([8_000, 8_001, 10]))
    expect(again.maxTimestampRecord()).toEqual({ offset: 32, timestamp: 8_001 })
    again.close()
  })
})

describe('offsetForTimestamp details', () => {
  it('reads record timestamps inside compressed batches and respects the log start offset', async () => {
    const { CompressionType } = await import('../../../core/protocol/records/batch-header.js')
    const log = Log.open(dir(), config({ 'segment.bytes': '500' }))
    for (let i = 0; i < 20; i++) log.append(batch(4, `c${i}`, { timestamp: i * 100, compression: CompressionType.Gzip }))
    // batch i: offsets 4i..4i+3 with timestamps 100i..100i+3
    expect(log.offsetForTimestamp(502)).toEqual({ offset: 22, timestamp: 502 })
    expect(log.offsetForTimestamp(504)).toEqual({ offset: 24, timestamp: 600 })
    log.deleteRecordsBefore(26)
    expect(log.offsetForTimestamp(0)).toEqual({ offset: 26, timestamp: 602 })
    expect(log.offsetForTimestamp(5000)).toBeNull()
    log.close()
  })
})
