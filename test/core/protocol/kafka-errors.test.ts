import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { isRetriable, kafkaError, KafkaErrorCodes, kafkaErrorName, KafkaErrors } from '../../../core/protocol/kafka-errors.js'
import { BrookError, type BrookErrorCode, kafkaErrorCodes, kafkaErrorNames } from '../../../core/errors.js'
import { kafkaError as wireError } from '../../../core/client/kafka/errors.js'
import { kafkaCodeOf } from '../../../core/server/error-codes.js'

// Kafka 4.1.2's Errors enum: code, name, retriable (see test/fixtures/kafka/README.md).
const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/kafka/errors-4.1.2.tsv')
const kafka = fs
  .readFileSync(fixture, 'utf8')
  .trim()
  .split('\n')
  .map((line) => {
    const [code, name, retriable] = line.split('\t')
    return { code: Number(code), name: name!, retriable: retriable === 'true' }
  })

describe("Kafka's error table", () => {
  it('has every code of Kafka 4.1.2 with its name and retriable flag, and no other', () => {
    expect(kafka.length).toBeGreaterThan(130)
    for (const k of kafka) {
      expect({ code: k.code, name: kafkaErrorName(k.code), retriable: isRetriable(k.code) }, k.name).toEqual(k)
      expect(KafkaErrorCodes[k.name as keyof typeof KafkaErrorCodes], k.name).toBe(k.code)
    }
    expect(Object.keys(KafkaErrors).sort()).toEqual(kafka.map((k) => k.name).sort())
    for (const [name, e] of Object.entries(KafkaErrors)) expect(e.name).toBe(name)
    expect(kafkaErrorName(9999)).toBe('UNKNOWN(9999)')
    expect(isRetriable(9999)).toBe(false)
    expect(kafkaError(16)?.message).toBeTruthy()
  })
})

describe('errors derived from the table', () => {
  const byName = new Map(kafka.map((k) => [k.name, k]))
  const brookCodes = Object.keys(kafkaErrorNames) as BrookErrorCode[]

  it("every Brook code answers with its Kafka error's code and retriable flag", () => {
    for (const code of brookCodes) {
      const k = byName.get(kafkaErrorNames[code])!
      expect(k, code).toBeDefined()
      const err = new BrookError(code, 'x')
      expect([err.kafkaCode, err.retriable], code).toEqual([k.code, k.retriable])
      expect(kafkaErrorCodes[code]).toBe(k.code)
      expect(kafkaCodeOf(err)).toBe(k.code)
    }
    // The two that used to disagree.
    expect(new BrookError('REBALANCE_IN_PROGRESS', 'x').retriable).toBe(false)
    expect(new BrookError('OUT_OF_ORDER_SEQUENCE_NUMBER', 'x').retriable).toBe(false)
  })

  it('the embedded and the wire client report the same code and retriable for the same error', () => {
    for (const code of brookCodes) {
      const kafkaCode = kafkaErrorCodes[code]
      if (kafkaCode < 0) continue
      const embedded = new BrookError(code, 'x')
      const wire = wireError(kafkaCode, 'request')
      expect([wire.code, wire.retriable, wire.kafkaCode], code).toEqual([code, embedded.retriable, embedded.kafkaCode])
    }
  })

  it('a wire error for any Kafka code carries that code and its retriable flag', () => {
    for (const k of kafka) {
      if (k.code <= 0) continue
      const wire = wireError(k.code, 'request')
      expect([wire.kafkaCode, wire.retriable], k.name).toEqual([k.code, k.retriable])
      expect(wire.message).toContain(k.name)
    }
  })

  it("a layer above core raises its own code, which core answers as UNKNOWN_SERVER_ERROR, not retriable", () => {
    class LayerError extends BrookError<'SOME_LAYER_ERROR'> {}
    const e = new LayerError('SOME_LAYER_ERROR', 'x', { field: 'k' })
    expect([e.code, e.kafkaCode, e.retriable, e.field]).toEqual(['SOME_LAYER_ERROR', -1, false, 'k'])
    expect(Object.keys(kafkaErrorNames)).not.toContain('SOME_LAYER_ERROR')
  })
})
