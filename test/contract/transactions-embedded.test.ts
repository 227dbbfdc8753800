import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { runTransactionContract } from './transaction-contract.js'

runTransactionContract('embedded', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-txn-embedded-'))
  const client = await EmbeddedClient.open({ dataDir, transactionAbortTimedOutTransactionCleanupIntervalMs: 100 })
  return {
    client,
    abortCheckIntervalMs: 100,
    async cleanup() {
      await client.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
})
