import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Broker } from '../../core/broker/broker.js'
import type { BrokerConfig } from '../../core/broker/broker-config.js'
import { KafkaClient } from '../../core/client/kafka/client.js'
import { startServer, type ServerOptions } from '../../core/server/server.js'
import { runClientContract, type ContractTarget } from './client-contract.js'

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }

async function brook(broker: Partial<BrokerConfig>, server: ServerOptions): Promise<ContractTarget> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-contract-wire-'))
  const b = await Broker.open({ ...broker, dataDir })
  const s = await startServer(b, { host: '127.0.0.1', port: 0, logger: quiet, ...server })
  const client = await KafkaClient.connect({ bootstrapServers: `127.0.0.1:${s.port}`, clientId: 'contract' })
  return {
    client,
    async cleanup() {
      await client.close()
      await s.close()
      await b.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

runClientContract('kafka wire client on Brook', () => brook({}, {}))

// Apache Kafka answers one request per connection at a time and delays a new group's
// first rebalance: the same contract with the server behaving that way.
runClientContract('kafka wire client on Brook serving one request at a time, with a rebalance delay', () =>
  brook({ groupInitialRebalanceDelayMs: 500 }, { maxInFlightRequests: 1 }),
)
