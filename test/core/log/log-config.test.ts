import { describe, expect, it } from 'vitest'
import { InvalidConfigError } from '../../../core/errors.js'
import {
  LONG_MAX,
  defaultLogConfig,
  logConfigDefs,
  logConfigToStrings,
  parseLogConfig,
  validateLogConfig,
} from '../../../core/log/log-config.js'

function invalid(fn: () => unknown): InvalidConfigError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidConfigError)
    return err as InvalidConfigError
  }
  throw new Error('expected InvalidConfigError')
}

describe('log config', () => {
  it("has Kafka's defaults", () => {
    const c = parseLogConfig({})
    expect(c).toEqual(defaultLogConfig)
    expect(c.segmentBytes).toBe(1073741824)
    expect(c.segmentMs).toBe(604800000)
    expect(c.segmentIndexBytes).toBe(10485760)
    expect(c.indexIntervalBytes).toBe(4096)
    expect(c.flushMessages).toBe(LONG_MAX)
    expect(c.flushMs).toBe(LONG_MAX)
    expect(c.retentionMs).toBe(604800000)
    expect(c.retentionBytes).toBe(-1)
    expect(c.cleanupPolicy).toBe('delete')
    expect(c.deleteRetentionMs).toBe(86400000)
    expect(c.minCompactionLagMs).toBe(0)
    expect(c.minCleanableDirtyRatio).toBe(0.5)
    expect(c.maxMessageBytes).toBe(1048588)
    expect(c.messageTimestampType).toBe('CreateTime')
    expect(c.fileDeleteDelayMs).toBe(60000)
    expect(logConfigDefs.find((d) => d.name === 'flush.messages')!.default).toBe('9223372036854775807')
  })

  it('parses overrides on top of defaults', () => {
    const c = parseLogConfig(
      { 'segment.bytes': '1000', 'cleanup.policy': 'delete, compact', 'retention.ms': '-1', 'min.cleanable.dirty.ratio': '0.1' },
      { flushMessages: 1 },
    )
    expect(c.segmentBytes).toBe(1000)
    expect(c.cleanupPolicy).toBe('compact,delete')
    expect(c.retentionMs).toBe(-1)
    expect(c.minCleanableDirtyRatio).toBe(0.1)
    expect(c.flushMessages).toBe(1)
    expect(parseLogConfig({ 'flush.ms': '9223372036854775807' }).flushMs).toBe(LONG_MAX)
    expect(logConfigToStrings(c)['flush.ms']).toBe('9223372036854775807')
    expect(logConfigToStrings(c)['segment.bytes']).toBe('1000')
  })

  it('rejects bad values naming key and value', () => {
    const e = invalid(() => parseLogConfig({ 'segment.bytes': 'ten' }))
    expect(e.message).toContain('segment.bytes')
    expect(e.message).toContain('ten')
    expect(e.field).toBe('segment.bytes')
    expect(invalid(() => parseLogConfig({ 'segment.bytes': '1.5' })).message).toContain('1.5')
    expect(invalid(() => parseLogConfig({ 'segment.bytes': '3000000000' })).message).toContain('3000000000')
    expect(invalid(() => parseLogConfig({ 'retention.ms': '-2' })).message).toContain('-2')
    expect(invalid(() => parseLogConfig({ 'flush.messages': '0' })).field).toBe('flush.messages')
    expect(invalid(() => parseLogConfig({ 'cleanup.policy': 'shred' })).message).toContain('shred')
    expect(invalid(() => parseLogConfig({ 'message.timestamp.type': 'Now' })).message).toContain('Now')
    expect(invalid(() => parseLogConfig({ 'min.cleanable.dirty.ratio': '1.5' })).message).toContain('1.5')
    expect(invalid(() => parseLogConfig({ 'no.such.key': '1' })).message).toContain('no.such.key')
    expect(invalid(() => validateLogConfig({ ...defaultLogConfig, indexIntervalBytes: 1.5 })).field).toBe('index.interval.bytes')
  })
})
