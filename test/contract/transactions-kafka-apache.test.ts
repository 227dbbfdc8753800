// The transactions contract against a real Apache Kafka broker, when one is given:
//   BROOK_KAFKA_BOOTSTRAP=localhost:9092 npx vitest run test/contract/transactions-kafka-apache.test.ts
// Without it the suite is skipped locally, and fails under CI=true (CI must provide a broker).
import { describe, it } from 'vitest'
import { KafkaClient } from '../../core/client/kafka/client.js'
import { runTransactionContract } from './transaction-contract.js'

const bootstrap = process.env.BROOK_KAFKA_BOOTSTRAP
const ci = process.env.CI === 'true'

if (bootstrap) {
  runTransactionContract(`kafka wire client on Apache Kafka at ${bootstrap}`, async () => {
    const client = await KafkaClient.connect({ bootstrapServers: bootstrap, clientId: 'brook-txn-contract' })
    // Kafka's default transaction.abort.timed.out.transaction.cleanup.interval.ms.
    return { client, abortCheckIntervalMs: 10_000, cleanup: () => client.close() }
  })
} else {
  describe('Transactions contract: Apache Kafka', () => {
    it.runIf(ci)('needs BROOK_KAFKA_BOOTSTRAP when CI=true', () => {
      throw new Error('BROOK_KAFKA_BOOTSTRAP is not set: CI must run the transactions contract against an Apache Kafka broker (host:port)')
    })
    if (!ci) {
      console.warn('Apache Kafka transactions contract skipped: set BROOK_KAFKA_BOOTSTRAP=host:port to run it')
      it.skip('runs when BROOK_KAFKA_BOOTSTRAP=host:port names an Apache Kafka broker', () => undefined)
    }
  })
}
