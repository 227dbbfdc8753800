// Shared by the benches that measure a client against Brook's server in its own process.
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Starts scripts/ci/brook-server.ts and waits until it listens; kill the child to stop it. */
export async function startBrookServer(): Promise<{ bootstrap: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'ci', 'brook-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines = readline.createInterface({ input: child.stdout! })
  for await (const line of lines) {
    const m = /^BROOK_BOOTSTRAP=(.+)$/.exec(line)
    if (m) return { bootstrap: m[1]!, child }
  }
  throw new Error('brook-server exited before listening')
}
