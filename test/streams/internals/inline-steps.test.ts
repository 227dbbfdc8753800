// Stateless operators run as inline steps inside a task: a chain of them is one call per record.
// What must not change: which records come out, with which timestamps and headers, in what
// order, through branches and merges and into and out of processors, and which node an error
// is reported against.
import { describe, expect, it } from 'vitest'
import { Branched, Consumed, Materialized, Named, Produced, Serdes, StreamsBuilder, type Topology } from '../../../streams/index.js'
import { TopologyTestDriver } from '../../../streams/testing/index.js'
import { Record as StreamRecord } from '../../../streams/processor/record.js'
import { ProcessorException } from '../../../streams/errors.js'

const S = Serdes.String()
const L = Serdes.Long()

function drive(topology: Topology, inputs: Array<[string, string, number]>, outputs: string[]) {
  const driver = new TopologyTestDriver(topology, { applicationId: 'inline' })
  const input = driver.createInputTopic('in', S, S)
  for (const [k, v, ts] of inputs) input.pipeInput(k, v, ts)
  const result = outputs.map((t) => (t === 'counts' ? driver.createOutputTopic<string, unknown>(t, S, L) : driver.createOutputTopic<string, unknown>(t, S, S)).readRecordsToList())
  driver.close()
  return result
}

describe('inline steps', () => {
  it('a chain keeps keys, values, timestamps and order, and a processor in the middle sees a Record', () => {
    const b = new StreamsBuilder()
    const seenByProcessor: unknown[] = []
    b.stream<string, string>('in', Consumed.with(S, S))
      .filter((_k, v) => v !== 'drop')
      .flatMapValues((v) => v.split(' '))
      .selectKey((_k, w) => w)
      .peek(() => undefined)
      .process(() => ({
        init() {},
        process(r) {
          seenByProcessor.push(r)
        },
      }))
    drive(b.build(), [['a', 'x y', 5], ['b', 'drop', 6], ['c', 'z', 7]], [])
    expect(seenByProcessor.every((r) => r instanceof StreamRecord)).toBe(true)
    expect(seenByProcessor.map((r) => { const x = r as StreamRecord<string, string>; return [x.key, x.value, x.timestamp] })).toEqual([
      ['x', 'x', 5],
      ['y', 'y', 5],
      ['z', 'z', 7],
    ])
  })

  it('split branches and a merge after inline steps deliver each record once to the right place', () => {
    const b = new StreamsBuilder()
    const s = b.stream<string, string>('in', Consumed.with(S, S)).mapValues((v) => v.toUpperCase())
    const branches = s.split(Named.as('b-')).branch((_k, v) => v.startsWith('A'), Branched.as('a')).defaultBranch(Branched.as('rest'))
    branches.get('b-a')!.mapValues((v) => `a:${v}`).merge(branches.get('b-rest')!.mapValues((v) => `r:${v}`)).to('out', Produced.with(S, S))
    const [out] = drive(b.build(), [['1', 'apple', 1], ['2', 'banana', 2], ['3', 'avocado', 3]], ['out'])
    expect(out!.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['1', 'a:APPLE', 1],
      ['2', 'r:BANANA', 2],
      ['3', 'a:AVOCADO', 3],
    ])
  })

  it('records a processor forwards run the inline steps after it (toStream, mapValues, filter)', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S))
      .groupByKey()
      .count(Materialized.as<string, number>('c').withCachingDisabled())
      .toStream()
      .filter((_k, n) => n !== 2)
      .mapValues((n) => n * 10)
      .to('counts', Produced.with(S, L))
    const [out] = drive(b.build(), [['k', 'x', 1], ['k', 'x', 2], ['k', 'x', 3], ['j', 'x', 4]], ['counts'])
    expect(out!.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['k', 10, 1],
      ['k', 30, 3],
      ['j', 10, 4],
    ])
  })

  it('an error is reported against the inline node it happened in, once', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S))
      .filter(() => true)
      .mapValues((v) => {
        if (v === 'bad') throw new Error('cannot map bad')
        return v
      })
      .selectKey((k) => k)
      .to('out', Produced.with(S, S))
    const topology = b.build()
    const driver = new TopologyTestDriver(topology, { applicationId: 'inline' })
    const input = driver.createInputTopic('in', S, S)
    input.pipeInput('k', 'good', 1)
    let caught: unknown
    try {
      input.pipeInput('k', 'bad', 2)
    } catch (err) {
      caught = err
    }
    driver.close()
    expect(caught).toBeInstanceOf(ProcessorException)
    const e = caught as ProcessorException
    expect(e.processor).toBe('KSTREAM-MAPVALUES-0000000002')
    expect(e.message).toContain('offset=1')
    expect(e.message).toContain('cannot map bad')
    // not wrapped again by the nodes before it
    expect((e.cause as Error).message).toBe('cannot map bad')
  })
})
