import { afterEach, describe, expect, it } from 'vitest'
import { Log } from '../../../core/log/log.js'
import { batch, config, removeDir, tempDir } from './helpers.js'

/** Polls until cond() holds (the fsync runs on the threadpool), up to 10 s. */
async function eventually(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10))
}

const dirs: string[] = []
function dir(): string {
  const d = tempDir()
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d)
})

describe('flushing', () => {
  it('flush.messages=1 turns on fsync-before-ack', () => {
    const a = Log.open(dir(), config({ 'flush.messages': '1' }))
    const b = Log.open(dir(), config())
    expect(a.needsFlushOnAck()).toBe(true)
    expect(b.needsFlushOnAck()).toBe(false)
    a.close()
    b.close()
  })

  it('group commit: concurrent waiters share fsyncs', async () => {
    const log = Log.open(dir(), config())
    const waits: Array<Promise<void>> = []
    for (let i = 0; i < 200; i++) {
      const res = log.append(batch(1, `g${i}`))
      waits.push(log.waitForFlush(res.lastOffset + 1))
    }
    await Promise.all(waits)
    // All 200 waiters were queued before the first fsync finished: at most two rounds.
    expect(log.stats.fsyncs).toBeGreaterThanOrEqual(1)
    expect(log.stats.fsyncs).toBeLessThanOrEqual(2)
    expect(log.flushedOffsetExclusive).toBe(200)
    log.close()
  })

  it('waiters arriving during an fsync queue for the next one', async () => {
    const log = Log.open(dir(), config())
    log.append(batch(1, 'a'))
    const first = log.waitForFlush()
    // Appended while the first fsync is in flight: not covered by it.
    const waits: Array<Promise<void>> = []
    for (let i = 0; i < 50; i++) {
      log.append(batch(1, `b${i}`))
      waits.push(log.waitForFlush())
    }
    await first
    await Promise.all(waits)
    expect(log.stats.fsyncs).toBe(2)
    expect(log.flushedOffsetExclusive).toBe(51)
    // Nothing new: resolves at once without an fsync.
    await log.waitForFlush(10)
    expect(log.stats.fsyncs).toBe(2)
    log.close()
  })

  it('flush.messages=N fsyncs in the background after N records', async () => {
    const log = Log.open(dir(), config({ 'flush.messages': '10' }))
    for (let i = 0; i < 3; i++) log.append(batch(3, `x${i}`))
    await new Promise((r) => setTimeout(r, 20))
    expect(log.stats.fsyncs).toBe(0)
    log.append(batch(3, 'y'))
    await eventually(() => log.stats.fsyncs > 0)
    expect(log.stats.fsyncs).toBe(1)
    expect(log.flushedOffsetExclusive).toBe(12)
    log.close()
  })

  it('flush.ms fsyncs old unflushed data from a timer', async () => {
    const log = Log.open(dir(), config({ 'flush.ms': '10' }))
    log.append(batch(1, 'a'))
    await eventually(() => log.flushedOffsetExclusive === 1)
    expect(log.flushedOffsetExclusive).toBe(1)
    expect(log.stats.fsyncs).toBe(1)
    log.close()
  })
})
