import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { BrookError } from '../../../core/errors.js'
import { Log } from '../../../core/log/log.js'
import { lastSequenceOf, nextSequence } from '../../../core/log/producer-state.js'
import { batch, config, readAll, removeDir, tempDir } from './helpers.js'

const dirs: string[] = []
function dir(): string {
  const d = tempDir()
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d)
})

const idem = (n: number, seq: number, epoch = 0, pid = 7) =>
  batch(n, `p${pid}e${epoch}s${seq}`, { producerId: pid, producerEpoch: epoch, baseSequence: seq })

function code(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    if (err instanceof BrookError) return err.code
    throw err
  }
  return undefined
}

describe('idempotent producer state', () => {
  it('wraps sequences at int32', () => {
    expect(lastSequenceOf(2147483646, 3)).toBe(1)
    expect(lastSequenceOf(5, 3)).toBe(8)
    expect(nextSequence(2147483647)).toBe(0)
  })

  it('returns the original offsets for a retried batch without writing it', () => {
    const log = Log.open(dir(), config())
    log.append(batch(2, 'other'))
    const first = log.append(idem(3, 0))
    const second = log.append(idem(2, 3))
    const size = log.sizeInBytes
    const retry = log.append(idem(3, 0))
    expect(retry).toMatchObject({ baseOffset: first.baseOffset, lastOffset: first.lastOffset, duplicate: true })
    expect(log.append(idem(2, 3))).toMatchObject({ baseOffset: second.baseOffset, duplicate: true })
    expect(log.sizeInBytes).toBe(size)
    expect(log.logEndOffset).toBe(7)
    log.close()
  })

  it('rejects a sequence gap and fences an old epoch', () => {
    const log = Log.open(dir(), config())
    log.append(idem(2, 0))
    expect(code(() => log.append(idem(1, 5)))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER')
    log.append(idem(1, 0, 1)) // new epoch starts at 0
    expect(code(() => log.append(idem(1, 1, 0)))).toBe('INVALID_PRODUCER_EPOCH')
    expect(code(() => log.append(idem(1, 3, 2)))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER')
    expect(log.logEndOffset).toBe(3)
    // An unknown producer may start anywhere (its state may have expired).
    expect(log.append(idem(1, 42, 0, 99)).duplicate).toBe(false)
    log.close()
  })

  it('checks several batches of one producer in one append in order', () => {
    const log = Log.open(dir(), config())
    log.append(idem(1, 0))
    const res = log.append(Buffer.concat([idem(2, 1), idem(1, 3)]))
    expect(res).toMatchObject({ baseOffset: 1, lastOffset: 3, duplicate: false })
    expect(code(() => log.append(Buffer.concat([idem(1, 4), idem(1, 9)])))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER')
    expect(log.logEndOffset).toBe(4)
    log.close()
  })

  for (const mode of ['clean', 'unclean', 'unclean-no-snapshot'] as const) {
    it(`survives a ${mode} reopen`, () => {
      const d = dir()
      const cfg = config({ 'segment.bytes': '600' })
      const log = Log.open(d, cfg)
      const results = []
      for (let s = 0; s < 30; s += 2) results.push(log.append(idem(2, s)))
      expect(log.segmentCount).toBeGreaterThan(2)
      if (mode === 'clean') log.close()
      else log.closeUnclean()
      if (mode === 'unclean-no-snapshot') {
        for (const f of fs.readdirSync(d)) if (f.endsWith('.snapshot')) fs.rmSync(path.join(d, f))
      }
      const again = Log.open(d, cfg)
      const last = results.at(-1)!
      expect(again.append(idem(2, 28))).toMatchObject({ baseOffset: last.baseOffset, duplicate: true })
      expect(again.append(idem(2, 26))).toMatchObject({ baseOffset: results.at(-2)!.baseOffset, duplicate: true })
      expect(code(() => again.append(idem(1, 31)))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER')
      expect(again.append(idem(1, 30)).baseOffset).toBe(30)
      expect(readAll(again).length).toBe(31)
      again.close()
    })
  }
})
