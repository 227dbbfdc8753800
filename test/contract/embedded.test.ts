import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { runClientContract } from './client-contract.js'

runClientContract('embedded', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-contract-embedded-'))
  const client = await EmbeddedClient.open({ dataDir })
  return {
    client,
    async cleanup() {
      await client.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
})
