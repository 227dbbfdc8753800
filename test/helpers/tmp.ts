import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach } from 'vitest'

const dirs: string[] = []

/** A fresh temporary directory, removed after the test. */
export function tmpDir(prefix = 'brook-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  dirs.push(dir)
  return dir
}

afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

let counter = 0
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}`
}
