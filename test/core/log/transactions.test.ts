// The log's side of transactions: last stable offset, aborted transactions in
// <base>.txnindex (Kafka's 34-byte entries), state rebuilt after a crash, compaction
// keeping markers and dropping aborted records.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Log } from '../../../core/log/log.js'
import { TransactionTracker, encodeControlRecord } from '../../../core/log/transaction-tracker.js'
import { encodeRecordBatch } from '../../../core/protocol/records/record-batch.js'
import { config, readAll, removeDir, tempDir } from './helpers.js'

const dirs: string[] = []
function dir(): string {
  const d = tempDir()
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d)
})

let seq = new Map<number, number>()
afterEach(() => {
  seq = new Map()
})

function txnBatch(pid: number, values: string[], keys?: string[]): Buffer {
  const base = seq.get(pid) ?? 0
  seq.set(pid, base + values.length)
  return encodeRecordBatch(
    values.map((v, i) => ({ key: keys ? Buffer.from(keys[i]!) : null, value: Buffer.from(v), timestamp: 1000 })),
    { producerId: pid, producerEpoch: 0, baseSequence: base, transactional: true },
  )
}

const plain = (values: string[], keys?: string[]): Buffer =>
  encodeRecordBatch(values.map((v, i) => ({ key: keys ? Buffer.from(keys[i]!) : null, value: Buffer.from(v), timestamp: 1000 })))

const marker = (pid: number, commit: boolean): Buffer => encodeControlRecord(pid, 0, commit, 0, 2000)

describe('Log transactions', () => {
  it('keeps the last stable offset at the first offset of the oldest open transaction', () => {
    const log = Log.open(dir(), config())
    log.append(plain(['p0'])) // 0
    expect(log.lastStableOffset).toBe(1)
    log.append(txnBatch(7, ['a', 'b'])) // 1-2
    log.append(txnBatch(8, ['c'])) // 3
    log.append(plain(['p1'])) // 4
    expect(log.lastStableOffset).toBe(1)
    expect(log.openTransactions()).toEqual([
      { producerId: 7, firstOffset: 1 },
      { producerId: 8, firstOffset: 3 },
    ])
    log.append(marker(7, true)) // 5
    expect(log.lastStableOffset).toBe(3)
    log.append(marker(8, false)) // 6
    expect(log.lastStableOffset).toBe(7)
    expect(log.logEndOffset).toBe(7)
    log.close()
  })

  it('lists the aborted transactions overlapping a range and writes them to .txnindex in Kafka layout', () => {
    const d = dir()
    const log = Log.open(d, config())
    log.append(txnBatch(7, ['a', 'b'])) // 0-1
    log.append(txnBatch(9, ['x'])) // 2
    log.append(marker(7, false)) // 3
    log.append(marker(9, true)) // 4
    log.append(txnBatch(7, ['c'])) // 5
    log.append(marker(7, false)) // 6
    expect(log.abortedTransactions(0, 7)).toEqual([
      { producerId: 7, firstOffset: 0 },
      { producerId: 7, firstOffset: 5 },
    ])
    expect(log.abortedTransactions(4, 5)).toEqual([])
    expect(log.abortedTransactions(2, 6)).toEqual([
      { producerId: 7, firstOffset: 0 },
      { producerId: 7, firstOffset: 5 },
    ])
    const raw = fs.readFileSync(path.join(d, '00000000000000000000.txnindex'))
    expect(raw.length).toBe(68)
    // Entry 1: version 0, producer 7, first 0, last 3, LSO when written 2 (producer 9 still open).
    expect(raw.readInt16BE(0)).toBe(0)
    expect(Number(raw.readBigInt64BE(2))).toBe(7)
    expect(Number(raw.readBigInt64BE(10))).toBe(0)
    expect(Number(raw.readBigInt64BE(18))).toBe(3)
    expect(Number(raw.readBigInt64BE(26))).toBe(2)
    log.close()
  })

  it('rebuilds open and aborted transactions after a crash, rewriting the .txnindex', () => {
    const d = dir()
    let log = Log.open(d, config({ 'segment.bytes': '300' }))
    log.append(txnBatch(7, ['a'])) // 0
    log.append(marker(7, false)) // 1
    for (let i = 0; i < 5; i++) log.append(plain([`p${i}`])) // 2-6, rolls
    log.append(txnBatch(8, ['b'])) // 7: left open
    log.closeUnclean()
    for (const f of fs.readdirSync(d)) if (f.endsWith('.txnindex')) fs.writeFileSync(path.join(d, f), Buffer.from('torn'))
    log = Log.open(d, config({ 'segment.bytes': '300' }))
    expect(log.lastStableOffset).toBe(7)
    expect(log.abortedTransactions(0, log.logEndOffset)).toEqual([{ producerId: 7, firstOffset: 0 }])
    const idx = fs.readdirSync(d).filter((f) => f.endsWith('.txnindex'))
    expect(idx.map((f) => TransactionTracker.readIndexFile(path.join(d, f))).flat()).toEqual([
      { producerId: 7, firstOffset: 0, lastOffset: 1, lastStableOffset: 2 },
    ])
    log.append(marker(8, true))
    expect(log.lastStableOffset).toBe(log.logEndOffset)
    log.close()
  })

  it('compaction drops the records of aborted transactions, keeps markers, and leaves open transactions alone', () => {
    const d = dir()
    const log = Log.open(d, config({ 'segment.bytes': '200', 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0.01' }))
    log.append(plain(['v1'], ['k'])) // 0
    log.append(txnBatch(7, ['aborted'], ['k'])) // 1
    log.append(marker(7, false)) // 2
    log.append(plain(['other'], ['j'])) // 3
    log.append(txnBatch(8, ['open'], ['j'])) // 4: open, must stay
    for (let i = 0; i < 4; i++) log.append(plain([`f${i}`], [`f${i}`]))
    log.compact()
    const all = readAll(log)
    const values = all.filter((r) => r.value !== null).map((r) => r.value)
    expect(values).toContain('v1') // the aborted write did not make v1 obsolete
    expect(values).not.toContain('aborted')
    expect(values).toContain('open')
    expect(values).toContain('other')
    log.close()
  })
})
