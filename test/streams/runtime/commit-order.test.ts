// at_least_once ordering, observed from outside: a client whose producer acknowledges late and
// whose consumer checks, at every offset commit, that nothing the application sent is unacknowledged.
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../../core/client/embedded/client.js'
import type { BrookClient, Consumer, Producer, ProducerRecord, RecordMetadata, SendListener } from '../../../core/client/types.js'
import { KafkaStreams } from '../../../streams/index.js'
import { LINES, cleanupDirs, expectedCounts, latestCounts, produce, sameMap, tmpDir, waitFor, wordCount } from './helpers.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  cleanupDirs()
})

interface Observed {
  client: BrookClient
  commits: number
  /** Commits made while some record the streams producer was given had no acknowledgement yet. */
  early: number
  sent: number
}

function observe(inner: BrookClient): Observed {
  let unacked = 0
  const o: Observed = {
    commits: 0,
    early: 0,
    sent: 0,
    client: {
      producer(config) {
        const p = inner.producer(config)
        if (!config?.clientId?.endsWith('-producer')) return p
        const slow = async <T>(n: number, send: () => Promise<T>): Promise<T> => {
          unacked += n
          o.sent += n
          try {
            await new Promise((r) => setTimeout(r, 30))
            return await send()
          } finally {
            unacked -= n
          }
        }
        // sendQuiet: each acknowledgement reaches the caller 30 ms late, and flush() waits for the late ones too.
        let late = 0
        let lateDone: (() => void) | null = null
        const delayed = (listener: SendListener): SendListener => ({
          onAcknowledged: (topic, partition, lastOffset, count) => {
            late++
            setTimeout(() => {
              unacked -= count
              listener.onAcknowledged(topic, partition, lastOffset, count)
              if (--late === 0) lateDone?.()
            }, 30)
          },
          onFailed: (topic, partition, count, error) => {
            unacked -= count
            listener.onFailed(topic, partition, count, error)
          },
        })
        const wrapped: Producer = {
          send: (r: ProducerRecord): Promise<RecordMetadata> => slow(1, () => p.send(r)),
          sendBatch: (rs: ProducerRecord[]): Promise<RecordMetadata[]> => slow(rs.length, () => p.sendBatch(rs)),
          sendQuiet: (topic, partition, key, value, timestamp, headers, listener) => {
            unacked++
            o.sent++
            p.sendQuiet(topic, partition, key, value, timestamp, headers, delayed(listener))
          },
          flush: async () => {
            await p.flush()
            if (late > 0) await new Promise<void>((r) => (lateDone = r))
          },
          close: () => p.close(),
          initTransactions: () => p.initTransactions(),
          beginTransaction: () => p.beginTransaction(),
          sendOffsetsToTransaction: (offsets, group) => p.sendOffsetsToTransaction(offsets, group),
          commitTransaction: () => p.commitTransaction(),
          abortTransaction: () => p.abortTransaction(),
        }
        return wrapped
      },
      consumer(config) {
        const c = inner.consumer(config)
        return new Proxy(c, {
          get(target, prop, receiver) {
            if (prop === 'commitSync') {
              return (offsets?: Parameters<Consumer['commitSync']>[0]) => {
                o.commits++
                if (unacked > 0) o.early++
                return target.commitSync(offsets)
              }
            }
            const v = Reflect.get(target, prop, receiver) as unknown
            return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
          },
        })
      },
      admin: () => inner.admin(),
      close: () => inner.close(),
    },
  }
  return o
}

describe('KafkaStreams at_least_once commit order', () => {
  it('commits input offsets only when every output and changelog record sent before is acknowledged', async () => {
    const inner = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => inner.close())
    const admin = inner.admin()
    await admin.createTopics([
      { topic: 'text', numPartitions: 2 },
      { topic: 'word-counts', numPartitions: 1 },
    ])
    await admin.close()
    const o = observe(inner)
    const streams = new KafkaStreams(wordCount(), o.client, { applicationId: 'order', stateDir: tmpDir(), commitIntervalMs: 20, cacheMaxBytes: 0 })
    closers.push(() => streams.close())
    await streams.start()
    const lines: string[] = []
    for (let round = 0; round < 5; round++) {
      const batch = LINES.map((l) => `${l} round${round}`)
      lines.push(...batch)
      const before = o.commits
      await produce(inner, 'text', batch.map((value) => ({ value })))
      // A commit after each round, waited for rather than slept for.
      await waitFor(`a commit after round ${round}`, () => (o.commits > before ? true : null))
    }
    await waitFor('all counts', async () => sameMap(await latestCounts(inner, 'word-counts'), expectedCounts(lines)))
    await streams.close()
    expect(o.sent).toBeGreaterThan(0)
    expect(o.commits).toBeGreaterThan(2)
    expect(o.early).toBe(0)
  })
})
