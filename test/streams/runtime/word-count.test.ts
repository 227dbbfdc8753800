import { afterEach, describe, it } from 'vitest'
import { EmbeddedClient } from '../../../core/client/embedded/client.js'
import { KafkaClient } from '../../../core/client/kafka/client.js'
import { brookServerClient, cleanupDirs, tmpDir } from './helpers.js'
import { runWordCount } from './word-count.shared.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  cleanupDirs()
})


describe('KafkaStreams word count', () => {
  it('runs on the embedded client', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    await runWordCount(client, 'embedded')
  })

  it("runs unchanged over the wire protocol against Brook's own server", async () => {
    const { client } = await brookServerClient(closers)
    await runWordCount(client, 'wire')
  })
})

// Apache Kafka: scripts/ci/start-kafka.sh starts one on 127.0.0.1:19092 and prints BROOK_KAFKA_BOOTSTRAP.
const bootstrap = process.env.BROOK_KAFKA_BOOTSTRAP
const inCi = process.env.CI === 'true'
describe('KafkaStreams word count against Apache Kafka', () => {
  if (!bootstrap && inCi) {
    it('has a Kafka to run against in CI', () => {
      throw new Error('CI=true but BROOK_KAFKA_BOOTSTRAP is unset: start Apache Kafka with scripts/ci/start-kafka.sh and export BROOK_KAFKA_BOOTSTRAP=127.0.0.1:19092')
    })
    return
  }
  if (!bootstrap) console.warn('Skipping the Apache Kafka word count: set BROOK_KAFKA_BOOTSTRAP=host:port (scripts/ci/start-kafka.sh starts one on 127.0.0.1:19092)')
  it.skipIf(!bootstrap)('runs unchanged against Apache Kafka (needs BROOK_KAFKA_BOOTSTRAP)', async () => {
    const client = await KafkaClient.connect({ bootstrapServers: bootstrap! })
    closers.push(() => client.close())
    await runWordCount(client, `kafka-${process.pid}-${Date.now()}`)
  }, 120_000)
})
