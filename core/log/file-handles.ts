// A budget of open segment files shared by every log of the process. Segments open
// their .log file on demand and the least recently used ones are closed when the
// budget is exceeded, so a broker with tens of thousands of partitions and segments
// stays under the process's file descriptor limit (and always restarts). A handle in
// use by an fsync in flight is pinned and never closed under it.
import fs from 'node:fs'

/** What the cache needs of a file it manages. */
export interface ManagedFile {
  /** Closes the descriptor now (the cache decided); the owner reopens on next use. */
  releaseHandle(): void
  /** Pinned handles (an async fsync running) are not closed. */
  readonly pinned: boolean
}

/** The soft limit on open files of this process (Linux /proc), or null when unknown. */
export function openFilesLimit(): number | null {
  try {
    const text = fs.readFileSync('/proc/self/limits', 'utf8')
    const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(text)
    if (m === null) return null
    return m[1] === 'unlimited' ? null : Number(m[1])
  } catch {
    return null
  }
}

/** Default budget: most of the descriptor limit, leaving room for sockets and small files. */
export function defaultOpenFilesBudget(): number {
  const limit = openFilesLimit()
  if (limit === null) return 16_384
  return Math.max(64, Math.min(Math.floor(limit * 0.75), limit - 512))
}

export class FileHandleCache {
  /** Open files, least recently used first (Map keeps insertion order). */
  private readonly open = new Map<ManagedFile, true>()
  private budgetValue: number
  /** Descriptors closed to stay within the budget (for tests and the bench). */
  evictions = 0

  constructor(budget: number = defaultOpenFilesBudget()) {
    this.budgetValue = budget
  }

  get budget(): number {
    return this.budgetValue
  }

  set budget(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`open files budget must be a positive integer, got ${n}`)
    this.budgetValue = n
    this.trim()
  }

  get size(): number {
    return this.open.size
  }

  /** The file was used: most recently used now (opening it if it was not). */
  touch(file: ManagedFile): void {
    if (this.open.delete(file)) {
      this.open.set(file, true)
      return
    }
    this.open.set(file, true)
    this.trim(file)
  }

  /** A pinned file was unpinned: files kept open past the budget while pinned can go now. */
  unpinned(): void {
    this.trim()
  }

  /** The owner closed the file itself. */
  forget(file: ManagedFile): void {
    this.open.delete(file)
  }

  private trim(keep?: ManagedFile): void {
    if (this.open.size <= this.budgetValue) return
    for (const file of this.open.keys()) {
      if (this.open.size <= this.budgetValue) break
      if (file.pinned || file === keep) continue
      this.open.delete(file)
      file.releaseHandle()
      this.evictions++
    }
  }
}

/** The process-wide cache segments use unless given another. */
export const segmentFiles = new FileHandleCache()
