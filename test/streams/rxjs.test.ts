import { describe, expect, it } from 'vitest'
import { from, Subject, take, toArray, firstValueFrom, throwError } from 'rxjs'
import { Consumed, Serdes, StreamsBuilder, observableToTopic, type StreamedRecord } from '../../streams/index.js'
import { TopologyTestDriver } from '../../streams/testing/index.js'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { tmpDir } from '../helpers/tmp.js'

const S = Serdes.String()

describe('rxjs interop', () => {
  it('KStream.asObservable emits the records reaching that point, with timestamps', () => {
    const b = new StreamsBuilder()
    const seen: StreamedRecord<string, string>[] = []
    b.stream<string, string>('in', Consumed.with(S, S))
      .filter((_k, v) => v !== 'skip')
      .mapValues((v) => v.toUpperCase())
      .asObservable()
      .subscribe((r) => seen.push(r))
    const d = new TopologyTestDriver(b.build(), { applicationId: 'rx' })
    const input = d.createInputTopic('in', S, S)
    input.pipeInput('a', 'x', 10)
    input.pipeInput('b', 'skip', 11)
    input.pipeInput('c', 'y', 12)
    d.close()
    expect(seen).toEqual([
      { key: 'a', value: 'X', timestamp: 10 },
      { key: 'c', value: 'Y', timestamp: 12 },
    ])
  })

  it('observableToTopic feeds a topic through any client and resolves once acknowledged', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await client.admin().createTopics([{ topic: 'feed', numPartitions: 2 }])
    const producer = client.producer()
    const n = await observableToTopic(from(['apple', 'banana', 'cherry']), producer, {
      topic: 'feed',
      keySerde: S,
      valueSerde: S,
      key: (v) => v[0]!,
      timestamp: () => 1234,
    })
    expect(n).toBe(3)
    const consumer = client.consumer({ autoOffsetReset: 'earliest' })
    consumer.assign([{ topic: 'feed', partition: 0 }, { topic: 'feed', partition: 1 }])
    const records = await firstValueFrom(consumer.records({ pollTimeoutMs: 100 }).pipe(take(3), toArray()))
    expect(records.map((r) => `${r.key}:${r.value}@${r.timestamp}`).sort()).toEqual(['a:apple@1234', 'b:banana@1234', 'c:cherry@1234'])
    await expect(observableToTopic(throwError(() => new Error('source broke')), producer, { topic: 'feed', keySerde: S, valueSerde: S })).rejects.toThrow('source broke')
    const live = new Subject<string>()
    const pending = observableToTopic(live, producer, { topic: 'feed', keySerde: S, valueSerde: S })
    live.next('later')
    live.complete()
    expect(await pending).toBe(1)
    await client.close()
  })
})
