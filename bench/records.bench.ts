// Encode/decode throughput of v2 record batches with 100-byte values.
// Run: npx tsx bench/records.bench.ts
import { CompressionType } from '../core/protocol/records/batch-header.js'
import {
  RecordBatchBuilder,
  type RecordInput,
  decodeRecords,
  forEachRecord,
} from '../core/protocol/records/record-batch.js'

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

const inputs: RecordInput[] = []
const now = Date.now()
for (let i = 0; i < RECORDS_PER_BATCH; i++) {
  inputs.push({ key: Buffer.from(`key-${i}`), value: value(i), timestamp: now + i })
}

function rate(n: number, ms: number): string {
  return `${((n / ms) * 1000 / 1e6).toFixed(2)}M rec/s`
}

for (const codec of [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
]) {
  const builder = new RecordBatchBuilder({ compression: codec, initialCapacity: 256 * 1024 })
  const batches = TOTAL / RECORDS_PER_BATCH
  const scale = codec === CompressionType.None ? 1 : codec === CompressionType.Gzip ? 0.1 : 0.5
  const nBatches = Math.max(1, Math.floor(batches * scale))
  let batch: Buffer = Buffer.alloc(0)
  // warm-up
  for (let b = 0; b < 20; b++) {
    builder.reset()
    for (const r of inputs) builder.append(r)
    batch = builder.build()
  }
  let t = performance.now()
  for (let b = 0; b < nBatches; b++) {
    builder.reset({ compression: codec, baseOffset: b * RECORDS_PER_BATCH })
    for (let i = 0; i < inputs.length; i++) builder.append(inputs[i]!)
    batch = builder.build()
  }
  const encMs = performance.now() - t

  let sink = 0
  for (let b = 0; b < 20; b++) sink += decodeRecords(batch).length
  t = performance.now()
  for (let b = 0; b < nBatches; b++) sink += decodeRecords(batch).length
  const decMs = performance.now() - t
  t = performance.now()
  for (let b = 0; b < nBatches; b++) forEachRecord(batch, 0, (r) => (sink += r.value!.length))
  const eachMs = performance.now() - t

  if (sink < 0) throw new Error('unreachable') // keeps the decode results observable
  const n = nBatches * RECORDS_PER_BATCH
  const name = CompressionType[codec].padEnd(6)
  console.log(
    `${name} batch ${String(batch.length).padStart(6)} B  encode ${rate(n, encMs)}  decodeRecords ${rate(n, decMs)}  forEachRecord ${rate(n, eachMs)}`,
  )
}
