// `brook connect pause|resume|restart|status` from other processes, against the embedded
// default's data directory while a `brook connect run` process holds it (no --bootstrap): the
// commands reach the running worker through the listener it records in the data directory.
import Database from 'better-sqlite3'
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { LISTENER_FILE } from '../../cli/connect-listener.js'
import { tmpDir } from '../helpers/tmp.js'
import { waitFor } from './helpers.js'

const root = path.resolve(import.meta.dirname, '../..')

/** Runs one CLI command to its end: exit code and output. */
function brook(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'cli/main.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    child.once('exit', (code) => resolve({ code, out }))
  })
}

describe('brook connect control commands from another process on the embedded default', () => {
  let run: ChildProcess | null = null
  afterAll(() => {
    run?.kill('SIGKILL')
  })

  it('pause, resume and restart reach the connect run holding the data directory; status and offsets read through it', async () => {
    const dir = tmpDir()
    const dataDir = path.join(dir, 'data')
    const dbFile = path.join(dir, 'src.sqlite')
    const db = new Database(dbFile)
    db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1,'a'),(2,'b')`)
    const cfg = path.join(dir, 'src.properties')
    fs.writeFileSync(cfg, ['name=src', 'connector.class=JdbcSourceConnector', `connection.url=jdbc:sqlite:${dbFile}`, 'mode=incrementing', 'incrementing.column.name=id', 'poll.interval.ms=20'].join('\n'))

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'cli/main.ts'), 'connect', 'run', cfg, '--data-dir', dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    run = child
    let runOut = ''
    child.stderr!.on('data', (d: Buffer) => (runOut += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    await waitFor('connect run started', () => runOut.includes('Connector src RUNNING'), 60_000)
    expect(fs.existsSync(path.join(dataDir, LISTENER_FILE))).toBe(true)

    const offsets = async (): Promise<string> => (await brook(['connect', 'offsets', 'src', '--data-dir', dataDir])).out
    await waitFor('rows 1-2 stored', async () => (await offsets()).includes('{"incrementing":2}'), 60_000)

    const paused = await brook(['connect', 'pause', 'src', '--data-dir', dataDir])
    expect(paused).toMatchObject({ code: 0 })
    expect(paused.out).toMatch(/Requested pause of src/)
    await waitFor('task PAUSED', async () => /Task 0\tPAUSED/.test((await brook(['connect', 'status', 'src', '--data-dir', dataDir])).out), 60_000)
    db.exec(`INSERT INTO t VALUES (3,'c')`)
    // Paused: the new row is not taken while the task is paused (the status says so; the offset stays).
    expect(await offsets()).toContain('{"incrementing":2}')

    expect((await brook(['connect', 'resume', 'src', '--data-dir', dataDir])).code).toBe(0)
    await waitFor('row 3 stored after resume', async () => (await offsets()).includes('{"incrementing":3}'), 60_000)

    expect((await brook(['connect', 'restart', 'src', '--data-dir', dataDir])).code).toBe(0)
    await waitFor('the running worker restarted the connector', () => runOut.includes('Restarting connector src'), 60_000)
    db.exec(`INSERT INTO t VALUES (4,'d')`)
    await waitFor('row 4 stored after restart', async () => (await offsets()).includes('{"incrementing":4}'), 60_000)
    const status = (await brook(['connect', 'status', 'src', '--data-dir', dataDir])).out
    expect(status).toMatch(/State: RUNNING/)
    expect(status).toMatch(/Task 0\tRUNNING/)

    // A clean stop removes the listener; the commands then open the data directory themselves.
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    run = null
    expect(fs.existsSync(path.join(dataDir, LISTENER_FILE))).toBe(false)
    expect((await brook(['connect', 'status', 'src', '--data-dir', dataDir])).out).toMatch(/State: UNASSIGNED/)
    db.close()
  }, 300_000)
})
