import { describe, expect, it } from 'vitest'
import { StreamsBuilder, Serdes, Produced, Consumed } from '../../../streams/index.js'
import { TopologyTestDriver } from '../../../streams/testing/index.js'
import type { DeserializationExceptionHandler } from '../../../streams/index.js'

const S = Serdes.String()
const L = Serdes.Long()
const B = Serdes.Bytes()

function setup(handler?: DeserializationExceptionHandler) {
  const b = new StreamsBuilder()
  b.stream<string, number>('in', Consumed.with(S, L)).mapValues((v) => v * 2).to('out', Produced.with(S, L))
  const logs: string[] = []
  const d = new TopologyTestDriver(b.build(), { applicationId: 'dlq', deserializationExceptionHandler: handler, logger: (m) => logs.push(m) })
  return { d, logs, raw: d.createInputTopic('in', S, B), out: d.createOutputTopic('out', S, L) }
}

describe('deserialization exception handlers', () => {
  it('logAndFail (default) throws naming topic, partition and offset', () => {
    const { d, raw } = setup()
    raw.pipeInput('ok', L.serialize('in', 1), 1)
    expect(() => raw.pipeInput('bad', Buffer.from('xyz'), 2)).toThrow(/topic 'in', partition 0, offset 1/)
    d.close()
  })

  it('logAndContinue skips the record and logs it', () => {
    const { d, raw, out, logs } = setup('logAndContinue')
    raw.pipeInput('bad', Buffer.from('xyz'), 1)
    raw.pipeInput('ok', L.serialize('in', 21), 2)
    expect(out.readKeyValuesToList()).toEqual([{ key: 'ok', value: 42 }])
    expect(logs.some((l) => l.includes("topic 'in', partition 0, offset 0"))).toBe(true)
    d.close()
  })

  it('dead letter writes the raw record with headers saying why', () => {
    const { d, raw, out } = setup({ deadLetterTopic: 'dead' })
    raw.pipeInput('bad', Buffer.from('xyz'), 7)
    raw.pipeInput('ok', L.serialize('in', 1), 8)
    expect(out.readValuesToList()).toEqual([2])
    const dead = d.createOutputTopic('dead', S, B).readRecord()
    expect(dead.key).toBe('bad')
    expect(dead.value).toEqual(Buffer.from('xyz'))
    expect(dead.timestamp).toBe(7)
    const h = Object.fromEntries(dead.headers.map((x) => [x.key, x.value?.toString()]))
    expect(h['__brook.dlq.topic']).toBe('in')
    expect(h['__brook.dlq.partition']).toBe('0')
    expect(h['__brook.dlq.offset']).toBe('0')
    expect(h['__brook.dlq.reason']).toMatch(/Long serde cannot read 3 bytes/)
    expect(d.producedTopicNames()).toContain('dead')
    d.close()
  })
})
