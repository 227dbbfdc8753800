// The brook command as a process: what only a real process shows (exit codes, signals, the lock
// file, stdout bytes, nothing extra on a pipe).
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { tmpDir } from '../helpers/tmp.js'

const root = path.resolve(import.meta.dirname, '../..')
const tsx = path.join(root, 'node_modules/tsx/dist/esm/index.mjs')
const cliArgs = ['--import', `file://${tsx}`, path.join(root, 'cli/main.ts')]

function brook(args: string[], input: string | Buffer = ''): { code: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [...cliArgs, ...args], { input, cwd: root, maxBuffer: 1 << 26 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() }
}

describe('brook as a process', () => {
  it('errors print one line and exit non-zero', () => {
    const dataDir = tmpDir()
    const bad = brook(['topics', 'create', '../x', '--data-dir', dataDir])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^brook: error: .*illegal[^\n]*\n$/)
    expect(brook(['topics', 'describe', 'missing', '--data-dir', dataDir]).code).toBe(1)
  })

  it('binary input comes back byte for byte through produce and consume', () => {
    const dataDir = tmpDir()
    const records = [Buffer.from([0xff, 0xfe, 0x00, 0x0d]), Buffer.from('plain'), Buffer.from([0xc3, 0x28, 0x0d, 0x0d])]
    const input = Buffer.concat(records.flatMap((r) => [r, Buffer.from('\n')]))
    const produced = brook(['produce', 'bin', '--data-dir', dataDir], input)
    expect(produced.code).toBe(0)
    // Piped: the creation note and the summary, no progress line.
    expect(produced.stderr).toBe('Created topic bin with 1 partition(s): it did not exist and auto.create.topics.enable is on\nProduced 3 record(s) to bin\n')
    const consumed = brook(['consume', 'bin', '--from-beginning', '-n', '3', '--data-dir', dataDir])
    expect(consumed.code).toBe(0)
    expect(consumed.stdout.equals(input)).toBe(true)
  })

  it('an oversized record: one error line after the summary, earlier records kept, lock released', () => {
    const dataDir = tmpDir()
    expect(brook(['topics', 'create', 'small', '--config', 'max.message.bytes=1000', '--data-dir', dataDir]).code).toBe(0)
    const r = brook(['produce', 'small', '--data-dir', dataDir], `first\nsecond\n${'x'.repeat(5000)}\nafter\n`)
    expect(r.code).toBe(1)
    const lines = r.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toBe('Produced 2 record(s) to small before an error')
    expect(lines[1]).toMatch(/^brook: error: record 3 is 5000 bytes/)
    expect(fs.existsSync(path.join(dataDir, '.lock'))).toBe(false)
    expect(brook(['consume', 'small', '--from-beginning', '--idle-timeout', '500', '--data-dir', dataDir]).stdout.toString()).toBe('first\nsecond\n')
  })

  it('SIGINT during produce prints a summary, exits 130 and releases the lock', async () => {
    const dataDir = tmpDir()
    expect(brook(['topics', 'create', 'live', '--data-dir', dataDir]).code).toBe(0)
    const child = spawn(process.execPath, [...cliArgs, 'produce', 'live', '--data-dir', dataDir], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    child.stdin.write('one\ntwo\nthree\n')
    // The lock file appears once the process has opened the data directory.
    const lock = path.join(dataDir, '.lock')
    while (!fs.existsSync(lock)) await new Promise((r) => setTimeout(r, 20))
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    const m = /^Produced (\d+) record\(s\) to live \(interrupted\)\n$/.exec(stderr)
    expect(m, stderr).not.toBeNull()
    expect(fs.existsSync(lock)).toBe(false)
    const consumed = brook(['consume', 'live', '--from-beginning', '--idle-timeout', '500', '--data-dir', dataDir])
    expect(consumed.stdout.toString().split('\n').filter(Boolean).length).toBe(Number(m![1]))
  })
})
