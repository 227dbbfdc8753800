import { afterEach, describe, expect, it } from 'vitest'
import { BrookError } from '../../../../core/errors.js'
import { startBrook, type Harness } from './brook-server.js'

let harness: Harness | null = null
afterEach(async () => {
  await harness?.close()
  harness = null
})

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(BrookError)
  return (err as BrookError).code
}

describe('KafkaAdmin', () => {
  it('maps per-topic failures to typed errors with the broker message', async () => {
    harness = await startBrook()
    const admin = harness.client.admin()
    await admin.createTopics([{ topic: 't', numPartitions: 2 }])
    expect(await codeOf(admin.createPartitions('t', 1))).toBe('INVALID_PARTITIONS')
    expect(await codeOf(admin.describeConfigs('missing'))).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    expect(await codeOf(admin.deleteTopics(['missing']))).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    expect(await codeOf(admin.incrementalAlterConfigs('t', [{ name: 'retention.ms', op: 'set', value: 'soon' }]))).toBe('INVALID_CONFIG')
    // A bad entry among good ones creates nothing.
    expect(await codeOf(admin.createTopics([{ topic: 'fine' }, { topic: 'bad/name' }]))).toBe('INVALID_TOPIC')
    expect(await admin.listTopics()).toEqual(['t'])
    const err = await admin.createTopics([{ topic: 't' }]).catch((e: unknown) => e as BrookError)
    expect(err).toBeInstanceOf(BrookError)
    expect((err as BrookError).retriable).toBe(false)
    expect((err as BrookError).message).toMatch(/'t'/)
    await admin.close()
  })

  it('reads and changes topic configs', async () => {
    harness = await startBrook()
    const admin = harness.client.admin()
    await admin.createTopics([{ topic: 'c', configs: { 'cleanup.policy': 'compact' } }])
    const before = await admin.describeConfigs('c')
    expect(before.find((e) => e.name === 'cleanup.policy')).toEqual({ name: 'cleanup.policy', value: 'compact', isDefault: false })
    expect(before.find((e) => e.name === 'retention.ms')?.isDefault).toBe(true)
    expect(before.map((e) => e.name)).toEqual([...before.map((e) => e.name)].sort())
    await admin.incrementalAlterConfigs('c', [
      { name: 'cleanup.policy', op: 'delete' },
      { name: 'retention.ms', op: 'set', value: '1000' },
    ])
    const after = await admin.describeConfigs('c')
    expect(after.find((e) => e.name === 'cleanup.policy')?.isDefault).toBe(true)
    expect(after.find((e) => e.name === 'retention.ms')).toEqual({ name: 'retention.ms', value: '1000', isDefault: false })
    await admin.close()
  })

  it('lists offsets by spec and deletes records', async () => {
    harness = await startBrook()
    const admin = harness.client.admin()
    await admin.createTopics([{ topic: 'o', numPartitions: 1 }])
    const producer = harness.client.producer()
    await producer.sendBatch(Array.from({ length: 5 }, (_, i) => ({ topic: 'o', value: `${i}`, timestamp: 10_000 + i * 10 })))
    await producer.close()
    const tp = { topic: 'o', partition: 0 }
    const res = await admin.listOffsets([
      { ...tp, spec: 'earliest' },
      { ...tp, spec: 'latest' },
      { ...tp, spec: { timestamp: 10_015 } },
    ])
    expect(res.map((r) => r.offset)).toEqual([0, 5, 2])
    expect(res[2]!.timestamp).toBe(10_020)
    expect(await admin.deleteRecords([{ ...tp, offset: 3 }])).toEqual([{ ...tp, lowWatermark: 3 }])
    expect((await admin.listOffsets([{ ...tp, spec: 'earliest' }]))[0]!.offset).toBe(3)
    await admin.close()
  })

  it('manages consumer groups: offsets, lag, alter, describe, delete', async () => {
    harness = await startBrook()
    const admin = harness.client.admin()
    await admin.createTopics([{ topic: 'g', numPartitions: 2 }])
    const producer = harness.client.producer()
    await producer.sendBatch(Array.from({ length: 10 }, (_, i) => ({ topic: 'g', partition: i % 2, value: `${i}` })))
    await producer.close()

    await admin.alterGroupOffsets('grp', [
      { topic: 'g', partition: 0, offset: 2 },
      { topic: 'g', partition: 1, offset: 5, metadata: 'done' },
    ])
    expect(await admin.listGroupOffsets('grp')).toEqual([
      { topic: 'g', partition: 0, committedOffset: 2, logEndOffset: 5, lag: 3 },
      { topic: 'g', partition: 1, committedOffset: 5, logEndOffset: 5, lag: 0, metadata: 'done' },
    ])

    const consumer = harness.client.consumer({ groupId: 'grp', clientId: 'member-1', heartbeatIntervalMs: 200 })
    consumer.subscribe(['g'])
    const deadline = Date.now() + 10_000
    while (consumer.assignment().length < 2 && Date.now() < deadline) await consumer.poll(100)
    const [desc] = await admin.describeGroups(['grp'])
    expect(desc).toMatchObject({ groupId: 'grp', state: 'Stable', protocolType: 'consumer', protocol: 'range' })
    expect(desc!.members.map((m) => m.clientId)).toEqual(['member-1'])
    expect(desc!.members[0]!.assignment.map((tp) => tp.partition).sort()).toEqual([0, 1])
    expect((await admin.listGroups()).find((g) => g.groupId === 'grp')).toEqual({ groupId: 'grp', protocolType: 'consumer', state: 'Stable' })

    expect(await codeOf(admin.deleteGroups(['grp']))).toBe('NON_EMPTY_GROUP')
    expect(await codeOf(admin.alterGroupOffsets('grp', [{ topic: 'g', partition: 0, offset: 0 }]))).toBe('NON_EMPTY_GROUP')
    await consumer.close()
    await admin.deleteGroups(['grp'])
    expect(await codeOf(admin.deleteGroups(['grp']))).toBe('GROUP_ID_NOT_FOUND')
    expect(await admin.listGroupOffsets('grp')).toEqual([])
    await admin.close()
  })

  it('lists internal topics only when asked', async () => {
    harness = await startBrook()
    const admin = harness.client.admin()
    await admin.createTopics([{ topic: 'visible' }])
    const plain = await admin.listTopics()
    const all = await admin.listTopics({ includeInternal: true })
    expect(plain).toEqual(['visible'])
    expect(all).toEqual(expect.arrayContaining(['visible']))
    await admin.close()
  })
})
