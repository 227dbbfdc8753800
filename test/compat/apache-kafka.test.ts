// The reference run: the same scenarios against a real Apache Kafka broker
// (scripts/ci/start-kafka.sh, at BROOK_KAFKA_BOOTSTRAP) with the Java client and kcat.
// What passes here and fails against Brook is Brook's bug, not the test's.
import { it } from 'vitest'
import { describeWithTools, javaClient, kcatClient, produceConsumeResume, twoMemberRebalance, type ScenarioTarget } from './helpers.js'

describeWithTools('Apache Kafka reference broker', ['kafka-broker', 'java', 'kcat'], () => {
  const java = javaClient()
  const kcat = kcatClient()
  const bootstrap = process.env.BROOK_KAFKA_BOOTSTRAP ?? ''
  // kcat cannot create topics: the Java admin client does it for both.
  const target: ScenarioTarget = { bootstrap, createTopic: (topic) => java.createTopic!(bootstrap, topic, 3) }
  const log = (m: string): void => void process.stderr.write(`[compat kafka] ${m}\n`)

  it('Java client: 100,000 keyed records across all codecs, group consume, resume from the commit', async () => {
    await produceConsumeResume(java, target, 20_000, log)
  }, 150_000)

  it('Java client: two group members split the partitions and rebalance when one leaves', async () => {
    await twoMemberRebalance(java, target, 2_000, log)
  }, 150_000)

  it('kcat: 100,000 keyed records across all codecs, group consume, resume from the commit', async () => {
    await produceConsumeResume(kcat, target, 20_000, log)
  }, 150_000)

  it('kcat: two group members split the partitions and rebalance when one leaves', async () => {
    await twoMemberRebalance(kcat, target, 2_000, log)
  }, 150_000)
})
