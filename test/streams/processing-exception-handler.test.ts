// processing.exception.handler (KIP-1033): a processor that throws fails processing (logAndFail, the
// default), or the record is dropped at that processor and processing goes on (logAndContinue, or a
// function's CONTINUE), its sibling branches included.
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import {
  Consumed,
  KafkaStreams,
  Materialized,
  ProcessorException,
  Produced,
  Serdes,
  StreamsBuilder,
  StreamsException,
  type ErrorHandlerContext,
  type ProcessingExceptionHandler,
} from '../../streams/index.js'
import { TopologyTestDriver } from '../../streams/testing/index.js'
import { cleanupDirs, produce, readAll, tmpDir, waitFor } from './runtime/helpers.js'

const S = Serdes.String()
const L = Serdes.Long()
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  cleanupDirs()
})

/** in -> upper-cased (throws on 'bad' and 'fatal') -> upper; in -> as is -> all. */
function branches(): StreamsBuilder {
  const b = new StreamsBuilder()
  const s = b.stream<string, string>('in', Consumed.with(S, S))
  s.mapValues((v) => {
    if (v === 'bad' || v === 'fatal') throw new Error(`cannot upper-case ${v}`)
    return v.toUpperCase()
  }).to('upper', Produced.with(S, S))
  s.to('all', Produced.with(S, S))
  return b
}

function drive(handler: ProcessingExceptionHandler | undefined, logs: string[] = []) {
  const d = new TopologyTestDriver(branches().build(), { applicationId: 'peh', logger: (m) => logs.push(m), ...(handler !== undefined ? { processingExceptionHandler: handler } : {}) })
  const input = d.createInputTopic('in', S, S)
  return { d, input, upper: d.createOutputTopic('upper', S, S), all: d.createOutputTopic('all', S, S) }
}

describe('processingExceptionHandler', () => {
  it('by default (logAndFail) a processor error stops processing, named with where it happened', () => {
    const { d, input } = drive(undefined)
    input.pipeInput('k', 'ok')
    expect(() => input.pipeInput('k', 'bad')).toThrow(ProcessorException)
    expect(() => input.pipeInput('k', 'bad')).toThrow(/processor=KSTREAM-MAPVALUES-0000000001.*cannot upper-case bad/)
    d.close()
  })

  it('logAndContinue drops the record at the processor that threw; its sibling branch and later records go on', () => {
    const logs: string[] = []
    const { d, input, upper, all } = drive('logAndContinue', logs)
    input.pipeInput('k', 'ok')
    input.pipeInput('k', 'bad')
    input.pipeInput('k', 'fine')
    expect(upper.readValuesToList()).toEqual(['OK', 'FINE'])
    expect(all.readValuesToList()).toEqual(['ok', 'bad', 'fine'])
    expect(logs).toHaveLength(1)
    expect(logs[0]).toMatch(/topic=in, partition=0, offset=1 after an error in processor KSTREAM-MAPVALUES-0000000001 \(task 0_0\): cannot upper-case bad/)
    d.close()
  })

  it('a function decides record by record, told where the error happened', () => {
    const seen: Array<{ context: ErrorHandlerContext; value: unknown }> = []
    const { d, input, upper } = drive((context, record, error) => {
      seen.push({ context, value: record.value })
      return error.message.includes('fatal') ? 'FAIL' : 'CONTINUE'
    })
    input.pipeInput('k', 'bad', 42)
    input.pipeInput('k', 'ok')
    expect(() => input.pipeInput('k', 'fatal')).toThrow(/cannot upper-case fatal/)
    expect(upper.readValuesToList()).toEqual(['OK'])
    expect(seen.map((s) => s.value)).toEqual(['bad', 'fatal'])
    expect(seen[0]!.context).toMatchObject({ topic: 'in', partition: 0, offset: 0, timestamp: 42, processorNodeId: 'KSTREAM-MAPVALUES-0000000001', taskId: '0_0' })
    d.close()
  })

  it('a handler that throws fails processing with what it threw', () => {
    const { d, input } = drive(() => {
      throw new Error('handler broke')
    })
    expect(() => input.pipeInput('k', 'bad')).toThrow(StreamsException)
    expect(() => input.pipeInput('k', 'bad')).toThrow(/processing exception handler failed.*handler broke/)
    d.close()
  })

  it('on the runtime, the instance stays RUNNING, counts the good records and commits past the bad one', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    const admin = client.admin()
    await admin.createTopics([{ topic: 'words', numPartitions: 1 }, { topic: 'counts', numPartitions: 1 }])
    await admin.close()
    await produce(client, 'words', ['a', 'boom', 'a', 'b'].map((w) => ({ key: w, value: w })))
    const b = new StreamsBuilder()
    b.stream<string, string>('words', Consumed.with(S, S))
      .mapValues((w) => {
        if (w === 'boom') throw new Error('no booms')
        return w
      })
      .groupByKey()
      .count(Materialized.as<string, number>('c'))
      .toStream()
      .to('counts', Produced.with(S, L))
    const s = new KafkaStreams(b.build(), client, { applicationId: 'peh-rt', stateDir: tmpDir(), commitIntervalMs: 50, processingExceptionHandler: 'logAndContinue' })
    closers.push(() => s.close())
    await s.start()
    await waitFor('a at 2 and b at 1', async () => {
      const last = new Map((await readAll(client, 'counts')).map((r) => [r.key?.toString(), L.deserialize('counts', r.value)]))
      return last.get('a') === 2 && last.get('b') === 1
    })
    expect(s.state).toBe('RUNNING')
    const admin2 = client.admin()
    await waitFor('the offset past every record committed', async () => (await admin2.listGroupOffsets('peh-rt')).find((o) => o.topic === 'words')?.committedOffset === 4)
    await admin2.close()
  })
})
