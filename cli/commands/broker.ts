// `brook broker`: a Broker on a data directory served over the Kafka wire protocol,
// until SIGINT/SIGTERM.
import type { Command, Option } from 'commander'
import { Broker } from '../../core/broker/broker.js'
import { BrookError } from '../../core/errors.js'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { startServer } from '../../core/server/server.js'
import { startRegistryServer, TopicSchemaRegistry, type RegistryServer } from '../../registry/index.js'
import { collect, connectionOptions, parseBrokerConfig, parseIntOption } from '../context.js'

export interface BrokerCommandOptions {
  dataDir: string
  host?: string
  port?: number
  advertisedHost?: string
  advertisedPort?: number
  /** Broker configs as key=value (auto.create.topics.enable, num.partitions). */
  brokerConfig?: string[]
  /** Also serve the schema registry's REST API on this port (its schemas in the _schemas topic of this broker). */
  schemaRegistryPort?: number
}

/**
 * Starts a broker and its server, reports where it listens through `out`, and runs until
 * `signal` aborts; then closes the server (connections first) and the broker.
 */
export async function runBroker(opts: BrokerCommandOptions, signal: AbortSignal, out: (line: string) => void): Promise<void> {
  for (const [name, port] of [['--port', opts.port], ['--advertised-port', opts.advertisedPort], ['--schema-registry-port', opts.schemaRegistryPort]] as const) {
    if (port !== undefined && port > 65535) throw new BrookError('INVALID_CONFIG', `${name} must be at most 65535, got ${port}`, { field: name })
  }
  const broker = await Broker.open({ dataDir: opts.dataDir, ...parseBrokerConfig(opts.brokerConfig) })
  let server
  try {
    server = await startServer(broker, {
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 9092,
      ...(opts.advertisedHost === undefined ? {} : { advertisedHost: opts.advertisedHost }),
      ...(opts.advertisedPort === undefined ? {} : { advertisedPort: opts.advertisedPort }),
    })
  } catch (err) {
    await broker.close()
    throw err
  }
  out(`Brook broker listening on ${formatHostPort(server.host, server.port)}`)
  if (server.advertisedHost !== server.host || server.advertisedPort !== server.port) {
    out(`Advertised as ${formatHostPort(server.advertisedHost, server.advertisedPort)}`)
  }
  let registry: { schemas: TopicSchemaRegistry; http: RegistryServer } | null = null
  if (opts.schemaRegistryPort !== undefined) {
    try {
      const schemas = await TopicSchemaRegistry.open(new EmbeddedClient(broker))
      try {
        registry = { schemas, http: await startRegistryServer(schemas, { host: opts.host ?? '127.0.0.1', port: opts.schemaRegistryPort }) }
      } catch (err) {
        await schemas.close()
        throw err
      }
    } catch (err) {
      await server.close()
      await broker.close()
      throw err
    }
    out(`Schema registry listening on ${registry.http.url}`)
  }
  if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
  if (registry !== null) {
    await registry.http.close()
    await registry.schemas.close()
  }
  await server.close()
  await broker.close()
  out('Brook broker stopped')
}

function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

export function registerBrokerCommand(program: Command, dataDir: () => Option): void {
  program
    .command('broker')
    .description('run a broker that Kafka clients can connect to')
    .addOption(dataDir())
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parseIntOption('--port', 0), 9092)
    .option('--advertised-host <host>', 'host clients are told to connect to (default: --host)')
    .option('--advertised-port <port>', 'port clients are told to connect to (default: the bound port)', parseIntOption('--advertised-port', 1))
    .option('--broker-config <key=value>', 'broker config: auto.create.topics.enable (default true), num.partitions (default 1); repeatable', collect)
    .option('--schema-registry-port <port>', 'also serve the schema registry REST API (Confluent-compatible) on this port, schemas kept in _schemas', parseIntOption('--schema-registry-port', 0))
    .action(async (o: BrokerCommandOptions, cmd: Command) => {
      const ac = new AbortController()
      const stop = (): void => ac.abort()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      try {
        await runBroker(connectionOptions(cmd, o), ac.signal, (line) => process.stdout.write(line + '\n'))
      } finally {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
      }
    })
}
