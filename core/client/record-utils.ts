import { BrookError } from '../errors.js'
import { CompressionType } from '../protocol/records/batch-header.js'
import type { ProducerConfig } from './types.js'

const codecs: Record<string, CompressionType> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
}

export function toCompressionType(v: ProducerConfig['compressionType']): CompressionType {
  if (v === undefined) return CompressionType.None
  if (typeof v === 'number') {
    if (v >= 0 && v <= 4) return v
  } else if (v in codecs) {
    return codecs[v]!
  }
  throw new BrookError('INVALID_CONFIG', `compression.type must be none, gzip, snappy, lz4 or zstd, got ${String(v)}`, {
    field: 'compression.type',
  })
}

export const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`
