// A throwaway MariaDB server for tests that change server settings or restart the server:
// its own port, its own temp data dir, run as the mysql OS user (as scripts/ci/start-databases.sh
// does), never the shared instance. Needs root and Debian's mariadb-server.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { freePort } from './helpers.js'

const MARIADBD = ['/usr/sbin/mariadbd', '/usr/bin/mariadbd'].find((p) => fs.existsSync(p)) ?? null

/** Why a throwaway instance cannot start here, or null when it can. */
export function mariaDbUnavailable(): string | null {
  if (MARIADBD === null) return 'mariadbd is not installed (apt-get install mariadb-server)'
  if (process.getuid?.() !== 0) return 'starting a MariaDB server of its own needs root (it runs as the mysql user)'
  return null
}

export interface MariaDbInstance {
  port: number
  /** mysql://brook:brook@127.0.0.1:port/brook (ALL PRIVILEGES). */
  url: string
  /** SIGKILLs the server (a crash). */
  kill(): Promise<void>
  /** Starts the server again on the same data and port. */
  start(): Promise<void>
  /** Stops it and removes its data. */
  destroy(): Promise<void>
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1')
    c.once('connect', () => {
      c.destroy()
      resolve(true)
    })
    c.once('error', () => resolve(false))
  })
}

/** Installs and starts a MariaDB server with the given extra server options (e.g. --binlog-format=STATEMENT). */
export async function startMariaDb(serverArgs: string[]): Promise<MariaDbInstance> {
  const why = mariaDbUnavailable()
  if (why !== null) throw new Error(why)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-mariadb-'))
  fs.mkdirSync(path.join(dir, 'data'))
  fs.mkdirSync(path.join(dir, 'binlog'))
  fs.chmodSync(dir, 0o755)
  execFileSync('chown', ['-R', 'mysql:', dir])
  execFileSync('mariadb-install-db', ['--no-defaults', '--user=mysql', `--datadir=${dir}/data`, '--auth-root-authentication-method=socket', '--skip-test-db'], { stdio: 'ignore' })
  const port = await freePort()
  const sock = path.join(dir, 'mariadb.sock')
  let child: ChildProcess | null = null
  const start = async (): Promise<void> => {
    const c = spawn('runuser', ['-u', 'mysql', '--', MARIADBD!, '--no-defaults', `--datadir=${dir}/data`, '--bind-address=127.0.0.1', `--port=${port}`,
      `--socket=${sock}`, `--pid-file=${dir}/mariadb.pid`, `--log-error=${dir}/mariadb.log`, '--server-id=1', `--log-bin=${dir}/binlog/mariadb-bin`,
      '--innodb-buffer-pool-size=32M', '--skip-name-resolve', ...serverArgs], { stdio: 'ignore' })
    child = c
    const deadline = Date.now() + 60_000
    while (!(await portOpen(port))) {
      if (c.exitCode !== null || Date.now() > deadline) throw new Error(`MariaDB did not start: ${fs.readFileSync(path.join(dir, 'mariadb.log'), 'utf8').slice(-2000)}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  await start()
  execFileSync('mariadb', ['--no-defaults', `--socket=${sock}`, '-u', 'root'], {
    input: "CREATE DATABASE brook; CREATE USER 'brook'@'%' IDENTIFIED BY 'brook'; GRANT ALL PRIVILEGES ON *.* TO 'brook'@'%'; FLUSH PRIVILEGES;",
  })
  const stopChild = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child
    child = null
    if (c === null || c.exitCode !== null) return
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()))
    // runuser forwards the signal to mariadbd; kill the server itself too in case it does not.
    const pid = Number(fs.readFileSync(path.join(dir, 'mariadb.pid'), 'utf8').trim())
    try {
      process.kill(pid, signal)
    } catch {
      c.kill(signal)
    }
    await exited
  }
  return {
    port,
    url: `mysql://brook:brook@127.0.0.1:${port}/brook`,
    kill: () => stopChild('SIGKILL'),
    start,
    async destroy() {
      await stopChild('SIGTERM')
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
