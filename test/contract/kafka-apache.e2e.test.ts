// The contract against a real Apache Kafka broker, when one is given:
//   BROOK_KAFKA_BOOTSTRAP=localhost:9092 npx vitest run test/contract/kafka-apache.e2e.test.ts
// Without it the suite is skipped locally, and fails under CI=true (CI must provide a broker).
import { describe, it } from 'vitest'
import { KafkaClient } from '../../core/client/kafka/client.js'
import { runClientContract } from './client-contract.js'

const bootstrap = process.env.BROOK_KAFKA_BOOTSTRAP
const ci = process.env.CI === 'true'

if (bootstrap) {
  runClientContract(`kafka wire client on Apache Kafka at ${bootstrap}`, async () => {
    const client = await KafkaClient.connect({ bootstrapServers: bootstrap, clientId: 'brook-contract' })
    return { client, cleanup: () => client.close() }
  })
} else {
  describe('BrookClient contract: Apache Kafka', () => {
    it.runIf(ci)('needs BROOK_KAFKA_BOOTSTRAP when CI=true', () => {
      throw new Error('BROOK_KAFKA_BOOTSTRAP is not set: CI must run the client contract against an Apache Kafka broker (host:port)')
    })
    if (!ci) {
      console.warn('Apache Kafka client contract skipped: set BROOK_KAFKA_BOOTSTRAP=host:port to run it')
      it.skip('runs when BROOK_KAFKA_BOOTSTRAP=host:port names an Apache Kafka broker', () => undefined)
    }
  })
}
