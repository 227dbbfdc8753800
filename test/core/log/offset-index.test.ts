import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { OffsetIndex } from '../../../core/log/offset-index.js'
import { TimeIndex } from '../../../core/log/time-index.js'
import { removeDir, tempDir } from './helpers.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d)
})
function dir(): string {
  const d = tempDir()
  dirs.push(d)
  return d
}

describe('OffsetIndex', () => {
  it('looks up the last entry at or below a target', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 100_000 }), { maxLength: 200 }), fc.integer({ min: 0, max: 110_000 }), (rels, probe) => {
        const sorted = [...rels].sort((a, b) => a - b)
        const idx = new OffsetIndex('/nonexistent', 1000, 1 << 20)
        sorted.forEach((r, i) => idx.append(1000 + r, (i + 1) * 10))
        const got = idx.lookup(1000 + probe)
        let want = { offset: 1000, position: 0 }
        sorted.forEach((r, i) => {
          if (r <= probe) want = { offset: 1000 + r, position: (i + 1) * 10 }
        })
        expect(got).toEqual(want)
      }),
    )
  })

  it('saves incrementally, reloads, and sanity-checks', () => {
    const file = path.join(dir(), 'x.index')
    const idx = new OffsetIndex(file, 50, 80)
    idx.markDirty()
    idx.append(55, 100)
    idx.save()
    idx.append(60, 200)
    idx.append(59, 300) // ignored: not increasing
    idx.save()
    expect(fs.statSync(file).size).toBe(16)
    const back = OffsetIndex.load(file, 50, 80)!
    expect(back.entries).toBe(2)
    expect(back.lookup(61)).toEqual({ offset: 60, position: 200 })
    expect(back.sanityCheck(1000, 70)).toBeNull()
    expect(back.sanityCheck(150, 70)).toContain('past the log end')
    expect(back.sanityCheck(1000, 58)).toContain('past the segment end')
    expect(back.maxEntries).toBe(10)
    fs.writeFileSync(file, Buffer.alloc(12))
    expect(OffsetIndex.load(file, 50, 80)).toBeNull()
    expect(OffsetIndex.load(file + '.missing', 50, 80)).toBeNull()
  })
})

describe('TimeIndex', () => {
  it('keeps only new maxima and finds the last entry before a timestamp', () => {
    const file = path.join(dir(), 'x.timeindex')
    const t = new TimeIndex(file, 100, 1200)
    t.maybeAppend(1000, 105)
    t.maybeAppend(900, 107) // not a new max
    t.maybeAppend(2000, 110)
    t.maybeAppend(3000, 120)
    expect(t.entries).toBe(3)
    expect(t.lookupBefore(1000)).toBeNull()
    expect(t.lookupBefore(1001)).toEqual({ timestamp: 1000, offset: 105 })
    expect(t.lookupBefore(2500)).toEqual({ timestamp: 2000, offset: 110 })
    t.markDirty()
    t.save()
    const back = TimeIndex.load(file, 100, 1200)!
    expect(back.lastEntry()).toEqual({ timestamp: 3000, offset: 120 })
    expect(back.sanityCheck(121)).toBeNull()
    expect(back.sanityCheck(115)).toContain('past the segment end')
  })
})
