// Damage on disk is reported and contained: for a flipped byte in a closed segment's
// header, payload or length field, in each index file, and a torn tail, the log opens,
// a consumer that skips what it cannot read loses exactly the damaged batch's offsets,
// and one log line names the file, the position and those offsets.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CorruptRecordError } from '../../../core/errors.js'
import { Log } from '../../../core/log/log.js'
import { RateLimitedLogger, type BrookLogger } from '../../../core/logger.js'
import { batch, config, readAll, records, removeDir, tempDir } from './helpers.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d)
})

const RECORDS_PER_BATCH = 10
const BATCHES = 300 // 3,000 records
const cfg = config({ 'segment.bytes': '12000', 'index.interval.bytes': '1000' })

interface Capture {
  logger: RateLimitedLogger
  lines: string[]
}

function capture(): Capture {
  const lines: string[] = []
  const target: BrookLogger = {
    info: (m) => lines.push(`INFO ${m}`),
    warn: (m) => lines.push(`WARN ${m}`),
    error: (m) => lines.push(`ERROR ${m}`),
  }
  return { logger: new RateLimitedLogger(target), lines }
}

/** A closed log of 3,000 records in batches of 10 (about 10 segments). */
function filled(): { dir: string; before: ReturnType<typeof readAll> } {
  const dir = tempDir()
  dirs.push(dir)
  const log = Log.open(dir, cfg, { logger: capture().logger })
  for (let i = 0; i < BATCHES; i++) log.append(batch(RECORDS_PER_BATCH, `b${i}`, { valueSize: 24, timestamp: 1_000 + i * 10 }))
  const before = readAll(log)
  log.close()
  return { dir, before }
}

function logFiles(dir: string, suffix = '.log'): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort()
}

/** Byte positions of the batches in a segment file. */
function batchPositions(file: string): number[] {
  const bytes = fs.readFileSync(file)
  const out: number[] = []
  for (let at = 0; at + 12 <= bytes.length; at += 12 + bytes.readInt32BE(at + 8)) out.push(at)
  return out
}

function flip(file: string, position: number, mask = 0x10): void {
  const bytes = fs.readFileSync(file)
  bytes[position]! ^= mask
  fs.writeFileSync(file, bytes)
}

/** A consumer that reads on from each offset and, on CORRUPT_RECORD, reports the offset and seeks past it. */
function consumeSkipping(log: Log): { offsets: number[]; corrupt: number[] } {
  const offsets: number[] = []
  const corrupt: number[] = []
  let offset = log.logStartOffset
  while (offset < log.logEndOffset) {
    let buf: Buffer
    try {
      buf = log.read(offset, 4096)
    } catch (err) {
      if (!(err instanceof CorruptRecordError)) throw err
      corrupt.push(offset)
      offset++
      continue
    }
    if (buf.length === 0) break
    for (const r of records(buf)) {
      if (r.offset < offset) continue
      offsets.push(r.offset)
      offset = r.offset + 1
    }
  }
  return { offsets, corrupt }
}

const range = (from: number, to: number): number[] => [...Array(to - from).keys()].map((i) => i + from)

describe('a flipped byte in a closed segment', () => {
  const cases = [
    { what: 'header (max timestamp, under the CRC)', at: 40 },
    { what: 'payload', at: 150 },
    { what: 'length field', at: 10 },
  ]
  for (const mode of ['after a clean stop', 'after a crash (full recovery)'] as const) {
    for (const c of cases) {
      it(`${c.what}, ${mode}: only the damaged batch's offsets are lost, later segments stay, one line says so`, () => {
        const { dir, before } = filled()
        const segs = logFiles(dir)
        expect(segs.length).toBeGreaterThanOrEqual(10)
        const file = path.join(dir, segs[1]!) // an old closed segment
        const positions = batchPositions(file)
        const victim = 5
        const pos = positions[victim]!
        const firstLost = Number(segs[1]!.slice(0, 20)) + victim * RECORDS_PER_BATCH
        flip(file, pos + c.at, c.at === 10 ? 0x01 : 0x10)
        if (mode !== 'after a clean stop') {
          fs.rmSync(path.join(dir, 'clean-shutdown'))
          fs.rmSync(path.join(dir, 'log.checkpoint'))
        }
        const { logger, lines } = capture()
        const log = Log.open(dir, cfg, { logger })
        expect(log.segmentCount).toBe(segs.length)
        expect(log.logEndOffset).toBe(BATCHES * RECORDS_PER_BATCH)
        const { offsets, corrupt } = consumeSkipping(log)
        const lost = range(firstLost, firstLost + RECORDS_PER_BATCH)
        expect(corrupt).toEqual(lost)
        expect(offsets).toEqual(before.map((r) => r.offset).filter((o) => !lost.includes(o)))
        const said = lines.filter((l) => l.includes(segs[1]!) && l.includes(`${pos}`) && l.includes(`${firstLost}..${firstLost + RECORDS_PER_BATCH - 1}`))
        expect(said).toHaveLength(1)
        // The damaged bytes are still on disk.
        expect(fs.statSync(file).size).toBe(positions.at(-1)! + fs.readFileSync(file).readInt32BE(positions.at(-1)! + 8) + 12)
        log.close()
        // And the next start neither cuts nor forgets anything.
        const again = Log.open(dir, cfg, { logger: capture().logger })
        expect(again.logEndOffset).toBe(BATCHES * RECORDS_PER_BATCH)
        expect(consumeSkipping(again).corrupt).toEqual(lost)
        again.close()
      })
    }
  }
})

