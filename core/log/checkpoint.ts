// The partition folder's small state files: `log.checkpoint` (recovery point
// and log start offset, with a CRC so a damaged file is noticed) and the
// `clean-shutdown` marker that close() writes and open() removes.
import fs from 'node:fs'
import path from 'node:path'
import { crc32c } from '../protocol/records/crc32c.js'

export const CHECKPOINT_FILE = 'log.checkpoint'
export const CLEAN_SHUTDOWN_FILE = 'clean-shutdown'

export interface LogCheckpoint {
  /** Offsets below this are known flushed and valid; recovery scans from its segment on. */
  recoveryPoint: number
  logStartOffset: number
}

/** Reads the checkpoint; null if missing or damaged (the caller then assumes nothing). */
export function readCheckpoint(dir: string): LogCheckpoint | null {
  let text: string
  try {
    text = fs.readFileSync(path.join(dir, CHECKPOINT_FILE), 'utf8')
  } catch {
    return null
  }
  const m = /^v1 (\d+) (\d+) ([0-9a-f]{8})\n$/.exec(text)
  if (m === null) return null
  const body = `v1 ${m[1]} ${m[2]}`
  if (crc32c(Buffer.from(body)).toString(16).padStart(8, '0') !== m[3]) return null
  const recoveryPoint = Number(m[1])
  const logStartOffset = Number(m[2])
  if (!Number.isSafeInteger(recoveryPoint) || !Number.isSafeInteger(logStartOffset)) return null
  return { recoveryPoint, logStartOffset }
}

/**
 * Replaces the checkpoint atomically (temp file, fsync, rename). `sync=false` skips the
 * fsync where the data it describes is already durable (clean close): losing it only
 * means a longer recovery scan from an older checkpoint.
 */
export function writeCheckpoint(dir: string, cp: LogCheckpoint, sync = true): void {
  const body = `v1 ${cp.recoveryPoint} ${cp.logStartOffset}`
  const text = `${body} ${crc32c(Buffer.from(body)).toString(16).padStart(8, '0')}\n`
  const file = path.join(dir, CHECKPOINT_FILE)
  const tmp = `${file}.tmp`
  const fd = fs.openSync(tmp, 'w')
  try {
    fs.writeSync(fd, text)
    if (sync) fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(tmp, file)
}

export function hasCleanShutdownMarker(dir: string): boolean {
  return fs.existsSync(path.join(dir, CLEAN_SHUTDOWN_FILE))
}

export function writeCleanShutdownMarker(dir: string): void {
  fs.writeFileSync(path.join(dir, CLEAN_SHUTDOWN_FILE), '')
}

export function removeCleanShutdownMarker(dir: string): void {
  fs.rmSync(path.join(dir, CLEAN_SHUTDOWN_FILE), { force: true })
}

/** fsyncs a directory so renames and new files in it survive a power loss. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined
  try {
    fd = fs.openSync(dir, 'r')
    fs.fsyncSync(fd)
  } catch {
    // not supported everywhere; best effort
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}
