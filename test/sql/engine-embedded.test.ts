import { describe, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { tmpDir } from '../helpers/tmp.js'
import { persistentQueryScenario } from './engine-harness.js'

describe('sql engine on the embedded log', () => {
  it('runs persistent queries, answers pull and push queries, refuses DROP, resumes from the command topic after a restart', async () => {
    const dir = tmpDir()
    await persistentQueryScenario(async () => {
      const client = await EmbeddedClient.open({ dataDir: `${dir}/log` })
      return { client, close: () => client.close() }
    }, `${dir}/state`, { pv: 'pv', serviceId: 'default_' })
  })
})
