import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Log } from '../../../../core/log/log.js'
import { CompressionType } from '../../../../core/protocol/records/batch-header.js'
import { forEachBatch } from '../../../../core/protocol/records/record-batch.js'
import { type Rec, batch, config, keyed, readAll, records, removeDir, tempDir } from '../helpers.js'

const dirs: string[] = []
function dir(): string {
  const d = tempDir()
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d)
})

const compactCfg = (extra: Record<string, string> = {}) =>
  config({ 'cleanup.policy': 'compact', 'segment.bytes': '400', 'min.cleanable.dirty.ratio': '0', ...extra })

/** Latest record per key over `recs`, as compaction should leave the closed part. */
function expectedLatest(recs: Rec[]): Map<string, Rec> {
  const m = new Map<string, Rec>()
  for (const r of recs) if (r.key !== null) m.set(r.key, r)
  return m
}

function fillKeyed(log: Log, rounds: number, keys: number, options: { compression?: CompressionType } = {}): Rec[] {
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < keys; k += 2) {
      log.append(keyed([[`key${k}`, `v${round}-${k}`], [`key${k + 1}`, `v${round}-${k + 1}`]], { timestamp: 1000 + round, ...options }))
    }
  }
  return readAll(log)
}

describe('compaction', () => {
  for (const compression of [CompressionType.None, CompressionType.Lz4]) {
    it(`keeps the latest record per key with offset gaps (compression ${compression})`, () => {
      const log = Log.open(dir(), compactCfg())
      const before = fillKeyed(log, 6, 6, { compression })
      log.append(keyed([['tail', 'x']])) // something in the active segment
      const activeBase = log.segmentBaseOffsets().at(-1)!
      const stats = log.compact(10_000)
      expect(stats.segmentsCleaned).toBeGreaterThan(0)
      expect(stats.recordsRemoved).toBeGreaterThan(0)
      expect(stats.bytesAfter).toBeLessThan(stats.bytesBefore)
      const after = readAll(log)
      const closedBefore = before.filter((r) => r.offset < activeBase)
      const latest = expectedLatest(closedBefore)
      const closedAfter = after.filter((r) => r.offset < activeBase)
      // Every surviving record is the latest for its key, unchanged, at its original offset.
      expect(closedAfter.length).toBe(latest.size)
      for (const r of closedAfter) expect(latest.get(r.key!)).toEqual(r)
      // Offsets keep their gaps and stay increasing; the active part is untouched.
      expect(after.filter((r) => r.offset >= activeBase)).toEqual(readAll(log, activeBase))
      expect(log.logEndOffset).toBe(before.length + 1)
      expect(after.at(-1)!.value).toBe('x')
      log.close()
    })
  }

  it('drops null keys and keeps tombstones until delete.retention.ms after first cleaning', () => {
    const d = dir()
    const log = Log.open(d, compactCfg({ 'delete.retention.ms': '1000' }))
    log.append(keyed([['a', 'a1'], [null, 'nokey'], ['b', 'b1']]))
    log.append(keyed([['a', null]])) // tombstone for a
    for (let i = 0; i < 8; i++) log.append(keyed([[`f${i}`, 'filler'.padEnd(60, '.')]]))
    expect(log.segmentCount).toBeGreaterThan(1)
    log.compact(100_000)
    let recs = readAll(log)
    expect(recs.some((r) => r.key === null)).toBe(false)
    expect(recs.find((r) => r.key === 'a')).toMatchObject({ offset: 3, value: null })
    expect(recs.find((r) => r.key === 'b')).toMatchObject({ offset: 2, value: 'b1' })
    // Before the horizon nothing changes.
    expect(log.compact(100_500).recordsRemoved).toBe(0)
    expect(readAll(log).find((r) => r.key === 'a')).toBeDefined()
    // Survives a restart (the horizon is in the batch).
    log.close()
    const again = Log.open(d, compactCfg({ 'delete.retention.ms': '1000' }))
    const stats = again.compact(101_001)
    expect(stats.recordsRemoved).toBe(1)
    recs = readAll(again)
    expect(recs.find((r) => r.key === 'a')).toBeUndefined()
    expect(recs.find((r) => r.key === 'b')).toMatchObject({ offset: 2, value: 'b1' })
    again.close()
  })

  it('respects min.cleanable.dirty.ratio and min.compaction.lag.ms', () => {
    const log = Log.open(dir(), compactCfg({ 'min.cleanable.dirty.ratio': '0.5' }))
    fillKeyed(log, 4, 4)
    expect(log.compact(10_000).segmentsCleaned).toBeGreaterThan(0)
    // Clean now: nothing dirty.
    expect(log.compact(10_000).segmentsCleaned).toBe(0)
    const lagged = Log.open(dir(), compactCfg({ 'min.compaction.lag.ms': '5000' }))
    fillKeyed(lagged, 4, 4)
    expect(lagged.compact(3000).segmentsCleaned).toBe(0)
    expect(lagged.compact(20_000).segmentsCleaned).toBeGreaterThan(0)
    log.close()
    lagged.close()
  })

  it('keeps an empty batch when it is the producer state, so dedupe survives', () => {
    const d = dir()
    const cfg = compactCfg()
    const log = Log.open(d, cfg)
    const idem = (seq: number, value: string) => keyed([['same', value]], { producerId: 5, producerEpoch: 0, baseSequence: seq })
    const r0 = log.append(idem(0, 'p0'))
    log.append(idem(1, 'p1'))
    // Overwritten by a non-idempotent producer later on.
    for (let i = 0; i < 6; i++) log.append(keyed([['same', `x${i}`.padEnd(80, '.')]]))
    expect(log.segmentCount).toBeGreaterThan(1)
    log.compact(10_000)
    // Batch seq 1 (offset 1) lost its record but stays as an empty batch.
    const raw = log.read(0, 1 << 20)
    const bases: number[] = []
    forEachBatch(raw, (at) => bases.push(raw.readInt32BE(at + 4)))
    expect(bases[0]).toBe(1)
    expect(raw.readInt32BE(57)).toBe(0)
    expect(records(raw).every((r) => r.key === 'same')).toBe(true)
    log.closeUnclean()
    for (const f of fs.readdirSync(d)) if (f.endsWith('.snapshot')) fs.rmSync(path.join(d, f))
    const again = Log.open(d, cfg)
    expect(again.append(idem(1, 'p1')).duplicate).toBe(true)
    expect(again.append(idem(2, 'p2')).duplicate).toBe(false)
    expect(r0.baseOffset).toBe(0)
    again.close()
  })

  it('finishes an interrupted swap on open and discards an uncommitted one', () => {
    const original = dir()
    const cfg = compactCfg()
    const log = Log.open(original, cfg)
    fillKeyed(log, 6, 6)
    log.append(keyed([['tail', 'x']]))
    log.close()
    // Compact a copy, with groups spanning several segments.
    const copy = dir()
    fs.cpSync(original, copy, { recursive: true })
    const c = Log.open(copy, cfg)
    c.updateConfig({ ...cfg, segmentBytes: 100_000 })
    c.compact(10_000)
    const compacted = readAll(c)
    const firstFile = c.segmentBaseOffsets()[0]!
    c.close()
    const name = `${String(firstFile).padStart(20, '0')}.log`
    const before = Log.open(original, cfg)
    const uncompacted = readAll(before)
    before.close()
    // Crash before the commit: a .cleaned file is thrown away.
    fs.copyFileSync(path.join(copy, name), path.join(original, `${name}.cleaned`))
    let l = Log.open(original, cfg)
    expect(readAll(l)).toEqual(uncompacted)
    l.close()
    expect(fs.existsSync(path.join(original, `${name}.cleaned`))).toBe(false)
    // Crash after the commit: the .swap replaces every segment it covers.
    fs.copyFileSync(path.join(copy, name), path.join(original, `${name}.swap`))
    l = Log.open(original, cfg)
    expect(readAll(l)).toEqual(compacted)
    expect(l.segmentCount).toBe(2)
    l.close()
  })

  it('compact,delete runs both cleaners', () => {
    const log = Log.open(dir(), compactCfg({ 'cleanup.policy': 'compact,delete', 'retention.ms': '1000' }))
    fillKeyed(log, 6, 6)
    for (let i = 0; i < 5; i++) log.append(batch(1, `late${i}`, { timestamp: 50_000 + i }))
    expect(log.compact(10_000).segmentsCleaned).toBeGreaterThan(0)
    const res = log.applyRetention(50_100)
    expect(res.deletedSegments).toBeGreaterThan(0)
    expect(readAll(log).every((r) => r.timestamp >= 1000)).toBe(true)
    log.close()
  })
})

