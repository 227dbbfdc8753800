import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Broker } from '../../core/broker/broker.js'
import { KafkaClient } from '../../core/client/kafka/client.js'
import { startServer } from '../../core/server/server.js'
import { runClientContract } from './client-contract.js'

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }

runClientContract('kafka wire client on Brook', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-contract-wire-'))
  const broker = await Broker.open({ dataDir })
  const server = await startServer(broker, { host: '127.0.0.1', port: 0, logger: quiet })
  const client = await KafkaClient.connect({ bootstrapServers: `127.0.0.1:${server.port}`, clientId: 'contract' })
  return {
    client,
    async cleanup() {
      await client.close()
      await server.close()
      await broker.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
})
