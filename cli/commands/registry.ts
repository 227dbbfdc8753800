// `brook registry`: the schema registry of a broker (its _schemas topic). `serve` answers
// Confluent Schema Registry's REST API until interrupted; the others read it once.
import type { Command, Option } from 'commander'
import type { BrookClient } from '../../core/client/types.js'
import { startRegistryServer, TopicSchemaRegistry, type SchemaRegistryClient } from '../../registry/index.js'
import { parseIntOption, withClient, type ConnectionOptions } from '../context.js'

interface RegistryOptions extends ConnectionOptions {
  topic?: string
}

async function withRegistry<T>(o: RegistryOptions, fn: (r: SchemaRegistryClient, client: BrookClient) => Promise<T>): Promise<T> {
  return withClient(o, async (client) => {
    const registry = await TopicSchemaRegistry.open(client, o.topic === undefined ? {} : { topic: o.topic })
    try {
      return await fn(registry, client)
    } finally {
      await registry.close()
    }
  })
}

/** Serves the REST API until `signal` aborts. */
export async function serveRegistry(o: RegistryOptions & { host?: string; port?: number }, signal: AbortSignal, out: (line: string) => void): Promise<void> {
  await withRegistry(o, async (registry) => {
    const server = await startRegistryServer(registry, { host: o.host ?? '127.0.0.1', port: o.port ?? 8081 })
    out(`Schema registry listening on ${server.url} (schemas in topic ${(registry as TopicSchemaRegistry).topic})`)
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
    await server.close()
  })
}

/** Subjects with their versions and the latest id, one line each. */
export async function listSubjects(o: RegistryOptions): Promise<string> {
  return withRegistry(o, async (r) => {
    const lines: string[] = []
    for (const s of await r.getSubjects()) {
      const latest = await r.getVersion(s, 'latest')
      lines.push(`${s}\tversions ${(await r.getVersions(s)).join(',')}\tlatest id ${latest.id}`)
    }
    return lines.join('\n')
  })
}

export function registryCommands(program: Command, dataDir: () => Option): void {
  const registry = program.command('registry').description('the schema registry (Confluent-compatible), schemas kept in the _schemas topic')
  const conn = (c: Command): Command =>
    c.addOption(dataDir()).option('--bootstrap <host:port>', 'a running broker instead of the data directory').option('--topic <name>', 'the schemas topic', '_schemas')
  conn(registry.command('serve').description('serve the REST API until interrupted'))
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parseIntOption('--port', 0), 8081)
    .action(async (o: RegistryOptions & { host: string; port: number }) => {
      const ac = new AbortController()
      const stop = (): void => ac.abort()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      try {
        await serveRegistry(o, ac.signal, (line) => process.stdout.write(line + '\n'))
      } finally {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
      }
    })
  conn(registry.command('subjects').description('subjects, their versions and latest ids')).action(async (o: RegistryOptions) => {
    const s = await listSubjects(o)
    if (s) process.stdout.write(s + '\n')
  })
  conn(registry.command('get <subject> [version]').description('a version of a subject (default latest): id and schema')).action(async (subject: string, version: string | undefined, o: RegistryOptions) => {
    const v = version === undefined || version === 'latest' ? 'latest' : Number(version)
    const r = await withRegistry(o, (reg) => reg.getVersion(subject, v))
    process.stdout.write(`${r.subject}\tversion ${r.version}\tid ${r.id}\n${r.schema}\n`)
  })
}
