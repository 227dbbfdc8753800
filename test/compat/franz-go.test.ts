// franz-go (kgo, default settings) against Brook's wire server.
import { afterAll, beforeAll, it } from 'vitest'
import { describeWithTools, franzGoClient, produceConsumeResume, startBrook, twoMemberRebalance, type BrookUnderTest, type ScenarioTarget } from './helpers.js'

describeWithTools('franz-go against Brook', ['franz-go'], () => {
  const client = franzGoClient()
  let brook: BrookUnderTest | undefined
  const target = (): ScenarioTarget => ({
    bootstrap: brook!.bootstrap,
    createTopic: (topic) => client.createTopic!(brook!.bootstrap, topic, 3),
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
