// Recovery at open says what it did (issue: long work is silent): one line per recovered log.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Log } from '../../../core/log/log.js'
import { RateLimitedLogger } from '../../../core/logger.js'
import { batch, config, removeDir, tempDir } from './helpers.js'

const dirs: string[] = []
const capture = (lines: string[]): RateLimitedLogger =>
  new RateLimitedLogger({ info: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l) })
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d)
})

describe('Log recovery logging', () => {
  it('logs the recovered segments and the truncated bytes after an unclean stop, nothing after a clean one', () => {
    const d = tempDir('brook-recovery-log-')
    dirs.push(d)
    const cfg = config({ 'segment.bytes': '2000', 'index.interval.bytes': '100' })
    const log = Log.open(d, cfg, { name: 'orders-0' })
    for (let i = 0; i < 20; i++) log.append(batch(2, `v${i}`, { valueSize: 30 }))
    log.closeUnclean()
    const last = fs.readdirSync(d).filter((f) => f.endsWith('.log')).sort().at(-1)!
    fs.truncateSync(path.join(d, last), fs.statSync(path.join(d, last)).size - 10)
    const lines: string[] = []
    const again = Log.open(d, cfg, { name: 'orders-0', logger: capture(lines) })
    expect(lines).toContainEqual(
      expect.stringContaining(
        `orders-0: recovered ${again.stats.recoveredSegments} segment(s) after an unclean shutdown, truncated ${again.stats.truncatedBytes} byte(s) after a torn or corrupt batch`,
      ),
    )
    expect(again.stats.truncatedBytes).toBeGreaterThan(0)
    again.close()
    const quiet: string[] = []
    Log.open(d, cfg, { name: 'orders-0', logger: capture(quiet) }).close()
    expect(quiet).toEqual([])
  })
})
