// KafkaStreams.pause() / resume() and autoOffsetReset on the embedded log. Two applications read the
// same input; the one left running shows when a record has been there to process.
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../../core/client/embedded/client.js'
import { KafkaStreams } from '../../../streams/runtime/kafka-streams.js'
import { StreamsBuilder, Consumed, Produced, type Topology } from '../../../streams/index.js'
import { S, cleanupDirs, produce, readAll, tmpDir, waitFor } from './helpers.js'

function copy(output: string): Topology {
  const b = new StreamsBuilder()
  b.stream<string | null, string>('in', Consumed.with(S, S)).mapValues((v) => v.toUpperCase()).to(output, Produced.with(S, S))
  return b.build()
}

/** Waits until the output values satisfy `ok`; returns them. */
const until = (fn: () => Promise<string[]>, ok: (v: string[]) => boolean): Promise<string[]> =>
  waitFor('output', async () => {
    const v = await fn()
    return ok(v) ? v : null
  })

const running: KafkaStreams[] = []
afterEach(async () => {
  for (const s of running.splice(0)) await s.close()
  cleanupDirs()
})

async function app(client: EmbeddedClient, id: string, output: string, config: Partial<ConstructorParameters<typeof KafkaStreams>[2]> = {}): Promise<KafkaStreams> {
  const s = new KafkaStreams(copy(output), client, { applicationId: id, commitIntervalMs: 50, ...config })
  running.push(s)
  const started = new Promise<void>((resolve) => (s.onStateChange = (st) => st === 'RUNNING' && resolve()))
  await s.start()
  if (s.state !== 'RUNNING') await started
  return s
}

const values = async (client: EmbeddedClient, topic: string): Promise<string[]> => {
  const admin = client.admin()
  const exists = (await admin.listTopics()).includes(topic)
  await admin.close()
  return exists ? (await readAll(client, topic)).map((r) => r.value!.toString()) : []
}

describe('KafkaStreams pause / resume', () => {
  it('processes nothing while paused and resumes where it stopped; pause() before start() holds from the first record', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    try {
      await produce(client, 'in', [{ key: 'k', value: 'a' }])
      const paused = await app(client, 'paused-app', 'out-paused')
      const control = await app(client, 'control-app', 'out-control')
      await until(() => values(client, 'out-paused'), (v) => v.length === 1)
      paused.pause()
      expect(paused.isPaused()).toBe(true)
      await produce(client, 'in', [{ key: 'k', value: 'b' }, { key: 'k', value: 'c' }])
      await until(() => values(client, 'out-control'), (v) => v.length === 3)
      await paused.commit()
      expect(await values(client, 'out-paused')).toEqual(['A'])
      paused.resume()
      expect(await until(() => values(client, 'out-paused'), (v) => v.length >= 3)).toEqual(['A', 'B', 'C'])
      expect(control.isPaused()).toBe(false)

      const early = new KafkaStreams(copy('out-early'), client, { applicationId: 'early-app', commitIntervalMs: 50 })
      running.push(early)
      early.pause()
      await early.start()
      await produce(client, 'in', [{ key: 'k', value: 'd' }])
      await until(() => values(client, 'out-control'), (v) => v.length === 4)
      expect(await values(client, 'out-early')).toEqual([])
      early.resume()
      expect(await until(() => values(client, 'out-early'), (v) => v.length >= 4)).toEqual(['A', 'B', 'C', 'D'])
    } finally {
      for (const s of running.splice(0)) await s.close()
      await client.close()
    }
  })

  it('autoOffsetReset latest starts where the input ends, earliest (the default) at its beginning', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    try {
      await produce(client, 'in', [{ key: 'k', value: 'old' }])
      await app(client, 'latest-app', 'out-latest', { autoOffsetReset: 'latest' })
      await app(client, 'earliest-app', 'out-earliest')
      await produce(client, 'in', [{ key: 'k', value: 'new' }])
      expect(await until(() => values(client, 'out-earliest'), (v) => v.length >= 2)).toEqual(['OLD', 'NEW'])
      expect(await until(() => values(client, 'out-latest'), (v) => v.length >= 1)).toEqual(['NEW'])
    } finally {
      for (const s of running.splice(0)) await s.close()
      await client.close()
    }
  })
})
