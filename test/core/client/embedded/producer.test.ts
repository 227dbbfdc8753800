import { describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../../../core/client/embedded/client.js'
import { defaultPartition } from '../../../../core/client/partitioner.js'
import { BrookError, RecordTooLargeError } from '../../../../core/errors.js'
import { encodeRecordBatch, forEachBatch, readBatchInfo, validateBatch } from '../../../../core/protocol/records/record-batch.js'
import { tmpDir } from '../../../helpers/tmp.js'

function batchesOf(client: EmbeddedClient, topic: string, partition: number): ReturnType<typeof readBatchInfo>[] {
  const p = client.broker.partition(topic, partition)
  const buf = p.read(p.logStartOffset, 1 << 26)
  const out: ReturnType<typeof readBatchInfo>[] = []
  forEachBatch(buf, (at) => out.push(readBatchInfo(buf, at)))
  return out
}

describe('EmbeddedProducer', () => {
  it('places keyed records with Kafka murmur2 and reports offsets', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await client.admin().createTopics([{ topic: 't', numPartitions: 6 }])
    const producer = client.producer()
    const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`)
    const metas = await Promise.all(keys.map((k) => producer.send({ topic: 't', key: k, value: `v-${k}` })))
    const perPartition = new Map<number, number[]>()
    metas.forEach((m, i) => {
      expect(m.partition).toBe(defaultPartition(Buffer.from(keys[i]!), 6))
      perPartition.set(m.partition, [...(perPartition.get(m.partition) ?? []), m.offset])
    })
    for (const offsets of perPartition.values()) expect(offsets).toEqual(offsets.map((_, i) => i))
    await client.close()
  })

  it('batches lingering records into one record batch with idempotence fields', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await client.admin().createTopics([{ topic: 't' }])
    const producer = client.producer({ lingerMs: 20, compressionType: 'zstd' })
    await Promise.all(Array.from({ length: 100 }, (_, i) => producer.send({ topic: 't', value: `r${i}` })))
    await producer.send({ topic: 't', value: 'after' })
    const batches = batchesOf(client, 't', 0)
    expect(batches.map((b) => b.recordCount)).toEqual([100, 1])
    expect(batches[0]!.compression).toBe(4)
    expect(batches[0]!.producerId).toBeGreaterThanOrEqual(0)
    expect(batches.map((b) => b.baseSequence)).toEqual([0, 100])
    await client.close()
  })

  it('acks=0 resolves without offsets; bad configs are typed errors', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await client.admin().createTopics([{ topic: 't', numPartitions: 2 }])
    const p0 = client.producer({ acks: 0, enableIdempotence: false })
    expect((await p0.send({ topic: 't', partition: 1, value: 'x' })).offset).toBe(-1)
    expect(() => client.producer({ acks: 1 })).toThrow(BrookError)
    expect(() => client.producer({ acks: 7 as 1 })).toThrow(/acks/)
    expect(() => client.producer({ compressionType: 'brotli' as 'lz4' })).toThrow(/compression/)
    const p = client.producer()
    await expect(p.send({ topic: 't', partition: 5, value: 'x' })).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION' })
    await client.close()
  })

  it('rejects a batch over max.message.bytes and leaves the log untouched', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await client.admin().createTopics([{ topic: 't', configs: { 'max.message.bytes': '1000' } }])
    const producer = client.producer({ enableIdempotence: false, acks: 1 })
    await producer.send({ topic: 't', value: 'small' })
    const sizeBefore = client.broker.partition('t', 0).log.sizeInBytes
    await expect(producer.send({ topic: 't', value: Buffer.alloc(5000) })).rejects.toBeInstanceOf(RecordTooLargeError)
    expect(client.broker.partition('t', 0).highWatermark).toBe(1)
    expect(client.broker.partition('t', 0).log.sizeInBytes).toBe(sizeBefore)
    await client.close()
  })

  it('auto-creates unknown topics and keeps send order', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    const producer = client.producer({ lingerMs: 0 })
    const metas = await Promise.all(Array.from({ length: 20 }, (_, i) => producer.send({ topic: 'fresh', value: String(i) })))
    expect(metas.map((m) => m.offset)).toEqual(metas.map((_, i) => i))
    expect(await client.admin().listTopics()).toEqual(['fresh'])
    await client.close()
  })

  it('starts a new batch for a record that would take the open one past batch.size, as the Java producer does', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await client.admin().createTopics([{ topic: 't' }])
    const producer = client.producer({ lingerMs: 1000, batchSize: 1000 })
    const value = Buffer.alloc(300, 0x61)
    const sends = Array.from({ length: 10 }, (_, i) => producer.send({ topic: 't', value, timestamp: 1000 + i }))
    await producer.flush()
    expect((await Promise.all(sends)).map((m) => m.offset)).toEqual(Array.from({ length: 10 }, (_, i) => i))
    // A 61-byte header and records of ~308 bytes: three fit in 1000 bytes, a fourth would not (it went in, making 1293-byte batches of 4, before).
    const batches = batchesOf(client, 't', 0)
    expect(batches.map((b) => b.recordCount)).toEqual([3, 3, 3, 1])
    for (const b of batches) expect(b.size).toBeLessThanOrEqual(1000)
    // One record larger than batch.size still goes, alone.
    await producer.send({ topic: 't', value: Buffer.alloc(3000) })
    expect(batchesOf(client, 't', 0).map((b) => b.recordCount)).toEqual([3, 3, 3, 1, 1])
    await client.close()
  })

  it("lands its own batches with their CRC (the log skips recomputing it only for them); a corrupted batch is refused by produce()", async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await client.admin().createTopics([{ topic: 't' }])
    const producer = client.producer({ lingerMs: 5 })
    await Promise.all(Array.from({ length: 50 }, (_, i) => producer.send({ topic: 't', key: `k${i}`, value: `value ${i}` })))
    await producer.send({ topic: 't', value: 'last' })
    const p = client.broker.partition('t', 0)
    const stored = p.read(0, 1 << 20)
    let batches = 0
    forEachBatch(stored, (at) => {
      validateBatch(stored, at) // throws on a CRC mismatch
      batches++
    })
    expect(batches).toBe(2)
    // A batch with one bit flipped after its CRC was computed: produce() (the wire path) checks the CRC and refuses it.
    const corrupt = encodeRecordBatch([{ key: null, value: Buffer.from('flipped'), timestamp: 1 }])
    corrupt[corrupt.length - 1]! ^= 0x01
    await expect(client.broker.produce('t', 0, corrupt)).rejects.toMatchObject({ code: 'CORRUPT_RECORD' })
    // produceEncoded() is only for batches this process just encoded: it does not compute the CRC again.
    await expect(client.broker.produceEncoded('t', 0, Buffer.from(corrupt))).resolves.toMatchObject({ baseOffset: 51 })
    await client.close()
  })
})
