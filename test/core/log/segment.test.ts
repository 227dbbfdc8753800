import fs from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { LogSegment, offsetFileName, parseOffsetFileName, scanBatches } from '../../../core/log/segment.js'
import { setBaseOffset } from '../../../core/protocol/records/batch-header.js'
import { batch, removeDir, tempDir } from './helpers.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d)
})
function dir(): string {
  const d = tempDir()
  dirs.push(d)
  return d
}
const cfg = { segmentIndexBytes: 1 << 16, indexIntervalBytes: 100 }

function appendAt(seg: LogSegment, offset: number, n: number): number {
  const b = batch(n, `o${offset}`, { valueSize: 40 })
  setBaseOffset(b, offset)
  seg.append(b, cfg.indexIntervalBytes)
  return offset + n
}

describe('LogSegment', () => {
  it('names files by 20-digit base offset', () => {
    expect(offsetFileName(42, '.log')).toBe('00000000000000000042.log')
    expect(parseOffsetFileName('00000000000000000042.log', '.log')).toBe(42)
    expect(parseOffsetFileName('42.log', '.log')).toBeNull()
    expect(parseOffsetFileName('00000000000000000042.index', '.log')).toBeNull()
  })

  it('appends, indexes sparsely, finds batches, and reopens', () => {
    const d = dir()
    const seg = LogSegment.create(d, 1000, cfg, 0)
    let next = 1000
    for (let i = 0; i < 30; i++) next = appendAt(seg, next, 1 + (i % 3))
    expect(seg.nextOffset).toBe(next)
    expect(seg.index.entries).toBeGreaterThan(5)
    for (let o = 1000; o < next; o += 5) {
      const pos = seg.findBatchPosition(o)
      const head = seg.readBytes(pos, 61)
      const base = head.readInt32BE(4)
      expect(base).toBeLessThanOrEqual(o)
      expect(base + head.readInt32BE(23)).toBeGreaterThanOrEqual(o)
    }
    expect(seg.findBatchPosition(next)).toBe(-1)
    const size = seg.size
    seg.close()
    const { segment, indexProblem } = LogSegment.open(d, 1000, cfg, 0)
    expect(indexProblem).toBeNull()
    expect(segment.loadBounds()).toBeNull()
    expect(segment.sanityCheckIndexes()).toBeNull()
    expect(segment.nextOffset).toBe(next)
    expect(segment.size).toBe(size)
    segment.close()
  })

  it('rebuild fences a bad batch in the middle off as a hole and cuts only a tail with nothing good after it', () => {
    const d = dir()
    const seg = LogSegment.create(d, 0, cfg, 0)
    let next = 0
    for (let i = 0; i < 10; i++) next = appendAt(seg, next, 2)
    const positions: number[] = []
    scanBatches(seg.fd, 0, seg.size, true, (_b, _a, pos) => {
      positions.push(pos)
    })
    const fullSize = seg.size
    seg.close()
    const file = seg.logFile
    const bytes = fs.readFileSync(file)
    bytes[positions[6]! + 70]! ^= 1 // corrupt batch 6 (offsets 12, 13)
    fs.writeFileSync(file, bytes)
    const { segment } = LogSegment.open(d, 0, cfg, 0)
    const res = segment.recover(cfg.indexIntervalBytes)
    expect(res.problem).toBe('CRC mismatch')
    expect(res.truncatedBytes).toBe(0)
    expect(segment.size).toBe(fullSize)
    expect(segment.nextOffset).toBe(20)
    expect(segment.holes).toEqual([{ position: positions[6], end: positions[7], firstOffset: 12, nextOffset: 14, reason: 'CRC mismatch' }])
    expect(segment.sanityCheckIndexes()).toBeNull()
    // Reads past the hole start at the next good batch.
    expect(segment.findBatchPosition(14)).toBe(positions[7])
    segment.close()

    // The last batch torn: nothing good follows, so the tail is cut.
    fs.truncateSync(file, fullSize - 3)
    const reopened = LogSegment.open(d, 0, cfg, 0).segment
    const cut = reopened.recover(cfg.indexIntervalBytes)
    expect(cut.truncatedBytes).toBe(fullSize - 3 - positions[9]!)
    expect(reopened.size).toBe(positions[9])
    expect(reopened.nextOffset).toBe(18)
    reopened.close()
  })
})
