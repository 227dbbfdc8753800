import fs from 'node:fs'
import path from 'node:path'
import { BrookError } from '../errors.js'

/**
 * One owner per directory: one broker per data directory (two processes appending to the same
 * segment files would interleave writes), one KafkaStreams instance per application state
 * directory. The lock names its owner's pid; a lock whose owner is gone (kill -9) is taken over.
 * `what` names the directory in errors ('Data directory', 'State directory').
 */
export class DirLock {
  private constructor(private readonly file: string) {}

  static acquire(dir: string, what = 'Data directory', owner = 'Brook process'): DirLock {
    const file = path.join(dir, '.lock')
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx' })
        return new DirLock(file)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
      const pid = Number(fs.readFileSync(file, 'utf8').trim())
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid)) {
        throw new BrookError('ILLEGAL_STATE', `${what} ${dir} is in use by another ${owner} (pid ${pid})`)
      }
      if (pid === process.pid) {
        throw new BrookError('ILLEGAL_STATE', `${what} ${dir} is already open in this process`)
      }
      fs.rmSync(file, { force: true })
    }
    throw new BrookError('ILLEGAL_STATE', `Could not lock ${what.toLowerCase()} ${dir}`)
  }

  release(): void {
    fs.rmSync(this.file, { force: true })
  }
}

/** Whether a process with this pid exists (one of another user's counts). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