describe('compaction property', () => {
  it('leaves exactly the latest record per key in the closed segments, at original offsets', async () => {
    const fc = (await import('fast-check')).default
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.record({ key: fc.option(fc.integer({ min: 0, max: 12 }), { freq: 8 }), tomb: fc.boolean() }), {
            minLength: 1,
            maxLength: 6,
          }),
          { minLength: 1, maxLength: 40 },
        ),
        (batches) => {
          const d = tempDir()
          try {
            const log = Log.open(d, compactCfg({ 'delete.retention.ms': '1000' }))
            batches.forEach((recs, i) =>
              log.append(
                keyed(
                  recs.map((r, j) => [r.key === null ? null : `k${r.key}`, r.tomb ? null : `v${i}-${j}`.padEnd(30, '.')]),
                ),
              ),
            )
            const before = readAll(log)
            const activeBase = log.segmentBaseOffsets().at(-1)!
            log.compact(5_000)
            const check = (after: Rec[], tombstonesGone: boolean) => {
              const latest = expectedLatest(before.filter((r) => r.offset < activeBase))
              const want = [...latest.values()]
                .filter((r) => !(tombstonesGone && r.value === null))
                .sort((a, b) => a.offset - b.offset)
              expect(after.filter((r) => r.offset < activeBase)).toEqual(want)
              expect(after.filter((r) => r.offset >= activeBase)).toEqual(before.filter((r) => r.offset >= activeBase))
            }
            check(readAll(log), false)
            log.compact(10_000) // past the tombstones' delete horizon
            check(readAll(log), true)
            log.close()
            const again = Log.open(d, compactCfg({ 'delete.retention.ms': '1000' }))
            check(readAll(again), true)
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
