// kcat (librdkafka 2.0.2) against Brook's wire server. kcat has no admin commands, so
// topics are created on the broker directly.
import { afterAll, beforeAll, it } from 'vitest'
import { describeWithTools, kcatClient, PARTITIONS, produceConsumeResume, startBrook, twoMemberRebalance, type BrookUnderTest, type ScenarioTarget } from './helpers.js'

describeWithTools('kcat against Brook', ['kcat'], () => {
  const client = kcatClient()
  let brook: BrookUnderTest | undefined
  const target = (): ScenarioTarget => ({
    bootstrap: brook!.bootstrap,
    createTopic: async (topic) => void (await brook!.broker.createTopic(topic, { numPartitions: PARTITIONS })),
  })
  const log = (m: string): void => void process.stderr.write(`[compat] ${m}\n`)

  beforeAll(async () => {
    brook = await startBrook()
  })
  afterAll(async () => {
    await brook?.close()
  })

  it('produces 100,000 keyed records across all codecs, consumes them in a group, resumes from the commit', async () => {
    await produceConsumeResume(client, target(), 20_000, log)
  }, 150_000)

  it('splits partitions between two group members and rebalances when one leaves', async () => {
    await twoMemberRebalance(client, target(), 2_000, log)
  }, 150_000)
})
