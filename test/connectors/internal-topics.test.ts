// The worker's internal-topic writer: what it writes is acknowledged at once, not after the
// producer's linger.ms (a source task waits on it once per poll, for its offsets).
import { describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { InternalTopicWriter, readToEnd } from '../../connectors/runtime/internal-topics.js'
import { tmpDir } from '../helpers/tmp.js'

describe('InternalTopicWriter', () => {
  it('sends its records now and resolves once they are acknowledged, whatever linger.ms', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    try {
      await client.admin().createTopics([{ topic: 'connect-offsets', numPartitions: 1 }])
      // A linger far beyond the test's timeout: without the flush the write would wait for it.
      const writer = new InternalTopicWriter(client.producer({ lingerMs: 600_000, acks: 'all' }), 'connect-offsets')
      await writer.write([{ key: '["c",{"p":1}]', value: { lsn: '0/1' } }, { key: '["c",{"p":2}]', value: null }])
      await writer.write([{ key: '["c",{"p":1}]', value: { lsn: '0/2' } }])
      const seen: Array<[string, string | null]> = []
      await readToEnd(client, 'connect-offsets', (r) => seen.push([r.key!.toString(), r.value === null ? null : r.value.toString()]))
      expect(seen).toEqual([
        ['["c",{"p":1}]', '{"lsn":"0/1"}'],
        ['["c",{"p":2}]', null],
        ['["c",{"p":1}]', '{"lsn":"0/2"}'],
      ])
    } finally {
      await client.close()
    }
  }, 10_000)
})
