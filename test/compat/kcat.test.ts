// kcat (librdkafka 2.0.2) against Brook's wire server. kcat has no admin commands, so
// topics are created on the broker directly.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeWithTools, kcatClient, PARTITIONS, produceConsumeResume, run, startBrook, uniqueName, twoMemberRebalance, type BrookUnderTest, type ScenarioTarget } from './helpers.js'

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

  it('kcat -L lists every topic with its partitions (an all-topics Metadata request)', async () => {
    const a = uniqueName('listed')
    const b = uniqueName('listed')
    await brook!.broker.createTopic(a, { numPartitions: 3 })
    await brook!.broker.createTopic(b, { numPartitions: 1 })
    const { stdout } = await run('kcat', ['-b', brook!.bootstrap, '-L', '-J', '-m', '10'], { timeoutMs: 30_000 })
    const listed = JSON.parse(stdout) as { topics: Array<{ topic: string; partitions: unknown[] }> }
    const counts = new Map(listed.topics.map((t) => [t.topic, t.partitions.length]))
    expect(counts.get(a)).toBe(3)
    expect(counts.get(b)).toBe(1)
  }, 60_000)

  it('produces 100,000 keyed records across all codecs, consumes them in a group, resumes from the commit', async () => {
    await produceConsumeResume(client, target(), 20_000, log)
  }, 150_000)

  it('splits partitions between two group members and rebalances when one leaves', async () => {
    await twoMemberRebalance(client, target(), 2_000, log)
  }, 150_000)
})
