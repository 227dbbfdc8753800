// How `brook connect pause|resume|restart|status|list|offsets` reach connectors that a
// `brook connect run` in another process runs on the embedded default: that process holds the
// data directory's lock, so it also serves its broker over the Kafka protocol on a loopback port
// and names the port in <data dir>/connect-listener.json; the other commands, given the same
// data directory and no --bootstrap, go through that port. Requests travel as they do with
// --bootstrap: written to connect-configs, which the running worker watches.
import fs from 'node:fs'
import path from 'node:path'
import type { BrookClient } from '../core/client/types.js'
import { EmbeddedClient } from '../core/client/embedded/client.js'
import { startServer } from '../core/server/server.js'
import { withClient, type ConnectionOptions } from './context.js'
import { isProcessAlive } from '../core/common/dir-lock.js'

export const LISTENER_FILE = 'connect-listener.json'

interface ListenerInfo {
  pid: number
  host: string
  port: number
}

/**
 * Serves an embedded client's broker on 127.0.0.1 (a free port) and records where in the data
 * directory; close() stops serving and removes the record. Nothing for other clients.
 */
export async function openConnectListener(client: BrookClient, dataDir: string): Promise<{ close(): Promise<void> }> {
  if (!(client instanceof EmbeddedClient)) return { close: async () => {} }
  const server = await startServer(client.broker, { host: '127.0.0.1', port: 0 })
  const file = path.join(dataDir, LISTENER_FILE)
  const info: ListenerInfo = { pid: process.pid, host: server.host, port: server.port }
  fs.writeFileSync(file, JSON.stringify(info))
  return {
    async close() {
      try {
        const current = JSON.parse(fs.readFileSync(file, 'utf8')) as ListenerInfo
        if (current.pid === process.pid) fs.rmSync(file, { force: true })
      } catch {
        // already gone
      }
      await server.close()
    },
  }
}

/** host:port of the `connect run` serving this data directory, when one is alive. */
export function runningConnectListener(dataDir: string): string | null {
  let info: ListenerInfo
  try {
    info = JSON.parse(fs.readFileSync(path.join(dataDir, LISTENER_FILE), 'utf8')) as ListenerInfo
  } catch {
    return null
  }
  if (!Number.isInteger(info.pid) || info.pid === process.pid || !isProcessAlive(info.pid)) return null
  return `${info.host}:${info.port}`
}

/** withClient, but through a running `connect run`'s listener when it holds the data directory. */
export function withConnectClient<T>(opts: ConnectionOptions, fn: (client: BrookClient) => Promise<T>): Promise<T> {
  if (opts.bootstrap === undefined) {
    const bootstrap = runningConnectListener(opts.dataDir)
    if (bootstrap !== null) return withClient({ ...opts, bootstrap }, fn)
  }
  return withClient(opts, fn)
}
