import path from 'node:path'
import type { Command } from 'commander'
import type { BrokerConfig } from '../core/broker/broker-config.js'
import { EmbeddedClient } from '../core/client/embedded/client.js'
import { KafkaClient } from '../core/client/kafka/client.js'
import type { Acks, BrookClient } from '../core/client/types.js'
import { BrookError } from '../core/errors.js'

export function defaultDataDir(): string {
  return process.env.BROOK_DATA_DIR ?? path.resolve('.brook-data')
}

/** The CLI's own error: bad arguments and refusals, printed as one line naming the option. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    readonly code = 'INVALID_ARGUMENT',
  ) {
    super(message)
    this.name = 'CliError'
  }
}

/** How long `--bootstrap` tries to reach a broker before giving up (--connect-timeout). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000

export interface ConnectionOptions {
  dataDir: string
  bootstrap?: string
  connectTimeout?: number
  /** Broker configs (key=value) for the embedded broker: auto.create.topics.enable, num.partitions. */
  brokerConfig?: string[]
}

/**
 * The connection options of a subcommand merged with those given before it
 * (`brook --data-dir d topics list`): a value set on the subcommand wins.
 */
export function connectionOptions<T extends ConnectionOptions>(cmd: Command, own: T): T {
  const merged = { ...own }
  for (const key of ['dataDir', 'bootstrap', 'connectTimeout', 'brokerConfig'] as const) {
    if (cmd.getOptionValueSource(key) === 'cli') continue
    for (let c: Command | null = cmd.parent; c !== null; c = c.parent) {
      if (c.getOptionValueSource(key) === 'cli') {
        ;(merged as ConnectionOptions)[key] = c.getOptionValue(key) as never
        break
      }
    }
  }
  return merged
}

/** Broker configs the embedded broker takes from `--broker-config key=value`. */
export function parseBrokerConfig(pairs: string[] = []): Partial<BrokerConfig> {
  const out: Partial<BrokerConfig> = {}
  for (const [key, value] of Object.entries(parseConfigPairs(pairs, '--broker-config'))) {
    switch (key) {
      case 'auto.create.topics.enable':
        if (value !== 'true' && value !== 'false') throw new CliError(`--broker-config auto.create.topics.enable must be true or false, got '${value}'`, key)
        out.autoCreateTopicsEnable = value === 'true'
        break
      case 'num.partitions':
        out.numPartitions = parseIntOption('--broker-config num.partitions', 1)(value)
        break
      default:
        throw new CliError(`--broker-config: unknown broker config '${key}' (known: auto.create.topics.enable, num.partitions)`, key)
    }
  }
  return out
}

/** Opens the client the options ask for; runs `fn` and always closes it. */
export async function withClient<T>(opts: ConnectionOptions, fn: (client: BrookClient) => Promise<T>): Promise<T> {
  const client: BrookClient = opts.bootstrap
    ? await connectBootstrap(opts.bootstrap, opts.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS)
    : await EmbeddedClient.open({ dataDir: opts.dataDir, ...parseBrokerConfig(opts.brokerConfig) })
  try {
    return await fn(client)
  } finally {
    await client.close()
  }
}

/**
 * Reaches a broker within `timeoutMs`, saying on a terminal what it tries, and failing with what
 * was tried and how to wait longer. The client it returns keeps the usual retry budget.
 */
export async function connectBootstrap(bootstrap: string, timeoutMs: number, status = statusLine()): Promise<KafkaClient> {
  status(`Connecting to ${bootstrap} (up to ${timeoutMs} ms)...`)
  try {
    const probe = await KafkaClient.connect({ bootstrapServers: bootstrap, clientId: 'brook-cli', retryTimeoutMs: timeoutMs, connectTimeoutMs: Math.min(timeoutMs, 10_000) })
    await probe.close()
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    throw new CliError(`no Kafka broker answered at ${bootstrap} within ${timeoutMs} ms (${why}); is one running there? --connect-timeout <ms> waits longer`, '--bootstrap', 'NETWORK_EXCEPTION')
  } finally {
    status('')
  }
  return KafkaClient.connect({ bootstrapServers: bootstrap, clientId: 'brook-cli' })
}

/** A one-line status on stderr when it is a terminal (rewritten in place); nothing when piped. */
export function statusLine(stream: NodeJS.WriteStream = process.stderr): (text: string) => void {
  if (!stream.isTTY) return () => {}
  let shown = false
  return (text) => {
    if (text === '' && !shown) return
    stream.write(`\r\x1b[2K${text}`)
    shown = text !== ''
  }
}

export function parseConfigPairs(pairs: string[] = [], option = '--config'): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new BrookError('INVALID_CONFIG', `${option} expects key=value, got '${pair}'`, { field: 'config' })
    out[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return out
}

export function parseIntOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value)
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new CliError(`${name} must be an integer${max === Number.MAX_SAFE_INTEGER ? ` >= ${min}` : ` from ${min} to ${max}`}, got '${value}'`, name)
    }
    return n
  }
}

/** --acks: 0, 1, -1 or all, as Kafka's producer takes them. */
export function parseAcks(value: string): Acks {
  switch (value) {
    case 'all':
      return 'all'
    case '-1':
      return -1
    case '0':
      return 0
    case '1':
      return 1
    default:
      throw new CliError(`--acks must be 0, 1, -1 or all, got '${value}'`, '--acks')
  }
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value]
