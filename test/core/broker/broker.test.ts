import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Broker } from '../../../core/broker/broker.js'
import { BrookError, InvalidConfigError, InvalidTopicError, UnknownTopicOrPartitionError } from '../../../core/errors.js'
import { encodeRecordBatch, decodeRecords, forEachBatch } from '../../../core/protocol/records/record-batch.js'
import { tmpDir } from '../../helpers/tmp.js'

const batch = (values: string[], key: string | null = null): Buffer =>
  encodeRecordBatch(values.map((v) => ({ key: key === null ? null : Buffer.from(key), value: Buffer.from(v), timestamp: Date.now() })))

function readAll(broker: Broker, topic: string, partition: number): string[] {
  const out: string[] = []
  const buf = broker.partition(topic, partition).read(broker.partition(topic, partition).logStartOffset, 1 << 24)
  forEachBatch(buf, (at) => {
    for (const r of decodeRecords(buf, at)) out.push(r.value!.toString())
  })
  return out
}

describe('Broker topics', () => {
  it('creates, lists, describes and deletes topics; metadata survives a restart', async () => {
    const dataDir = tmpDir()
    let broker = await Broker.open({ dataDir })
    await broker.createTopic('orders', { numPartitions: 3, configs: { 'retention.ms': '1000' } })
    await broker.createTopic('payments')
    expect(broker.listTopics()).toEqual(['orders', 'payments'])
    expect(broker.listTopics(true)).toContain('__consumer_offsets')
    await broker.produce('orders', 2, batch(['a', 'b']))
    await broker.close()

    broker = await Broker.open({ dataDir })
    expect(broker.listTopics()).toEqual(['orders', 'payments'])
    expect(broker.describeTopic('orders').partitions).toBe(3)
    expect(broker.topicConfigs('orders').overrides).toEqual({ 'retention.ms': '1000' })
    expect(broker.topicConfigs('orders').effective.retentionMs).toBe(1000)
    expect(readAll(broker, 'orders', 2)).toEqual(['a', 'b'])
    await broker.deleteTopic('orders')
    expect(broker.listTopics()).toEqual(['payments'])
    expect(fs.existsSync(path.join(dataDir, 'orders-2'))).toBe(false)
    await broker.close()

    broker = await Broker.open({ dataDir })
    expect(broker.listTopics()).toEqual(['payments'])
    // a re-created topic starts empty
    await broker.createTopic('orders', { numPartitions: 3 })
    expect(broker.partition('orders', 2).highWatermark).toBe(0)
    await broker.close()
  })

  it('rejects bad names, partition counts and configs and creates nothing', async () => {
    const dataDir = tmpDir()
    const broker = await Broker.open({ dataDir })
    const before = fs.readdirSync(dataDir).sort()
    await expect(broker.createTopic('../x')).rejects.toBeInstanceOf(InvalidTopicError)
    await expect(broker.createTopic('a/b')).rejects.toBeInstanceOf(InvalidTopicError)
    await expect(broker.createTopic('ok', { numPartitions: 0 })).rejects.toMatchObject({ code: 'INVALID_PARTITIONS', field: 'numPartitions' })
    await expect(broker.createTopic('ok', { numPartitions: 1.5 })).rejects.toMatchObject({ code: 'INVALID_PARTITIONS' })
    const bad = broker.createTopic('ok', { configs: { 'retention.ms': 'soon' } })
    await expect(bad).rejects.toBeInstanceOf(InvalidConfigError)
    await expect(broker.createTopic('ok', { configs: { 'retention.ms': 'soon' } })).rejects.toMatchObject({ field: 'retention.ms' })
    await expect(broker.createTopic('ok', { configs: { 'no.such.config': '1' } })).rejects.toMatchObject({ field: 'no.such.config' })
    await expect(broker.createTopic('__consumer_offsets')).rejects.toMatchObject({ code: 'INVALID_TOPIC' })
    expect(broker.listTopics()).toEqual([])
    expect(fs.readdirSync(dataDir).sort()).toEqual(before)
    expect(fs.existsSync(path.join(tmpDir(), '..', 'x-0'))).toBe(false)
    await broker.createTopic('ok')
    await expect(broker.createTopic('ok')).rejects.toMatchObject({ code: 'TOPIC_ALREADY_EXISTS' })
    await broker.close()
  })

  it('adds partitions and alters configs', async () => {
    const dataDir = tmpDir()
    let broker = await Broker.open({ dataDir })
    await broker.createTopic('t', { numPartitions: 2 })
    await broker.createPartitions('t', 5)
    await expect(broker.createPartitions('t', 3)).rejects.toMatchObject({ code: 'INVALID_PARTITIONS' })
    await broker.produce('t', 4, batch(['x']))
    await broker.alterTopicConfigs('t', [{ name: 'cleanup.policy', op: 'set', value: 'compact' }])
    await expect(broker.alterTopicConfigs('t', [{ name: 'cleanup.policy', op: 'set', value: 'sometimes' }])).rejects.toBeInstanceOf(InvalidConfigError)
    expect(broker.partition('t', 4).log.config.cleanupPolicy).toBe('compact')
    await broker.close()
    broker = await Broker.open({ dataDir })
    expect(broker.describeTopic('t').partitions).toBe(5)
    expect(broker.topicConfigs('t').overrides).toEqual({ 'cleanup.policy': 'compact' })
    expect(readAll(broker, 't', 4)).toEqual(['x'])
    await broker.alterTopicConfigs('t', [{ name: 'cleanup.policy', op: 'delete' }])
    expect(broker.topicConfigs('t').effective.cleanupPolicy).toBe('delete')
    await broker.close()
  })

  it('auto-creates topics only when enabled', async () => {
    const on = await Broker.open({ dataDir: tmpDir(), numPartitions: 4 })
    expect((await on.ensureTopic('auto')).partitions).toBe(4)
    await on.close()
    const off = await Broker.open({ dataDir: tmpDir(), autoCreateTopicsEnable: false })
    await expect(off.ensureTopic('auto')).rejects.toBeInstanceOf(UnknownTopicOrPartitionError)
    await off.close()
  })

  it('locks its data directory against a second broker', async () => {
    const dataDir = tmpDir()
    const broker = await Broker.open({ dataDir })
    await expect(Broker.open({ dataDir })).rejects.toBeInstanceOf(BrookError)
    await broker.close()
    const again = await Broker.open({ dataDir })
    await again.close()
  })
})

