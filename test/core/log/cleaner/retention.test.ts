import { afterEach, describe, expect, it } from 'vitest'
import { OffsetOutOfRangeError } from '../../../../core/errors.js'
import { planRetention } from '../../../../core/log/cleaner/retention.js'
import { Log } from '../../../../core/log/log.js'
import { batch, config, readAll, removeDir, tempDir } from '../helpers.js'

const dirs: string[] = []
function dir(): string {
  const d = tempDir()
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d)
})

describe('planRetention', () => {
  const segs = [
    { baseOffset: 0, size: 100, largestTimestamp: 1000 },
    { baseOffset: 10, size: 100, largestTimestamp: 2000 },
    { baseOffset: 20, size: 100, largestTimestamp: 3000 },
    { baseOffset: 30, size: 100, largestTimestamp: 4000 },
  ]
  const base = { retentionMs: -1, retentionBytes: -1, cleanupPolicy: 'delete' as const }
  it('never plans the active segment', () => {
    expect(planRetention(segs, { ...base, retentionMs: 0 }, 0, 1e9).deleteCount).toBe(3)
    expect(planRetention(segs, { ...base, retentionBytes: 0 }, 0, 0).deleteCount).toBe(3)
    expect(planRetention(segs, base, 1000, 0).deleteCount).toBe(3)
  })
  it('applies time, size and log start rules', () => {
    expect(planRetention(segs, { ...base, retentionMs: 1500 }, 0, 3600)).toEqual({ deleteCount: 2, reason: 'retention.ms' })
    expect(planRetention(segs, { ...base, retentionBytes: 250 }, 0, 0)).toEqual({ deleteCount: 1, reason: 'retention.bytes' })
    expect(planRetention(segs, base, 20, 0)).toEqual({ deleteCount: 2, reason: 'log-start-offset' })
    expect(planRetention(segs, { ...base, cleanupPolicy: 'compact', retentionMs: 0 }, 0, 1e9).deleteCount).toBe(0)
  })
})

describe('Log retention', () => {
  const cfg = (extra: Record<string, string>) => config({ 'segment.bytes': '500', ...extra })

  it('deletes old segments by time, keeps the active one, persists the log start offset', () => {
    const d = dir()
    const log = Log.open(d, cfg({ 'retention.ms': '10000' }))
    for (let i = 0; i < 30; i++) log.append(batch(2, `r${i}`, { timestamp: i * 1000 }))
    const segs = log.segmentCount
    expect(segs).toBeGreaterThan(3)
    const res = log.applyRetention(25_000)
    expect(res.deletedSegments).toBeGreaterThan(0)
    expect(log.segmentCount).toBe(segs - res.deletedSegments)
    expect(res.logStartOffset).toBe(log.logStartOffset)
    expect(log.logStartOffset).toBeGreaterThan(0)
    expect(() => log.read(0, 100)).toThrow(OffsetOutOfRangeError)
    // Everything left is younger than the horizon except possibly inside the first kept segment.
    const kept = readAll(log)
    expect(kept[0]!.offset).toBe(log.logStartOffset)
    // Far in the future: all closed segments go, the active one stays.
    log.applyRetention(1e12)
    expect(log.segmentCount).toBe(1)
    expect(log.logEndOffset).toBe(60)
    const start = log.logStartOffset
    log.close()
    const again = Log.open(d, cfg({ 'retention.ms': '10000' }))
    expect(again.logStartOffset).toBe(start)
    expect(again.logEndOffset).toBe(60)
    again.close()
  })

  it('deletes by retention.bytes', () => {
    const log = Log.open(dir(), cfg({ 'retention.bytes': '1000', 'retention.ms': '-1' }))
    for (let i = 0; i < 40; i++) log.append(batch(2, `b${i}`))
    log.applyRetention(Date.now())
    expect(log.sizeInBytes).toBeLessThanOrEqual(1000 + 500)
    expect(log.sizeInBytes).toBeGreaterThan(1000 - 500)
    expect(readAll(log).at(-1)!.offset).toBe(79)
    log.close()
  })

  it('deleteRecordsBefore moves the log start offset and deletes whole segments below it', () => {
    const d = dir()
    const log = Log.open(d, cfg({}))
    for (let i = 0; i < 30; i++) log.append(batch(2, `d${i}`))
    const segs = log.segmentCount
    expect(log.deleteRecordsBefore(33)).toBe(33)
    expect(log.logStartOffset).toBe(33)
    expect(log.segmentCount).toBeLessThan(segs)
    expect(log.segmentBaseOffsets()[0]).toBeLessThanOrEqual(33)
    expect(readAll(log)[0]!.offset).toBe(33)
    expect(() => log.read(32, 100)).toThrow(OffsetOutOfRangeError)
    expect(() => log.deleteRecordsBefore(61)).toThrow(OffsetOutOfRangeError)
    log.closeUnclean()
    const again = Log.open(d, cfg({}))
    expect(again.logStartOffset).toBe(33)
    expect(again.deleteRecordsBefore(60)).toBe(60)
    expect(again.read(60, 100).length).toBe(0)
    expect(again.append(batch(1, 'z')).baseOffset).toBe(60)
    again.close()
  })
})
