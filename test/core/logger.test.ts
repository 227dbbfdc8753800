import { describe, expect, it } from 'vitest'
import { RateLimitedLogger } from '../../core/logger.js'

function setup(): { log: RateLimitedLogger; lines: string[]; clock: { now: number } } {
  const lines: string[] = []
  const clock = { now: 0 }
  const log = new RateLimitedLogger(
    { info: (m) => lines.push(`INFO ${m}`), warn: (m) => lines.push(`WARN ${m}`), error: (m) => lines.push(`ERROR ${m}`) },
    { linesPerWindow: 5, windowMs: 60_000, now: () => clock.now },
  )
  return { log, lines, clock }
}

describe('RateLimitedLogger', () => {
  it('lets a few lines per cause and window through and counts the rest', () => {
    const { log, lines, clock } = setup()
    for (let i = 0; i < 40_000; i++) log.warn('connection.MALFORMED', `bad frame ${i}`)
    expect(lines).toEqual([0, 1, 2, 3, 4].map((i) => `WARN bad frame ${i}`))
    expect(log.suppressed('connection.MALFORMED')).toBe(39_995)
    clock.now = 60_000
    log.warn('connection.MALFORMED', 'bad frame again')
    expect(lines.at(-1)).toBe('WARN bad frame again (39995 similar lines suppressed)')
  })

  it('keeps causes apart and reports counts nobody saw on reportSuppressed', () => {
    const { log, lines } = setup()
    for (let i = 0; i < 7; i++) log.error('corrupt:a-0', `a ${i}`)
    for (let i = 0; i < 3; i++) log.error('corrupt:b-0', `b ${i}`)
    expect(lines.filter((l) => l.includes(' a '))).toHaveLength(5)
    expect(lines.filter((l) => l.includes(' b '))).toHaveLength(3)
    log.reportSuppressed()
    expect(lines.at(-1)).toBe("WARN 2 more lines of 'corrupt:a-0' suppressed")
    log.reportSuppressed()
    expect(lines.filter((l) => l.includes('suppressed'))).toHaveLength(1)
  })
})
