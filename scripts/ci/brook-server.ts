// Runs Brook's wire server as its own process (for bench/wire.bench.ts and manual runs):
//   node --import tsx scripts/ci/brook-server.ts [--port 0] [--host 127.0.0.1] [--data-dir DIR]
// Prints "BROOK_BOOTSTRAP=host:port" on stdout once listening; SIGTERM/SIGINT close it.
// Without --data-dir it uses a temp dir and removes it on exit.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { Broker } from '../../core/broker/broker.js'
import { startServer } from '../../core/server/server.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'data-dir': { type: 'string' },
  },
})
const tempDir = values['data-dir'] === undefined
const dataDir = values['data-dir'] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'brook-server-'))
const broker = await Broker.open({ dataDir })
const server = await startServer(broker, { host: values.host, port: Number(values.port) })
process.stdout.write(`BROOK_BOOTSTRAP=${server.host}:${server.port}\n`)

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  await server.close()
  await broker.close()
  if (tempDir) fs.rmSync(dataDir, { recursive: true, force: true })
  process.exit(0)
}
process.on('SIGTERM', () => void stop())
process.on('SIGINT', () => void stop())
