// A PostgreSQL server of a test's own (own port, own temp data dir), for tests that restart or
// misconfigure the server: the shared one (scripts/ci/start-databases.sh) is never touched.
// Started the way that script starts it: initdb, settings appended to postgresql.conf, pg_ctl;
// as the postgres OS user when the tests run as root (PostgreSQL refuses to run as root).
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freePort } from './helpers.js'

export interface ThrowawayPostgres {
  /** postgres://brook@127.0.0.1:<port>/brook (trust authentication on 127.0.0.1). */
  url: string
  port: number
  dir: string
  /** Stops the server; `immediate` is a crash (no shutdown checkpoint). */
  stop(mode?: 'fast' | 'immediate'): void
  start(): void
  /** Stops the server and removes its data. */
  destroy(): void
}

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'

/** The server binaries, or null with a skip message (CI=true: a failure). */
export function postgresBinaries(): string | null {
  if (fs.existsSync(path.join(PG_BIN, 'initdb')) && fs.existsSync(path.join(PG_BIN, 'pg_ctl'))) return PG_BIN
  if (process.env.CI === 'true') throw new Error(`PostgreSQL server binaries not found in ${PG_BIN} under CI=true: .ci/run must install them (scripts/ci/install-databases.sh)`)
  console.warn(`skipping: PostgreSQL server binaries not found in ${PG_BIN} (set PG_BIN or run scripts/ci/install-databases.sh)`)
  return null
}

export async function startThrowawayPostgres(settings: Record<string, string> = {}): Promise<ThrowawayPostgres> {
  const bin = PG_BIN
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-throwaway-pg-'))
  const asRoot = process.getuid?.() === 0
  const run = (cmd: string, args: string[]): void => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args]
    const r = spawnSync(file, argv, { encoding: 'utf8' })
    if (r.status !== 0) {
      const log = path.join(dir, 'postgres.log')
      throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}${fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-2000) : ''}`)
    }
  }
  if (asRoot) execFileSync('chown', ['postgres:', dir])
  const data = path.join(dir, 'data')
  run('initdb', ['-D', data, '-U', 'brook', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'])
  const port = await freePort()
  const conf = {
    listen_addresses: "'127.0.0.1'", port: String(port), unix_socket_directories: `'${dir}'`, wal_level: 'logical',
    max_replication_slots: '10', max_wal_senders: '10', shared_buffers: '32MB', ...settings,
  }
  fs.appendFileSync(path.join(data, 'postgresql.conf'), Object.entries(conf).map(([k, v]) => `${k} = ${v}\n`).join(''))
  const log = path.join(dir, 'postgres.log')
  const start = (): void => run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', 'start'])
  const stop = (mode: 'fast' | 'immediate' = 'fast'): void => run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop'])
  start()
  let destroyed = false
  return {
    url: `postgres://brook@127.0.0.1:${port}/postgres`,
    port,
    dir,
    stop,
    start,
    destroy() {
      if (destroyed) return
      destroyed = true
      try {
        stop('immediate')
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