describe('damaged index files of a closed segment', () => {
  it('random bytes in an .index: rebuilt at open, every record readable, logged', () => {
    const { dir, before } = filled()
    const index = path.join(dir, logFiles(dir, '.index')[1]!)
    const size = fs.statSync(index).size
    expect(size).toBeGreaterThan(0)
    fs.writeFileSync(index, Buffer.from(Array.from({ length: size }, (_, i) => (i * 97 + 13) & 0xff)))
    const { logger, lines } = capture()
    const log = Log.open(dir, cfg, { logger })
    expect(readAll(log)).toEqual(before)
    expect(consumeSkipping(log).corrupt).toEqual([])
    expect(lines.filter((l) => l.includes('Rebuilding the indexes') && l.includes(path.basename(index, '.index')))).toHaveLength(1)
    log.close()
  })

  it('one flipped byte in an .index entry position: found at lookup, rebuilt, reads stay correct', () => {
    const { dir, before } = filled()
    const index = path.join(dir, logFiles(dir, '.index')[1]!)
    const entries = fs.statSync(index).size / 8
    expect(entries).toBeGreaterThan(2)
    flip(index, 8 + 7, 0x01) // second entry, lowest byte of its position
    const { logger, lines } = capture()
    const log = Log.open(dir, cfg, { logger })
    // Every offset read on its own returns the batch holding it.
    for (const r of before) {
      const got = records(log.read(r.offset, 1))
      expect(got.some((x) => x.offset === r.offset)).toBe(true)
    }
    expect(lines.filter((l) => l.includes('Rebuilding the indexes'))).toHaveLength(1)
    log.close()
  })

  it('a flipped byte in a .timeindex: its tail is checked at open, rebuilt, lookups by time stay correct', () => {
    const { dir, before } = filled()
    const timeIndex = path.join(dir, logFiles(dir, '.timeindex')[1]!)
    const size = fs.statSync(timeIndex).size
    flip(timeIndex, size - 12 + 7, 0x40) // last entry's timestamp
    const { logger, lines } = capture()
    const log = Log.open(dir, cfg, { logger })
    expect(readAll(log)).toEqual(before)
    // Batch i holds timestamps 1000 + 10i ..; the first record at or after a time is found exactly.
    for (const i of [0, 33, 34, 35, 60, 299]) {
      expect(log.offsetForTimestamp(1_000 + i * 10)).toEqual({ offset: i * RECORDS_PER_BATCH, timestamp: 1_000 + i * 10 })
    }
    expect(lines.filter((l) => l.includes('Rebuilding the indexes') && l.includes(path.basename(timeIndex, '.timeindex')))).toHaveLength(1)
    log.close()
  })
})

describe('a torn tail', () => {
  it('is cut at open after a crash, and the cut is logged with file, position and the new end', () => {
    const { dir, before } = filled()
    const last = path.join(dir, logFiles(dir).at(-1)!)
    const positions = batchPositions(last)
    fs.truncateSync(last, fs.statSync(last).size - 7)
    fs.rmSync(path.join(dir, 'clean-shutdown'))
    const { logger, lines } = capture()
    const log = Log.open(dir, cfg, { logger })
    const end = BATCHES * RECORDS_PER_BATCH - RECORDS_PER_BATCH
    expect(log.logEndOffset).toBe(end)
    expect(readAll(log)).toEqual(before.slice(0, end))
    expect(lines.filter((l) => l.includes('Truncated') && l.includes(path.basename(last)) && l.includes(`position ${positions.at(-1)}`) && l.includes(`offset ${end}`))).toHaveLength(1)
    log.close()
  })
})
