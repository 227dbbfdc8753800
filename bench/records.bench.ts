// Encode/decode throughput of v2 record batches with 100-byte values, against a same-run
// baseline: copying the same key and value bytes record by record into one buffer (the
// least any encoder or decoder has to move). Alternating rounds (the side that runs first
// rotates), medians; ratios are records/s over the baseline's records/s.
// Run: npx tsx bench/records.bench.ts [rounds]
import { CompressionType } from '../core/protocol/records/batch-header.js'
import {
  RecordBatchBuilder,
  type RecordInput,
  decodeRecords,
  forEachRecord,
} from '../core/protocol/records/record-batch.js'
import { alternateRounds, med } from './rounds.js'

const ROUNDS = Number(process.argv[2] ?? '5')
const RECORDS_PER_BATCH = 1000
const TOTAL = 2_000_000

// Semi-compressible values (like JSON payloads): random words from a small set.
const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', '12345', 'true', '{"id":']
function value(i: number): Buffer {
  let s = ''
  let n = i
  while (s.length < 100) {
    s += words[n % words.length]! + ' '
    n = Math.floor(n / 3) + 7 * i + s.length
  }
  return Buffer.from(s.slice(0, 100))
}

const inputs: Array<RecordInput & { key: Buffer; value: Buffer }> = []
const now = Date.now()
for (let i = 0; i < RECORDS_PER_BATCH; i++) {
  inputs.push({ key: Buffer.from(`key-${i}`), value: value(i), timestamp: now + i })
}
const payloadBytes = inputs.reduce((n, r) => n + r.key!.length + r.value!.length, 0)
const scratch = Buffer.allocUnsafe(payloadBytes)

const rate = (n: number, ms: number): number => (n / ms) * 1000
const fmtRate = (r: number): string => `${(r / 1e6).toFixed(2)}M rec/s`

let sink = 0

/** The baseline: every record's key and value bytes copied into one buffer, nBatches times. */
function copyBaseline(nBatches: number): number {
  const t = performance.now()
  for (let b = 0; b < nBatches; b++) {
    let at = 0
    for (let i = 0; i < inputs.length; i++) {
      const r = inputs[i]!
      at += r.key!.copy(scratch, at)
      at += r.value!.copy(scratch, at)
    }
    sink += at
  }
  return performance.now() - t
}

console.log(`${RECORDS_PER_BATCH} records of ~${Math.round(payloadBytes / RECORDS_PER_BATCH)} B per batch; median of ${ROUNDS} rounds, the side that runs first rotating`)
for (const codec of [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
  const builder = new RecordBatchBuilder({ compression: codec, initialCapacity: 256 * 1024 })
  const scale = codec === CompressionType.None ? 1 : codec === CompressionType.Gzip ? 0.1 : 0.5
  const nBatches = Math.max(1, Math.floor((TOTAL / RECORDS_PER_BATCH) * scale))
  let batch: Buffer = Buffer.alloc(0)
  // warm-up
  for (let b = 0; b < 20; b++) {
    builder.reset()
    for (const r of inputs) builder.append(r)
    batch = builder.build()
    sink += decodeRecords(batch).length
  }
  copyBaseline(20)
  const results = await alternateRounds(ROUNDS, {
    copy: () => ({ ms: copyBaseline(nBatches) }),
    brook: () => {
      let t = performance.now()
      for (let b = 0; b < nBatches; b++) {
        builder.reset({ compression: codec, baseOffset: b * RECORDS_PER_BATCH })
        for (let i = 0; i < inputs.length; i++) builder.append(inputs[i]!)
        batch = builder.build()
      }
      const encode = performance.now() - t
      t = performance.now()
      for (let b = 0; b < nBatches; b++) sink += decodeRecords(batch).length
      const decode = performance.now() - t
      t = performance.now()
      for (let b = 0; b < nBatches; b++) forEachRecord(batch, 0, (r) => (sink += r.value!.length))
      const each = performance.now() - t
      return { encode, decode, each }
    },
  })
  const n = nBatches * RECORDS_PER_BATCH
  const base = rate(n, med(results, 'copy', 'ms'))
  const enc = rate(n, med(results, 'brook', 'encode'))
  const dec = rate(n, med(results, 'brook', 'decode'))
  const each = rate(n, med(results, 'brook', 'each'))
  console.log(
    `${CompressionType[codec].padEnd(6)} batch ${String(batch.length).padStart(6)} B  copy baseline ${fmtRate(base)}  ` +
      `encode ${fmtRate(enc)} (${(enc / base).toFixed(2)}x)  decodeRecords ${fmtRate(dec)} (${(dec / base).toFixed(2)}x)  forEachRecord ${fmtRate(each)} (${(each / base).toFixed(2)}x)`,
  )
}
if (sink < 0) throw new Error('unreachable') // keeps the results observable
