import { describe, expect, it } from 'vitest'
import { isRetriable, kafkaError, KafkaErrorCodes, kafkaErrorName, KafkaErrors } from '../../../core/protocol/kafka-errors.js'
import { kafkaErrorCodes as brookKafkaCodes } from '../../../core/errors.js'

describe('Kafka error table', () => {
  it('maps well-known codes to names', () => {
    expect(kafkaErrorName(0)).toBe('NONE')
    expect(kafkaErrorName(-1)).toBe('UNKNOWN_SERVER_ERROR')
    expect(kafkaErrorName(3)).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    expect(kafkaErrorName(6)).toBe('NOT_LEADER_OR_FOLLOWER')
    expect(kafkaErrorName(35)).toBe('UNSUPPORTED_VERSION')
    expect(kafkaErrorName(79)).toBe('MEMBER_ID_REQUIRED')
    expect(kafkaErrorName(100)).toBe('UNKNOWN_TOPIC_ID')
    expect(kafkaErrorName(9999)).toBe('UNKNOWN(9999)')
    expect(KafkaErrorCodes.REBALANCE_IN_PROGRESS).toBe(27)
    expect(kafkaError(16)?.message).toBeTruthy()
  })

  it('classifies retriable codes as Kafka does', () => {
    for (const code of [2, 3, 5, 6, 7, 13, 14, 15, 16, 19, 20, 41, 56, 74, 75, 89]) expect(isRetriable(code)).toBe(true)
    for (const code of [-1, 0, 1, 10, 22, 25, 27, 35, 36, 42, 47, 9999]) expect(isRetriable(code)).toBe(false)
  })

  it('has unique, contiguous codes', () => {
    const codes = Object.values(KafkaErrors).map((e) => e.code)
    expect(new Set(codes).size).toBe(codes.length)
    const sorted = [...codes].sort((a, b) => a - b)
    expect(sorted[0]).toBe(-1)
    sorted.forEach((c, i) => expect(c).toBe(i - 1))
    for (const [name, e] of Object.entries(KafkaErrors)) expect(e.name).toBe(name)
  })

  it('agrees with the Kafka codes BrookError carries', () => {
    for (const [name, code] of Object.entries(brookKafkaCodes)) {
      if (code === -1) continue
      const known = kafkaError(code)
      expect(known, name).toBeDefined()
    }
    expect(kafkaErrorName(brookKafkaCodes.OFFSET_OUT_OF_RANGE)).toBe('OFFSET_OUT_OF_RANGE')
    expect(kafkaErrorName(brookKafkaCodes.CORRUPT_RECORD)).toBe('CORRUPT_MESSAGE')
  })
})
