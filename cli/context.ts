import path from 'node:path'
import { EmbeddedClient } from '../core/client/embedded/client.js'
import { KafkaClient } from '../core/client/kafka/client.js'
import type { BrookClient } from '../core/client/types.js'
import { BrookError } from '../core/errors.js'

export function defaultDataDir(): string {
  return process.env.BROOK_DATA_DIR ?? path.resolve('.brook-data')
}

export interface ConnectionOptions {
  dataDir: string
  bootstrap?: string
}

/** Opens the client the options ask for; runs `fn` and always closes it. */
export async function withClient<T>(opts: ConnectionOptions, fn: (client: BrookClient) => Promise<T>): Promise<T> {
  const client: BrookClient = opts.bootstrap
    ? await KafkaClient.connect({ bootstrapServers: opts.bootstrap, clientId: 'brook-cli' })
    : await EmbeddedClient.open({ dataDir: opts.dataDir })
  try {
    return await fn(client)
  } finally {
    await client.close()
  }
}

export function parseConfigPairs(pairs: string[] = []): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new BrookError('INVALID_CONFIG', `--config expects key=value, got '${pair}'`, { field: 'config' })
    out[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return out
}

export function parseIntOption(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min) throw new BrookError('INVALID_CONFIG', `${name} must be an integer >= ${min}, got '${value}'`, { field: name })
    return n
  }
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value]
