// The runtime tests against Apache Kafka (apart from helpers.ts, which child processes import
// outside vitest).
import { it } from 'vitest'
import { KafkaClient } from '../../../core/client/kafka/client.js'

/** Apache Kafka for the runtime tests: scripts/ci/start-kafka.sh starts one and prints its address. */
const KAFKA = process.env.BROOK_KAFKA_BOOTSTRAP

/** it() of a test against Apache Kafka: skipped on a machine without BROOK_KAFKA_BOOTSTRAP, run (and failing if it is missing) under CI=true. */
export function itOnApacheKafka(name: string, fn: () => Promise<void>, timeoutMs?: number): void {
  it.skipIf(!KAFKA && process.env.CI !== 'true')(name, fn, timeoutMs)
}

/** A client of the Apache Kafka of BROOK_KAFKA_BOOTSTRAP (pushed on `closers`) and a suffix that makes this run's topic and group names its own. */
export async function apacheKafkaClient(closers: Array<() => Promise<void>>): Promise<{ client: KafkaClient; suffix: string }> {
  if (!KAFKA) throw new Error('CI=true but BROOK_KAFKA_BOOTSTRAP is unset: start Apache Kafka with scripts/ci/start-kafka.sh')
  const client = await KafkaClient.connect({ bootstrapServers: KAFKA })
  closers.push(() => client.close())
  return { client, suffix: `${process.pid}-${Date.now()}` }
}
