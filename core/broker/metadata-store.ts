// Cluster metadata (topics, their configs, producer id blocks) kept as records in
// the compacted topic __cluster_metadata, replayed on open: the broker's state is
// a topic like everything else durable in Brook.
import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { CorruptRecordError } from '../errors.js'
import { Log } from '../log/log.js'
import type { RateLimitedLogger } from '../logger.js'
import { parseLogConfig } from '../log/log-config.js'
import { baseOffset, lastOffsetDelta } from '../protocol/records/batch-header.js'
import { encodeRecordBatch, forEachBatch, forEachRecord } from '../protocol/records/record-batch.js'

export const METADATA_TOPIC = '__cluster_metadata'

export interface TopicMetadata {
  name: string
  topicId: string
  partitions: number
  /** Topic-level overrides of the broker defaults, by Kafka config name. */
  configs: Record<string, string>
  internal: boolean
}

type MetadataRecord =
  | { type: 'topic'; topic: TopicMetadata }
  | { type: 'producer-ids'; next: number }

const topicKey = (name: string): Buffer => Buffer.from(`topic/${name}`)
const PRODUCER_IDS_KEY = Buffer.from('producer-ids')
const PRODUCER_ID_BLOCK = 1000

export class MetadataStore {
  private readonly log: Log
  private readonly topicsByName = new Map<string, TopicMetadata>()
  private nextProducerId = 0
  private producerIdLimit = 0

  private constructor(
    log: Log,
    private readonly logger: RateLimitedLogger,
  ) {
    this.log = log
    this.replay()
  }

  static open(dataDir: string, logger: RateLimitedLogger): MetadataStore {
    const config = parseLogConfig({ 'cleanup.policy': 'compact', 'flush.messages': '1', 'segment.bytes': String(8 << 20) })
    const name = `${METADATA_TOPIC}-0`
    return new MetadataStore(Log.open(path.join(dataDir, name), config, { name, logger }), logger)
  }

  /** Rebuilds the state from the log; damaged batches and records that do not decode are skipped with an error line. */
  private replay(): void {
    let offset = this.log.logStartOffset
    const end = this.log.logEndOffset
    while (offset < end) {
      let chunk: Buffer
      try {
        chunk = this.log.read(offset, 1 << 20)
      } catch (err) {
        if (!(err instanceof CorruptRecordError)) throw err
        const next = this.log.offsetAfterDamage(offset)
        this.logger.error('metadata.corrupt', `Skipping damaged ${METADATA_TOPIC} offsets ${offset}..${next - 1}: ${err.message}`)
        offset = next
        continue
      }
      if (chunk.length === 0) break
      forEachBatch(chunk, (at) => {
        forEachRecord(chunk, at, (r) => {
          offset = r.offset + 1
          try {
            this.apply(r.key, r.value)
          } catch (err) {
            this.logger.error('metadata.corrupt', `Skipping ${METADATA_TOPIC} record at offset ${r.offset}: ${(err as Error).message}`)
          }
        })
        // Batches emptied by compaction still move the position on.
        offset = Math.max(offset, baseOffset(chunk, at) + lastOffsetDelta(chunk, at) + 1)
      })
    }
  }

  private apply(keyBytes: Buffer | null, value: Buffer | null): void {
    const key = keyBytes?.toString() ?? ''
    if (value === null) {
      if (key.startsWith('topic/')) this.topicsByName.delete(key.slice(6))
      return
    }
    const rec = JSON.parse(value.toString()) as MetadataRecord
    if (rec.type === 'topic') {
      const t = rec.topic
      if (typeof t?.name !== 'string' || typeof t.topicId !== 'string' || !Number.isInteger(t.partitions) || t.partitions < 1 || typeof t.configs !== 'object' || t.configs === null) {
        throw new Error(`malformed topic record ${value.toString().slice(0, 200)}`)
      }
      this.topicsByName.set(t.name, t)
    } else if (rec.type === 'producer-ids' && Number.isSafeInteger(rec.next)) {
      this.nextProducerId = this.producerIdLimit = rec.next
    } else {
      throw new Error(`unknown record ${value.toString().slice(0, 200)}`)
    }
  }

  topics(): ReadonlyMap<string, TopicMetadata> {
    return this.topicsByName
  }

  topic(name: string): TopicMetadata | undefined {
    return this.topicsByName.get(name)
  }

  newTopicId(): string {
    return randomUUID()
  }

  async putTopic(topic: TopicMetadata): Promise<void> {
    await this.write(topicKey(topic.name), { type: 'topic', topic })
    this.topicsByName.set(topic.name, topic)
  }

  async removeTopic(name: string): Promise<void> {
    await this.write(topicKey(name), null)
    this.topicsByName.delete(name)
  }

  /** Producer ids are handed out from blocks reserved durably, so none is reused after a crash. */
  async allocateProducerId(): Promise<number> {
    if (this.nextProducerId >= this.producerIdLimit) {
      const limit = this.producerIdLimit + PRODUCER_ID_BLOCK
      await this.write(PRODUCER_IDS_KEY, { type: 'producer-ids', next: limit })
      this.nextProducerId = this.producerIdLimit
      this.producerIdLimit = limit
    }
    return this.nextProducerId++
  }

  private async write(key: Buffer, value: MetadataRecord | null): Promise<void> {
    const batch = encodeRecordBatch([
      { key, value: value === null ? null : Buffer.from(JSON.stringify(value)), timestamp: Date.now() },
    ])
    const { lastOffset } = this.log.append(batch)
    await this.log.waitForFlush(lastOffset + 1)
  }

  maintain(now: number): void {
    this.log.compact(now)
  }

  close(): void {
    this.log.close()
  }
}
