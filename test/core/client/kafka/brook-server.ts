// A Brook broker behind its protocol server on a free port, optionally with some
// handlers wrapped to inject failures, and a KafkaClient on it.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Broker } from '../../../../core/broker/broker.js'
import type { BrokerConfig } from '../../../../core/broker/broker-config.js'
import { KafkaClient, type KafkaClientConfig } from '../../../../core/client/kafka/client.js'
import { defaultHandlers } from '../../../../core/server/handlers/index.js'
import { startServer, type BrookServer } from '../../../../core/server/server.js'

/** One entry of the server's handler table. */
export type Handler = NonNullable<Parameters<typeof startServer>[2]>[number]

export interface Harness {
  broker: Broker
  server: BrookServer
  client: KafkaClient
  bootstrap: string
  close(): Promise<void>
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }

export async function startBrook(
  options: {
    broker?: Partial<BrokerConfig>
    client?: Partial<KafkaClientConfig>
    /** Replaces handlers by api key. */
    wrap?: (h: Handler) => Handler
  } = {},
): Promise<Harness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-kafka-client-'))
  const broker = await Broker.open({ ...options.broker, dataDir })
  const handlers = options.wrap ? defaultHandlers.map(options.wrap) : defaultHandlers
  const server = await startServer(broker, { host: '127.0.0.1', port: 0, logger: quiet }, handlers)
  const bootstrap = `127.0.0.1:${server.port}`
  const client = await KafkaClient.connect({ bootstrapServers: bootstrap, retryBackoffMs: 20, ...options.client })
  return {
    broker,
    server,
    client,
    bootstrap,
    async close() {
      await client.close()
      await server.close()
      await broker.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** `h` with its handler replaced by `handle`, which may call `next()` to run the original. */
export function intercept(h: Handler, handle: (req: unknown, next: () => Promise<unknown>) => Promise<unknown>): Handler {
  const original = h.handle as (req: unknown, ctx: unknown) => unknown
  return { ...h, handle: (req: unknown, ctx: unknown) => handle(req, async () => original.call(h, req, ctx)) } as unknown as Handler
}
