// A really full disk: the broker's data directory on a 4 MB tmpfs. Producers over the
// wire and embedded get KAFKA_STORAGE_ERROR (the connection stays), and both carry on
// once space returns, with nothing lost or doubled. Needs root to mount tmpfs; the same
// path is covered with an injected ENOSPC in reliability.test.ts everywhere.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Broker } from '../../../core/broker/broker.js'
import { EmbeddedProducer } from '../../../core/client/embedded/producer.js'
import { Cluster } from '../../../core/client/kafka/cluster.js'
import { KafkaProducer } from '../../../core/client/kafka/producer.js'
import { BrookError } from '../../../core/errors.js'
import type { BrookLogger } from '../../../core/logger.js'
import { decodeRecords, forEachBatch } from '../../../core/protocol/records/record-batch.js'
import { startServer } from '../../../core/server/server.js'

let mountPoint: string | null = null
let skipReason: string | null = null

beforeAll(() => {
  const dir = fs.mkdtempSync('/tmp/brook-tmpfs-')
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'pipe' })
    mountPoint = dir
  } catch (err) {
    fs.rmdirSync(dir)
    skipReason = `cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]}); the injected-ENOSPC tests in reliability.test.ts cover this path`
  }
})

afterAll(() => {
  if (mountPoint === null) return
  execFileSync('umount', ['-l', mountPoint], { stdio: 'pipe' })
  fs.rmdirSync(mountPoint)
})

function values(broker: Broker, topic: string): string[] {
  const p = broker.partition(topic, 0)
  const buf = p.read(p.logStartOffset, 1 << 24)
  const out: string[] = []
  forEachBatch(buf, (at) => {
    for (const r of decodeRecords(buf, at)) out.push(r.value!.toString())
  })
  return out
}

/** Fills the file system with one file until ENOSPC. */
function fillUp(file: string): void {
  const fd = fs.openSync(file, 'w')
  const chunk = Buffer.alloc(64 * 1024, 1)
  try {
    for (;;) fs.writeSync(fd, chunk)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
  }
  const small = Buffer.alloc(512, 1)
  try {
    for (;;) fs.writeSync(fd, small)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
  } finally {
    fs.closeSync(fd)
  }
}

describe('disk full on a real file system (tmpfs)', () => {
  it('KAFKA_STORAGE_ERROR with the connection kept; wire and embedded producers recover when space returns', async (ctx) => {
    if (mountPoint === null) {
      console.warn(`skipped: ${skipReason}`)
      ctx.skip()
      return
    }
    const lines: string[] = []
    const logger: BrookLogger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) }
    const dataDir = path.join(mountPoint, 'data')
    const broker = await Broker.open({ dataDir, logger })
    await broker.createTopic('wire', { numPartitions: 1 })
    await broker.createTopic('embedded', { numPartitions: 1 })
    const server = await startServer(broker, { port: 0, logger })
    const cluster = new Cluster({ bootstrapServers: `127.0.0.1:${server.port}` })
    const wire = new KafkaProducer(cluster, { lingerMs: 0 }, { deliveryTimeoutMs: 1_500 })
    const embedded = new EmbeddedProducer(broker, { lingerMs: 0 })
    const big = 'x'.repeat(64_000)
    await wire.send({ topic: 'wire', value: 'w-before' })
    await embedded.send({ topic: 'embedded', value: 'e-before' })
    const connections = server.connectionCount

    const filler = path.join(mountPoint, 'filler')
    fillUp(filler)
    const codeOf = async (p: Promise<unknown>): Promise<string> => {
      try {
        await p
        return 'NONE'
      } catch (err) {
        return err instanceof BrookError ? err.code : String(err)
      }
    }
    expect(await codeOf(wire.send({ topic: 'wire', value: `w-full-${big}` }))).toBe('KAFKA_STORAGE_ERROR')
    expect(await codeOf(embedded.send({ topic: 'embedded', value: `e-full-${big}` }))).toBe('KAFKA_STORAGE_ERROR')
    // The connection was kept: no reconnect, no 'Closing connection' line.
    expect(server.connectionCount).toBe(connections)
    expect(lines.filter((l) => l.includes('Closing connection'))).toEqual([])
    expect(lines.some((l) => l.includes('ENOSPC'))).toBe(true)

    fs.rmSync(filler)
    await wire.send({ topic: 'wire', value: 'w-after' })
    await embedded.send({ topic: 'embedded', value: 'e-after' })
    expect(values(broker, 'wire')).toEqual(['w-before', 'w-after'])
    expect(values(broker, 'embedded')).toEqual(['e-before', 'e-after'])
    await wire.close()
    await embedded.close()
    await cluster.close()
    await server.close()
    await broker.close()
    // And it starts again from what is on the small disk.
    const again = await Broker.open({ dataDir, logger })
    expect(values(again, 'wire')).toEqual(['w-before', 'w-after'])
    await again.close()
  })
})
