// zstd frames for record batches, with no native build: Node's own zstd (zlib, Node >= 22.15)
// when the runtime has it, else zstd compiled to WebAssembly. Either writes standard zstd
// frames, which Kafka's clients (zstd-jni, librdkafka, franz-go) read, and reads theirs.
import zlib from 'node:zlib'
import * as wasm from '@bokuweb/zstd-wasm'
import { CorruptRecordError } from '../../errors.js'

interface ZstdCodec {
  readonly name: string
  compress(data: Buffer): Buffer
  decompress(data: Buffer): Buffer
}

const ZSTD_MAGIC = 0xfd2fb528
const SKIPPABLE_MAGIC_MASK = 0xfffffff0
const SKIPPABLE_MAGIC = 0x184d2a50
const BLOCK_MAX = 128 * 1024
const BLOCK_RAW = 0
const BLOCK_RLE = 1
const BLOCK_COMPRESSED = 2
/** The most a frame of unknown content size may decompress to before Brook calls it corrupt. */
export const ZSTD_MAX_DECOMPRESSED = 1024 * 1024 * 1024
const LEVEL = 3 // zstd's default level, as Kafka's producer uses

/** One zstd frame (skippable frames are left out) of a buffer, as `zstdFrames` finds it. */
export interface ZstdFrame {
  start: number
  end: number
  /** The decompressed size the header states, or -1 when it states none (streaming encoders). */
  contentSize: number
  /** An upper bound on the decompressed size, from the block headers. */
  bound: number
}

/**
 * Walks the frames of `data` (RFC 8878): reads each frame header and block header, so a frame
 * without a content size (what streaming encoders such as zstd-jni write) still gets a bound on
 * its decompressed size: raw and RLE blocks state theirs, a compressed block is at most 128 KiB.
 */
export function zstdFrames(data: Buffer): ZstdFrame[] {
  const frames: ZstdFrame[] = []
  let pos = 0
  while (pos < data.length) {
    if (pos + 8 > data.length) throw corrupt(`truncated frame header at byte ${pos}`, pos)
    const magic = data.readUInt32LE(pos)
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      pos += 8 + data.readUInt32LE(pos + 4)
      continue
    }
    if (magic !== ZSTD_MAGIC) throw corrupt(`no zstd magic number at byte ${pos}`, pos)
    const start = pos
    const fhd = data[pos + 4]!
    const fcsFlag = fhd >> 6
    const singleSegment = (fhd & 0x20) !== 0
    const checksum = (fhd & 0x04) !== 0
    const dictIdSize = [0, 1, 2, 4][fhd & 0x03]!
    const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : [0, 2, 4, 8][fcsFlag]!
    pos += 5 + (singleSegment ? 0 : 1) + dictIdSize
    if (pos + fcsSize > data.length) throw corrupt(`truncated frame header at byte ${start}`, start)
    let contentSize = -1
    if (fcsSize === 1) contentSize = data[pos]!
    else if (fcsSize === 2) contentSize = data.readUInt16LE(pos) + 256
    else if (fcsSize === 4) contentSize = data.readUInt32LE(pos)
    else if (fcsSize === 8) contentSize = data.readUInt32LE(pos) + data.readUInt32LE(pos + 4) * 0x1_0000_0000
    pos += fcsSize
    let bound = 0
    for (;;) {
      if (pos + 3 > data.length) throw corrupt(`truncated block header at byte ${pos}`, pos)
      const header = data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16)
      pos += 3
      const type = (header >> 1) & 3
      const size = header >>> 3
      if (type === BLOCK_RAW) {
        bound += size
        pos += size
      } else if (type === BLOCK_RLE) {
        bound += size
        pos += 1
      } else if (type === BLOCK_COMPRESSED) {
        bound += BLOCK_MAX
        pos += size
      } else {
        throw corrupt(`reserved block type at byte ${pos - 3}`, pos - 3)
      }
      if (pos > data.length) throw corrupt(`block overruns the data (${data.length} bytes)`, data.length)
      if ((header & 1) !== 0) break
    }
    if (checksum) pos += 4
    if (pos > data.length) throw corrupt(`truncated frame checksum at byte ${pos}`, pos)
    frames.push({ start, end: pos, contentSize, bound: contentSize >= 0 ? contentSize : bound })
  }
  return frames
}

function corrupt(what: string, position: number): CorruptRecordError {
  return new CorruptRecordError(`Corrupt zstd data: ${what}`, position)
}

const asBuffer = (u8: Uint8Array): Buffer => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength)

function wasmDecompressFrame(data: Buffer, frame: ZstdFrame): Buffer {
  const bytes = frame.start === 0 && frame.end === data.length ? data : data.subarray(frame.start, frame.end)
  if (frame.contentSize >= 0) return asBuffer(wasm.decompress(bytes))
  if (frame.bound > ZSTD_MAX_DECOMPRESSED) {
    throw corrupt(`a frame of unknown size may decompress to ${frame.bound} bytes, over ${ZSTD_MAX_DECOMPRESSED}`, frame.start)
  }
  return asBuffer(wasm.decompress(bytes, { defaultHeapSize: Math.max(frame.bound, 1) }))
}

const wasmCodec: ZstdCodec = {
  name: 'wasm',
  compress: (data) => asBuffer(wasm.compress(data, LEVEL)),
  decompress(data) {
    const frames = zstdFrames(data)
    if (frames.length === 1) return wasmDecompressFrame(data, frames[0]!)
    const parts = frames.map((f) => wasmDecompressFrame(data, f))
    return Buffer.concat(parts)
  },
}

type SyncCodecFn = (data: Buffer, options?: object) => Buffer
const zlibZstd = zlib as unknown as { zstdCompressSync?: SyncCodecFn; zstdDecompressSync?: SyncCodecFn; constants: Record<string, number> }

function nodeCodec(compressSync: SyncCodecFn, decompressSync: SyncCodecFn): ZstdCodec {
  const level = zlibZstd.constants.ZSTD_c_compressionLevel
  const options = level === undefined ? {} : { params: { [level]: LEVEL } }
  return { name: 'node', compress: (data) => compressSync(data, options), decompress: (data) => decompressSync(data) }
}

const nodeHasZstd = zlibZstd.zstdCompressSync !== undefined && zlibZstd.zstdDecompressSync !== undefined
let wasmReady: Promise<ZstdCodec> | undefined

/** The WebAssembly build (loaded on first call): the fallback, and what tests compare Node's zstd with. */
export function loadWasmZstd(): Promise<ZstdCodec> {
  wasmReady ??= wasm.init().then(() => wasmCodec)
  return wasmReady
}

/** What Brook uses: Node's zstd when the runtime has it, else the WebAssembly build (loaded here, once). */
export const zstd: ZstdCodec = nodeHasZstd ? nodeCodec(zlibZstd.zstdCompressSync!, zlibZstd.zstdDecompressSync!) : await loadWasmZstd()
