// Shared helpers for the log tests: temp folders, batches, decoding what a read returns.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type BatchOptions, type RecordInput, decodeRecords, encodeRecordBatch, forEachBatch } from '../../../core/protocol/records/record-batch.js'
import { type LogConfig, parseLogConfig } from '../../../core/log/log-config.js'

export function tempDir(prefix = 'brook-log-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true })
}

export function config(overrides: Record<string, string> = {}): LogConfig {
  return parseLogConfig(overrides)
}

/** A batch of `n` records with values `${prefix}-${i}` and keys `k${i}`. */
export function batch(n: number, prefix: string, options: BatchOptions & { timestamp?: number; valueSize?: number } = {}): Buffer {
  const records: RecordInput[] = []
  for (let i = 0; i < n; i++) {
    const value = options.valueSize === undefined ? `${prefix}-${i}` : `${prefix}-${i}-`.padEnd(options.valueSize, 'x')
    records.push({ key: Buffer.from(`k${i}`), value: Buffer.from(value), timestamp: (options.timestamp ?? 1_000) + i })
  }
  return encodeRecordBatch(records, options)
}

export function keyed(records: Array<[string | null, string | null]>, options: BatchOptions & { timestamp?: number } = {}): Buffer {
  return encodeRecordBatch(
    records.map(([k, v], i) => ({
      key: k === null ? null : Buffer.from(k),
      value: v === null ? null : Buffer.from(v),
      timestamp: (options.timestamp ?? 1_000) + i,
    })),
    options,
  )
}

export interface Rec {
  offset: number
  key: string | null
  value: string | null
  timestamp: number
}

/** All records of concatenated batches. */
export function records(buf: Buffer): Rec[] {
  const out: Rec[] = []
  const consumed = forEachBatch(buf, (at) => {
    for (const r of decodeRecords(buf, at)) {
      out.push({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, timestamp: r.timestamp })
    }
  })
  if (consumed !== buf.length) throw new Error(`read returned a partial batch (${consumed} of ${buf.length})`)
  return out
}

/** Reads the whole log from `from` in chunks of `maxBytes`. */
export function readAll(log: { read(o: number, m: number): Buffer; logEndOffset: number; logStartOffset: number }, from = log.logStartOffset, maxBytes = 1 << 20): Rec[] {
  const out: Rec[] = []
  let offset = from
  while (offset < log.logEndOffset) {
    const buf = log.read(offset, maxBytes)
    if (buf.length === 0) break
    const recs = records(buf)
    for (const r of recs) if (r.offset >= offset) out.push(r)
    let next = offset
    forEachBatch(buf, (at) => {
      next = buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4) + buf.readInt32BE(at + 23) + 1
    })
    if (next <= offset) throw new Error('read made no progress')
    offset = next
  }
  return out
}
