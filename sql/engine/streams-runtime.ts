// Runs persistent queries as KafkaStreams applications on a BrookClient (the embedded log, a
// Brook broker or Apache Kafka). State lives under `stateDir/<application.id>`; TERMINATE removes
// the query's internal topics (repartition, changelog) and its local state.
import fs from 'node:fs'
import path from 'node:path'
import type { BrookClient, Producer } from '../../core/client/types.js'
import { TopicSchemaRegistry } from '../../registry/store/topic-registry.js'
import type { SchemaRegistryClient } from '../../registry/types.js'
import { KafkaStreams } from '../../streams/runtime/kafka-streams.js'
import type { Topology } from '../../streams/processor/topology.js'
import type { Headers } from '../../streams/processor/record.js'
import type { QueryableStoreType } from '../../streams/state/queryable.js'
import type { QueryRuntime, QueryStartOptions, RunningQuery } from './runtime.js'
import type { ProcessingLogger } from '../runtime/processing-log.js'

export interface StreamsRuntimeOptions {
  readonly client: BrookClient
  /** Root of the queries' state directories; null keeps state in memory. */
  readonly stateDir: string | null
  readonly commitIntervalMs?: number
  readonly cacheMaxBytes?: number
  readonly processingLog?: ProcessingLogger
  /** EMIT FINAL on quiet keys: stream time of an idle task moves with the wall clock after this long, so windows close without new input. */
  readonly idleAdvanceMs?: number | null
}

export class StreamsRuntime implements QueryRuntime {
  private registry: Promise<SchemaRegistryClient> | null = null
  readonly kind = 'streams' as const
  private producer: Producer | null = null
  private readonly running = new Set<KafkaStreams>()

  constructor(private readonly options: StreamsRuntimeOptions) {}

  async start(queryId: string, applicationId: string, topology: Topology, options: QueryStartOptions = {}): Promise<RunningQuery> {
    const transient = options.transient ?? false
    const stateDir = this.options.stateDir === null || transient ? null : path.join(this.options.stateDir, applicationId)
    const log = this.options.processingLog
    const logger = options.logger ?? (log === undefined ? undefined : (message: string) => log.log({ type: message.toLowerCase().includes('deserializ') ? 'DESERIALIZATION_ERROR' : 'RECORD_PROCESSING_ERROR', queryId, topic: null, partition: null, offset: null, message, timestamp: Date.now() }))
    const streams = new KafkaStreams(topology, this.options.client, {
      applicationId,
      stateDir,
      commitIntervalMs: options.commitIntervalMs ?? this.options.commitIntervalMs ?? 1000,
      cacheMaxBytes: options.cacheMaxBytes ?? this.options.cacheMaxBytes ?? 10 * 1024 * 1024,
      // push queries read from the beginning (see sql/README.md); persistent ones as auto.offset.reset says
      autoOffsetReset: transient ? 'earliest' : (options.autoOffsetReset ?? 'earliest'),
      ...(options.processingGuarantee === undefined ? {} : { processingGuarantee: options.processingGuarantee }),
      deserializationExceptionHandler: 'logAndContinue',
      idleAdvanceMs: this.options.idleAdvanceMs ?? null,
      ...(logger === undefined ? {} : { logger }),
    })
    const running = new Promise<void>((resolve, reject) => {
      streams.onStateChange = (state, error) => {
        if (state === 'RUNNING') resolve()
        else if (state === 'ERROR') reject(error ?? new Error(`query ${queryId} failed to start`))
      }
    })
    if (options.paused === true) streams.pause()
    await streams.start()
    // A query counts as started once its tasks are assigned (closing one mid-rebalance would wait for the rebalance).
    if (streams.state !== 'RUNNING') await running
    this.running.add(streams)
    return {
      stop: async (cleanUp) => {
        this.running.delete(streams)
        await streams.close()
        if (cleanUp) {
          const admin = this.options.client.admin()
          try {
            const internal = (await admin.listTopics({ includeInternal: true })).filter((t) => t.startsWith(`${applicationId}-`))
            if (internal.length > 0) await admin.deleteTopics(internal)
            await admin.deleteGroups([applicationId]).catch(() => undefined)
          } finally {
            await admin.close()
          }
          if (stateDir !== null) fs.rmSync(stateDir, { recursive: true, force: true })
        }
      },
      pause: () => streams.pause(),
      resume: () => streams.resume(),
      currentRecord: () => streams.currentRecord(),
      store: <T>(name: string, type: QueryableStoreType<T>): T | null => {
        try {
          return streams.store(name, type)
        } catch {
          return null
        }
      },
    }
  }

  private async withAdmin<T>(fn: (admin: ReturnType<BrookClient['admin']>) => Promise<T>): Promise<T> {
    const admin = this.options.client.admin()
    try {
      return await fn(admin)
    } finally {
      await admin.close()
    }
  }

  async topicExists(topic: string): Promise<boolean> {
    return this.withAdmin(async (a) => (await a.listTopics({ includeInternal: true })).includes(topic))
  }

  async partitionsOf(topic: string): Promise<number | null> {
    return this.withAdmin(async (a) => {
      if (!(await a.listTopics({ includeInternal: true })).includes(topic)) return null
      const [d] = await a.describeTopics([topic])
      return d?.partitions.length ?? null
    })
  }

  async createTopic(topic: string, partitions: number, replicas: number, config: Record<string, string> = {}): Promise<void> {
    await this.withAdmin((a) => a.createTopics([{ topic, numPartitions: partitions, replicationFactor: replicas, configs: config }]))
  }

  async deleteTopics(topics: string[]): Promise<void> {
    await this.withAdmin((a) => a.deleteTopics(topics))
  }

  async listTopics(): Promise<string[]> {
    return this.withAdmin(async (a) => (await a.listTopics({ includeInternal: true })).sort())
  }

  async produce(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): Promise<void> {
    this.producer ??= this.options.client.producer({})
    await this.producer.send({ topic, key, value, timestamp, headers })
  }

  async read(topic: string, fromBeginning: boolean, limit: number, timeoutMs: number): Promise<Array<{ key: Buffer | null; value: Buffer | null; timestamp: number; partition: number; offset: number }>> {
    const consumer = this.options.client.consumer({ autoOffsetReset: fromBeginning ? 'earliest' : 'latest', enableAutoCommit: false })
    const out: Array<{ key: Buffer | null; value: Buffer | null; timestamp: number; partition: number; offset: number }> = []
    try {
      const [d] = await this.withAdmin((a) => a.describeTopics([topic]))
      consumer.assign(d!.partitions.map((p) => ({ topic, partition: p.partition })))
      if (fromBeginning) await consumer.seekToBeginning()
      else await consumer.seekToEnd()
      const deadline = Date.now() + timeoutMs
      while (out.length < limit && Date.now() < deadline) {
        for (const r of await consumer.poll(100)) {
          if (out.length >= limit) break
          out.push({ key: r.key, value: r.value, timestamp: r.timestamp, partition: r.partition, offset: r.offset })
        }
      }
    } finally {
      await consumer.close()
    }
    return out
  }

  /** A TopicSchemaRegistry on the runtime's client, opened at first use (the first AVRO source). */
  schemaRegistry(): Promise<SchemaRegistryClient> {
    this.registry ??= TopicSchemaRegistry.open(this.options.client)
    return this.registry
  }

  async close(): Promise<void> {
    for (const s of [...this.running]) await s.close()
    this.running.clear()
    await this.producer?.close()
    this.producer = null
    const registry = this.registry
    this.registry = null
    await (await registry?.catch(() => null))?.close()
  }
}