describe('Broker data path', () => {
  it('long-polls fetch until data arrives or the wait ends', async () => {
    const broker = await Broker.open({ dataDir: tmpDir() })
    await broker.createTopic('t', { numPartitions: 2 })
    const empty = await broker.fetch([{ topic: 't', partition: 0, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 50 })
    expect(empty[0]!.records.length).toBe(0)
    const waiting = broker.fetch([{ topic: 't', partition: 1, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 10_000 })
    setTimeout(() => void broker.produce('t', 1, batch(['late'])), 30)
    const [res] = await waiting
    expect(res!.records.length).toBeGreaterThan(0)
    expect(decodeRecords(res!.records, 0).map((r) => r.value!.toString())).toEqual(['late'])
    expect(res!.highWatermark).toBe(1)
    const unknown = await broker.fetch([{ topic: 'nope', partition: 0, offset: 0, maxBytes: 100 }])
    expect(unknown[0]!.error?.code).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    const out = await broker.fetch([{ topic: 't', partition: 1, offset: 9, maxBytes: 100 }])
    expect(out[0]!.error?.code).toBe('OFFSET_OUT_OF_RANGE')
    await broker.close()
  })

  it('lists offsets by time and deletes records', async () => {
    const broker = await Broker.open({ dataDir: tmpDir() })
    await broker.createTopic('t')
    for (let i = 0; i < 5; i++) {
      await broker.produce('t', 0, encodeRecordBatch([{ key: null, value: Buffer.from(String(i)), timestamp: 1000 * (i + 1) }]))
    }
    expect(broker.listOffset('t', 0, 'earliest').offset).toBe(0)
    expect(broker.listOffset('t', 0, 'latest').offset).toBe(5)
    expect(broker.listOffset('t', 0, { timestamp: 2500 })).toEqual({ offset: 2, timestamp: 3000 })
    expect(broker.listOffset('t', 0, { timestamp: 99_999 }).offset).toBe(-1)
    expect(broker.deleteRecords('t', 0, 3)).toBe(3)
    expect(broker.listOffset('t', 0, 'earliest').offset).toBe(3)
    expect(() => broker.deleteRecords('t', 0, 9)).toThrow(BrookError)
    await broker.close()
  })

  it('hands out distinct producer ids, also across restarts', async () => {
    const dataDir = tmpDir()
    let broker = await Broker.open({ dataDir })
    const a = await broker.initProducerId()
    const b = await broker.initProducerId()
    await broker.close()
    broker = await Broker.open({ dataDir })
    const c = await broker.initProducerId()
    expect(new Set([a.producerId, b.producerId, c.producerId]).size).toBe(3)
    await broker.close()
  })
})
