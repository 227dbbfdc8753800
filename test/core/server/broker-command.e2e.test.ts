// `brook broker` (cli/commands/broker.ts): in process, and as a real process stopped by SIGTERM.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runBroker } from '../../../cli/commands/broker.js'
import { ApiKeys, createApiVersionsRequest, createMetadataRequest } from '../../../core/protocol/apis/index.js'
import { tmpDir } from '../../helpers/tmp.js'
import { WireClient } from './wire-client.js'

const root = path.resolve(import.meta.dirname, '../../..')
const apiVersions = { ...createApiVersionsRequest(), clientSoftwareName: 'cli-test', clientSoftwareVersion: '1' }

describe('brook broker', () => {
  it('serves until its signal aborts, advertising what it was told', async () => {
    const lines: string[] = []
    const ac = new AbortController()
    const running = runBroker({ dataDir: tmpDir(), port: 0, advertisedHost: 'kafka.example', advertisedPort: 19092 }, ac.signal, (l) => lines.push(l))
    while (lines.length < 2) await new Promise((r) => setTimeout(r, 20))
    const m = /^Brook broker listening on 127\.0\.0\.1:(\d+)$/.exec(lines[0]!)
    expect(m).not.toBeNull()
    expect(lines[1]).toBe('Advertised as kafka.example:19092')
    const c = await WireClient.connect(Number(m![1]))
    const meta = await c.send(ApiKeys.Metadata, 12, { ...createMetadataRequest(), topics: null })
    expect(meta.brokers).toEqual([{ nodeId: 0, host: 'kafka.example', port: 19092, rack: null }])
    ac.abort()
    await running
    await c.closed
    expect(lines.at(-1)).toBe('Brook broker stopped')
  })

  it('rejects a port out of range', async () => {
    await expect(runBroker({ dataDir: tmpDir(), port: 70000 }, new AbortController().signal, () => undefined)).rejects.toThrow(/65535/)
  })

  it('runs as a process and shuts down cleanly on SIGTERM', async () => {
    const dir = tmpDir()
    const script = [
      `import { Command, Option } from 'commander'`,
      `import { registerBrokerCommand } from ${JSON.stringify(path.join(root, 'cli/commands/broker.ts'))}`,
      `const program = new Command()`,
      `registerBrokerCommand(program, () => new Option('--data-dir <dir>'))`,
      `await program.parseAsync(['node', 'brook', 'broker', '--data-dir', ${JSON.stringify(dir)}, '--port', '0'])`,
    ].join('\n')
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    const deadline = Date.now() + 30_000
    let port = 0
    while (port === 0) {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stdout)
      if (m) port = Number(m[1])
      else if (Date.now() > deadline || child.exitCode !== null) throw new Error(`broker did not start: ${stderr}`)
      else await new Promise((r) => setTimeout(r, 50))
    }
    const c = await WireClient.connect(port)
    expect((await c.send(ApiKeys.ApiVersions, 3, apiVersions)).errorCode).toBe(0)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(stdout).toContain('Brook broker stopped')
    await c.closed
  })
})
