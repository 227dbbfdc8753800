import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Broker } from '../../core/broker/broker.js'
import { KafkaClient } from '../../core/client/kafka/client.js'
import { startServer } from '../../core/server/server.js'
import { runTransactionContract } from './transaction-contract.js'

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }

runTransactionContract('kafka wire client on Brook', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-txn-wire-'))
  const b = await Broker.open({ dataDir, transactionAbortTimedOutTransactionCleanupIntervalMs: 100 })
  const s = await startServer(b, { host: '127.0.0.1', port: 0, logger: quiet })
  const client = await KafkaClient.connect({ bootstrapServers: `127.0.0.1:${s.port}`, clientId: 'txn-contract' })
  return {
    client,
    abortCheckIntervalMs: 100,
    async cleanup() {
      await client.close()
      await s.close()
      await b.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
})
