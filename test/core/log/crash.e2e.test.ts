// Kills a writer process with SIGKILL at random moments and checks that every
// acknowledged batch survives, in order and intact, and that reading the whole recovered
// log never returns a corrupt batch. SIGKILL cannot tell an fsynced batch from one in the
// page cache, so the writer also observes its fdatasync calls and each acknowledgement
// must follow an fdatasync that began after that batch's append.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { Log } from '../../../core/log/log.js'
import { parseLogConfig } from '../../../core/log/log-config.js'
import { crc32c } from '../../../core/protocol/records/crc32c.js'
import { crashRecordCount, crashValue } from '../../fixtures/log/crash-values.js'
import { readAll, removeDir, tempDir } from './helpers.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const writer = path.join(root, 'test/fixtures/log/crash-writer.ts')

interface Ack {
  base: number
  last: number
  seq: number
  sum: number
  /** An fdatasync begun after the append had completed before the acknowledgement. */
  synced: boolean
}

function runAndKill(dir: string, startSeq: number, delayMs: number, mode: string): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, String(startSeq), mode], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const acks: Ack[] = []
    let buffered = ''
    let stderr = ''
    let timer: NodeJS.Timeout | undefined
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk
      let nl: number
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        const parts = line.split(' ')
        if (parts[0] === 'open' && timer === undefined) timer = setTimeout(() => child.kill('SIGKILL'), delayMs)
        if (parts[0] === 'ack') acks.push({ base: +parts[1]!, last: +parts[2]!, seq: +parts[3]!, sum: +parts[4]!, synced: parts[5] === 'synced' })
      }
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000)
    child.on('exit', (_code, signal) => {
      clearTimeout(guard)
      if (timer) clearTimeout(timer)
      if (signal !== 'SIGKILL') reject(new Error(`writer exited unexpectedly: ${stderr}`))
      else resolve(acks) // a partial last line was never acknowledged
    })
  })
}

async function crashLoop(mode: 'plain' | 'compact', rounds: number, budgetMs: number): Promise<void> {
  const dir = tempDir('brook-crash-')
  const overrides: Record<string, string> = { 'flush.messages': '1', 'segment.bytes': '65536', 'index.interval.bytes': '512' }
  if (mode === 'compact') Object.assign(overrides, { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0' })
  const cfg = parseLogConfig(overrides)
  try {
    const acked: Ack[] = []
    let nextSeq = 0
    const started = Date.now()
    let iterations = 0
    for (let i = 0; i < rounds && Date.now() - started < budgetMs; i++) {
      iterations++
      const acks = await runAndKill(dir, nextSeq, 50 + Math.floor(Math.random() * 350), mode)
      for (const a of acks) expect(a.synced, `batch seq ${a.seq} acknowledged before an fdatasync covering it`).toBe(true)
      acked.push(...acks)
      const log = Log.open(dir, cfg)
      // Reading everything verifies each batch's CRC; corrupt data would throw.
      const all = readAll(log)
      const recs = all.filter((r) => r.key !== 'churn')
      if (mode === 'plain') {
        expect(all.map((r) => r.offset)).toEqual([...Array(log.logEndOffset).keys()])
      } else {
        // Compaction leaves gaps; offsets still strictly increase.
        all.forEach((r, k) => k > 0 && expect(r.offset).toBeGreaterThan(all[k - 1]!.offset))
        if (all.length > 0) expect(all.at(-1)!.offset).toBeLessThan(log.logEndOffset)
      }
      const byOffset = new Map(recs.map((r) => [r.offset, r]))
      for (const a of acked) {
        const values: Buffer[] = []
        for (let o = a.base; o <= a.last; o++) {
          const r = byOffset.get(o)
          expect(r, `acknowledged offset ${o} (seq ${a.seq}) missing`).toBeDefined()
          values.push(Buffer.from(r!.value!))
        }
        expect(values.length).toBe(crashRecordCount(a.seq))
        values.forEach((v, j) => expect(v.equals(crashValue(a.seq, j))).toBe(true))
        expect(crc32c(Buffer.concat(values))).toBe(a.sum)
      }
      // Continue after the highest batch sequence in the log (acknowledged or not).
      const last = recs.at(-1)
      if (last !== undefined) nextSeq = Number(/^seq(\d+)-/.exec(last.value!)![1]) + 1
      // Alternate clean and unclean hand-over to the next writer.
      if (i % 2 === 0) log.close()
      else log.closeUnclean()
    }
    console.log(`crash test (${mode}): ${iterations} kills, ${acked.length} acknowledged batches`)
    expect(iterations).toBeGreaterThanOrEqual(5)
    expect(acked.length).toBeGreaterThan(0)
  } finally {
    removeDir(dir)
  }
}

describe('crash safety', () => {
  it('the fdatasync observation catches acknowledgements that do not wait for the sync', async () => {
    const dir = tempDir('brook-crash-early-')
    try {
      const acks = await runAndKill(dir, 0, 300, 'ack-early')
      expect(acks.length).toBeGreaterThan(0)
      expect(acks.some((a) => !a.synced)).toBe(true)
    } finally {
      removeDir(dir)
    }
  }, 60_000)

  it('keeps every acknowledged batch across SIGKILLs', async () => {
    await crashLoop('plain', 15, 40_000)
  }, 120_000)

  it('keeps every acknowledged batch when kills land inside compactions', async () => {
    await crashLoop('compact', 8, 25_000)
  }, 120_000)
})
