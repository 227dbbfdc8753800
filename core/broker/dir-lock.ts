import fs from 'node:fs'
import path from 'node:path'
import { BrookError } from '../errors.js'

/**
 * One broker per data directory: two processes appending to the same segment files
 * would interleave writes. The lock names its owner's pid; a lock whose owner is gone
 * (kill -9) is taken over.
 */
export class DirLock {
  private constructor(private readonly file: string) {}

  static acquire(dir: string): DirLock {
    const file = path.join(dir, '.lock')
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx' })
        return new DirLock(file)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
      const owner = Number(fs.readFileSync(file, 'utf8').trim())
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new BrookError('ILLEGAL_STATE', `Data directory ${dir} is in use by another Brook process (pid ${owner})`)
      }
      if (owner === process.pid) {
        throw new BrookError('ILLEGAL_STATE', `Data directory ${dir} is already open in this process`)
      }
      fs.rmSync(file, { force: true })
    }
    throw new BrookError('ILLEGAL_STATE', `Could not lock data directory ${dir}`)
  }

  release(): void {
    fs.rmSync(this.file, { force: true })
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
