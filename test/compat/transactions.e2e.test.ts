// Real clients use transactions on Brook unchanged: the Apache Kafka Java client
// (transactional producer, read_committed consumer, consume-transform-produce with
// sendOffsetsToTransaction) and franz-go (transactional producer, read_committed
// consumer, GroupTransactSession). What they wrote is checked with Brook's own client.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import type { ConsumerRecord, IsolationLevel } from '../../core/client/types.js'
import { describeWithTools, lastJson, programCommand, readRecordFile, recordValue, run, startBrook, type BrookUnderTest } from './helpers.js'

const COUNT = 3000
const TXN_SIZE = 500
const ABORT_EVERY = 3
/** Transactions are numbered from 1; every third is aborted. */
const committedIndex = (i: number): boolean => (Math.floor(i / TXN_SIZE) + 1) % ABORT_EVERY !== 0

for (const name of ['java', 'franz-go'] as const) {
  describeWithTools(`${name} transactions against Brook`, [name], () => {
    const { cmd, args } = programCommand(name)
    let brook: BrookUnderTest | undefined
    let client: EmbeddedClient
    const run_ = (...rest: string[]) => run(cmd, [...args, ...rest], { timeoutMs: 120_000 })

    beforeAll(async () => {
      brook = await startBrook()
      client = new EmbeddedClient(brook.broker)
      await brook.broker.createTopic('in', { numPartitions: 3 })
      await brook.broker.createTopic('out', { numPartitions: 3 })
    })
    afterAll(async () => {
      await client?.close()
      await brook?.close()
    })

    async function readAll(topic: string, isolationLevel: IsolationLevel): Promise<ConsumerRecord[]> {
      const c = client.consumer({ isolationLevel, autoOffsetReset: 'earliest', enableAutoCommit: false })
      const tps = [0, 1, 2].map((partition) => ({ topic, partition }))
      c.assign(tps)
      const ends = await c.endOffsets(tps)
      const out: ConsumerRecord[] = []
      const deadline = Date.now() + 30_000
      for (;;) {
        let done = true
        for (const e of ends) if ((await c.position(e)) < e.offset) done = false
        if (done || Date.now() > deadline) break
        out.push(...(await c.poll(200)))
      }
      await c.close()
      return out
    }

    const expectedValues = Array.from({ length: COUNT }, (_, i) => i)
      .filter(committedIndex)
      .map((i) => recordValue('t', i))
      .sort()

    it('a transactional producer commits and aborts; read_committed consumers (Brook and the client) see the committed records only', async () => {
      const bootstrap = brook!.bootstrap
      const produced = lastJson((await run_('txn-produce', '--bootstrap', bootstrap, '--topic', 'in', '--count', String(COUNT), '--txn-id', `${name}-p`, '--txn-size', String(TXN_SIZE), '--abort-every', String(ABORT_EVERY))).stdout)
      expect(produced).toEqual({ committed: expectedValues.length, aborted: COUNT - expectedValues.length })

      expect((await readAll('in', 'read_committed')).map((r) => r.value!.toString()).sort()).toEqual(expectedValues)
      // read_uncommitted also sees what aborted transactions had sent before their abort (clients may drop unsent ones).
      const all = new Set(Array.from({ length: COUNT }, (_, i) => recordValue('t', i)))
      const raw = (await readAll('in', 'read_uncommitted')).map((r) => r.value!.toString())
      expect(raw.length).toBeGreaterThanOrEqual(expectedValues.length)
      expect(raw.every((v) => all.has(v))).toBe(true)

      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-txn-compat-'))
      try {
        const out = path.join(dir, 'records.tsv')
        await run_('consume', '--bootstrap', bootstrap, '--topic', 'in', '--group', `${name}-rc`, '--count', String(expectedValues.length), '--out', out, '--isolation', 'read_committed', '--timeout-ms', '60000')
        expect(readRecordFile(out).map((r) => r.value).sort()).toEqual(expectedValues)
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }, 180_000)

    it('consume-transform-produce copies every committed record exactly once and commits the input offsets in the transactions', async () => {
      const bootstrap = brook!.bootstrap
      const group = `${name}-copy`
      const copied = lastJson((await run_('txn-copy', '--bootstrap', bootstrap, '--input', 'in', '--output', 'out', '--group', group, '--txn-id', `${name}-c`, '--count', String(expectedValues.length), '--timeout-ms', '90000')).stdout)
      expect(copied.copied).toBe(expectedValues.length)

      expect((await readAll('out', 'read_committed')).map((r) => r.value!.toString()).sort()).toEqual(expectedValues.map((v) => `c|${v}`).sort())
      // Each input partition is committed just past its last committed record.
      const next = new Map<number, number>()
      for (const r of await readAll('in', 'read_committed')) next.set(r.partition, Math.max(next.get(r.partition) ?? 0, r.offset + 1))
      const admin = client.admin()
      const offsets = await admin.listGroupOffsets(group)
      expect(offsets.map((o) => [o.partition, o.committedOffset]).sort()).toEqual([...next].sort())
      await admin.close()
    }, 180_000)
  })
}
