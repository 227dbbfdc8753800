// Recovery at open says what it did (issue: long work is silent): one line per recovered log.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Log } from '../../../core/log/log.js'
import { batch, config, removeDir, tempDir } from './helpers.js'

const dirs: string[] = []
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
    const again = Log.open(d, cfg, { name: 'orders-0', logger: (l) => lines.push(l) })
    expect(lines).toEqual([
      `[brook] orders-0: recovered ${again.stats.recoveredSegments} segment(s) after an unclean shutdown, truncated ${again.stats.truncatedBytes} byte(s) after a torn or corrupt batch`,
    ])
    expect(again.stats.truncatedBytes).toBeGreaterThan(0)
    again.close()
    const quiet: string[] = []
    Log.open(d, cfg, { name: 'orders-0', logger: (l) => quiet.push(l) }).close()
    expect(quiet).toEqual([])
  })
})
