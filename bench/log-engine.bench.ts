// Log engine throughput: appends 16 KB batches of 100-byte records to a Log and reads them
// back, next to plain sequential fs.writeSync/readSync of the same bytes, over alternating
// rounds (which side runs first rotates) with medians. Then fsync-before-ack with group
// commit, also per round.
// Run: npx tsx bench/log-engine.bench.ts [totalMB] [rounds]
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Log } from '../core/log/log.js'
import { parseLogConfig } from '../core/log/log-config.js'
import { type RecordInput, encodeRecordBatch } from '../core/protocol/records/record-batch.js'
import { alternateRounds, med } from './rounds.js'

const totalMB = Number(process.argv[2] ?? '256')
const ROUNDS = Number(process.argv[3] ?? '3')
const BATCH_BYTES = 16 * 1024
const RECORD_BYTES = 100

function makeBatch(): { buf: Buffer; records: number } {
  const records: RecordInput[] = []
  let size = 61
  const value = Buffer.alloc(RECORD_BYTES - 10, 'v')
  while (size + RECORD_BYTES + 10 < BATCH_BYTES) {
    records.push({ key: Buffer.from(`key${String(records.length).padStart(6, '0')}`), value, timestamp: Date.now() })
    size += RECORD_BYTES + 8
  }
  return { buf: encodeRecordBatch(records), records: records.length }
}

function mbps(bytes: number, ms: number): string {
  return ((bytes / (1 << 20)) / (ms / 1000)).toFixed(0).padStart(6)
}

function rps(n: number, ms: number): string {
  return Math.round(n / (ms / 1000)).toLocaleString('en-US').padStart(12)
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-bench-'))
  try {
    const { buf, records } = makeBatch()
    const batches = Math.floor((totalMB << 20) / buf.length)
    const bytes = batches * buf.length
    const recs = batches * records
    const ackBatches = Math.min(batches, 4000)
    console.log(`${batches} batches of ${buf.length} bytes (${records} records of ~${RECORD_BYTES} B), ${(bytes / (1 << 20)).toFixed(0)} MB; ` +
      `median of ${ROUNDS} rounds, the side that runs first rotating`)

    const results = await alternateRounds(
      ROUNDS,
      {
        // Plain sequential writes and 1 MB reads of the same bytes.
        plain: (round) => {
          const file = path.join(root, `plain-${round}.bin`)
          const fd = fs.openSync(file, 'w+')
          let t = performance.now()
          let pos = 0
          for (let i = 0; i < batches; i++) pos += fs.writeSync(fd, buf, 0, buf.length, pos)
          const write = performance.now() - t
          const chunk = Buffer.allocUnsafe(1 << 20)
          t = performance.now()
          for (let p = 0; p < pos; ) p += fs.readSync(fd, chunk, 0, chunk.length, p)
          const read = performance.now() - t
          fs.closeSync(fd)
          fs.rmSync(file)
          return { write, read }
        },
        // The log, default durability (page cache; fsync left to the OS).
        log: (round) => {
          const dir = path.join(root, `log-${round}`)
          const log = Log.open(dir, parseLogConfig({ 'segment.bytes': String(128 << 20) }))
          let t = performance.now()
          for (let i = 0; i < batches; i++) log.append(buf)
          const write = performance.now() - t
          t = performance.now()
          let offset = 0
          let readBytes = 0
          const end = log.logEndOffset
          while (offset < end) {
            const out = log.read(offset, 1 << 20)
            readBytes += out.length
            // Next offset: after the last batch returned.
            let at = 0
            let last = offset
            while (at < out.length) {
              last = out.readUInt32BE(at + 4) + out.readInt32BE(at + 23)
              at += 12 + out.readInt32BE(at + 8)
            }
            offset = last + 1
          }
          const read = performance.now() - t
          if (readBytes !== bytes) throw new Error(`read ${readBytes} of ${bytes} bytes`)
          log.close()
          fs.rmSync(dir, { recursive: true, force: true })
          return { write, read }
        },
        // fsync before ack with group commit: 64 producers in flight.
        durable: async (round) => {
          const dir = path.join(root, `durable-${round}`)
          const durable = Log.open(dir, parseLogConfig({ 'flush.messages': '1' }))
          const t = performance.now()
          let inflight: Array<Promise<void>> = []
          for (let i = 0; i < ackBatches; i++) {
            const res = durable.append(buf)
            inflight.push(durable.waitForFlush(res.lastOffset + 1))
            if (inflight.length === 64) {
              await Promise.all(inflight)
              inflight = []
            }
          }
          await Promise.all(inflight)
          const ms = performance.now() - t
          const fsyncs = durable.stats.fsyncs
          durable.close()
          fs.rmSync(dir, { recursive: true, force: true })
          return { ms, fsyncs }
        },
      },
      (round, side, m) => console.log(`  round ${round + 1} ${side.padEnd(7)} ${Object.entries(m).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(' ')}${side === 'durable' ? '' : ' ms'}`),
    )

    const pw = med(results, 'plain', 'write')
    const pr = med(results, 'plain', 'read')
    const lw = med(results, 'log', 'write')
    const lr = med(results, 'log', 'read')
    const dm = med(results, 'durable', 'ms')
    console.log('                         MB/s     records/s')
    console.log(`plain fs.writeSync     ${mbps(bytes, pw)}  ${rps(recs, pw)}`)
    console.log(`Log.append             ${mbps(bytes, lw)}  ${rps(recs, lw)}   ratio ${(pw / lw).toFixed(2)} of plain`)
    console.log(`plain fs.readSync 1MB  ${mbps(bytes, pr)}  ${rps(recs, pr)}`)
    console.log(`Log.read 1MB           ${mbps(bytes, lr)}  ${rps(recs, lr)}   ratio ${(pr / lr).toFixed(2)} of plain`)
    console.log(
      `append+waitForFlush x64 ${mbps(ackBatches * buf.length, dm)}  ${rps(ackBatches * records, dm)}   ${med(results, 'durable', 'fsyncs')} fsyncs for ${ackBatches} acks`,
    )
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}

await main()
