// The registry from the command line: `brook broker --schema-registry-port` serves the REST API
// beside the Kafka protocol, one process, one data directory; `brook registry subjects|get`
// read what it kept; `brook registry serve` serves a data directory on its own.
import { afterEach, describe, expect, it } from 'vitest'
import { runBroker } from '../../cli/commands/broker.js'
import { serveRegistry } from '../../cli/commands/registry.js'
import { runCli } from '../helpers/cli.js'
import { tmpDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'

afterEach(() => {
  process.exitCode = undefined
})

const run = runCli

const post = async (url: string, body: unknown): Promise<unknown> =>
  (await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' } })).json()

describe('brook registry', () => {
  it('brook broker --schema-registry-port serves the registry; brook registry subjects and get read it after', async () => {
    const dataDir = tmpDir()
    const ac = new AbortController()
    const lines: string[] = []
    const running = runBroker({ dataDir, port: 0, schemaRegistryPort: 0 }, ac.signal, (l) => lines.push(l))
    await waitFor('registry listening', () => lines.some((l) => l.startsWith('Schema registry listening on ')))
    const url = lines.find((l) => l.startsWith('Schema registry listening on '))!.split(' ').pop()!
    expect(await post(`${url}/subjects/clicks-value/versions`, { schema: '{"type":"record","name":"Click","fields":[{"name":"url","type":"string"}]}' })).toEqual({ id: 1 })
    ac.abort()
    await running
    expect(lines.at(-1)).toBe('Brook broker stopped')

    const subjects = await run(['registry', 'subjects', '--data-dir', dataDir])
    expect(subjects).toEqual({ code: 0, stdout: 'clicks-value\tversions 1\tlatest id 1\n', stderr: '' })
    const got = await run(['registry', 'get', 'clicks-value', '--data-dir', dataDir])
    expect(got.code).toBe(0)
    expect(got.stdout.split('\n')[0]).toBe('clicks-value\tversion 1\tid 1')
    expect(JSON.parse(got.stdout.split('\n')[1]!)).toEqual({ type: 'record', name: 'Click', fields: [{ name: 'url', type: 'string' }] })
    const missing = await run(['registry', 'get', 'nope', '--data-dir', dataDir])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toBe("brook: error: Subject 'nope' not found. [40401 SUBJECT_NOT_FOUND]\n")
  })

  it('brook registry serve serves a data directory on its own, and a taken port fails without leaving the directory held', async () => {
    const dataDir = tmpDir()
    const ac = new AbortController()
    const lines: string[] = []
    const serving = serveRegistry({ dataDir, port: 0 }, ac.signal, (l) => lines.push(l))
    await waitFor('listening', () => lines.length > 0)
    expect(lines[0]).toMatch(/^Schema registry listening on http:\/\/127\.0\.0\.1:\d+ \(schemas in topic _schemas\)$/)
    const url = lines[0]!.split(' ')[4]!
    expect(await post(`${url}/subjects/k-key/versions`, { schema: '"string"' })).toEqual({ id: 1 })
    // Another registry on the same port: refused, and the data directory is let go.
    const port = Number(url.split(':').pop())
    const other = tmpDir()
    await expect(serveRegistry({ dataDir: other, port }, new AbortController().signal, () => {})).rejects.toThrow(/EADDRINUSE/)
    expect((await run(['registry', 'subjects', '--data-dir', other])).code).toBe(0)
    ac.abort()
    await serving
    expect((await run(['registry', 'subjects', '--data-dir', dataDir])).stdout).toBe('k-key\tversions 1\tlatest id 1\n')
  })

  it('brook sql writes AVRO through the data directory\'s registry, and brook registry shows the subject it registered', async () => {
    const dataDir = tmpDir()
    const sql = await run(['sql', '--data-dir', dataDir, '-e', "CREATE STREAM clicks (url STRING, n INT) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='AVRO', PARTITIONS=1); INSERT INTO clicks (url, n) VALUES ('/a', 1);"])
    expect(sql.code).toBe(0)
    const subjects = await run(['registry', 'subjects', '--data-dir', dataDir])
    expect(subjects.stdout).toBe('clicks-value\tversions 1\tlatest id 1\n')
    const got = await run(['registry', 'get', 'clicks-value', '--data-dir', dataDir])
    expect((JSON.parse(got.stdout.split('\n')[1]!) as { fields: Array<{ name: string }> }).fields.map((f) => f.name)).toEqual(['URL', 'N'])
    // Registries elsewhere: --schema-registry-url points brook sql at one (here, none listening).
    const away = await run(['sql', '--data-dir', tmpDir(), '--schema-registry-url', 'http://127.0.0.1:9', '-e', "CREATE STREAM x (v STRING) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='AVRO', PARTITIONS=1);"])
    expect(away.code).toBe(1)
    expect(away.stdout + away.stderr).toMatch(/127\.0\.0\.1:9 unreachable/)
  })
})
