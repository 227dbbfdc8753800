// Persistent queries end to end over the wire: on a Brook broker, and on Apache Kafka when
// BROOK_KAFKA_BOOTSTRAP names one (skipped locally without it; required under CI=true).
import { describe, it } from 'vitest'
import { Broker } from '../../core/broker/broker.js'
import { KafkaClient } from '../../core/client/kafka/client.js'
import { startServer } from '../../core/server/server.js'
import { tmpDir, uniqueName } from '../helpers/tmp.js'
import { persistentQueryScenario } from './engine-harness.js'

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }
const bootstrap = process.env.BROOK_KAFKA_BOOTSTRAP
const ci = process.env.CI === 'true'

describe('sql engine over the wire', () => {
  it('runs the persistent-query scenario on a Brook broker', async () => {
    const dir = tmpDir()
    const broker = await Broker.open({ dataDir: `${dir}/log` })
    const server = await startServer(broker, { host: '127.0.0.1', port: 0, logger: quiet })
    try {
      await persistentQueryScenario(async () => {
        const client = await KafkaClient.connect({ bootstrapServers: `127.0.0.1:${server.port}`, clientId: 'sql-e2e' })
        return { client, close: () => client.close() }
      }, `${dir}/state`, { pv: 'pv', serviceId: 'default_' })
    } finally {
      await server.close()
      await broker.close()
    }
  }, 120_000)

  it.runIf(bootstrap !== undefined)(`runs the persistent-query scenario on Apache Kafka at ${bootstrap ?? '(unset)'}`, async () => {
    const dir = tmpDir()
    const name = uniqueName('pv').replace(/-/g, '_')
    await persistentQueryScenario(async () => {
      const client = await KafkaClient.connect({ bootstrapServers: bootstrap!, clientId: 'sql-e2e' })
      return { client, close: () => client.close() }
    }, `${dir}/state`, { pv: name, serviceId: `${name}_` })
  }, 180_000)

  it.runIf(bootstrap === undefined && ci)('needs BROOK_KAFKA_BOOTSTRAP when CI=true', () => {
    throw new Error('BROOK_KAFKA_BOOTSTRAP is not set: CI must run the SQL engine against an Apache Kafka broker')
  })
})
