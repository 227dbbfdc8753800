// The broker under the faults operators meet: requests that would exhaust it, damaged
// internal topics, foreign folders in the data directory, failing disks, power loss.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Broker } from '../../../core/broker/broker.js'
import { BrookError } from '../../../core/errors.js'
import type { BrookLogger } from '../../../core/logger.js'
import { decodeRecords, encodeRecordBatch, forEachBatch } from '../../../core/protocol/records/record-batch.js'
import { tmpDir } from '../../helpers/tmp.js'

afterEach(() => {
  vi.restoreAllMocks()
})

function capture(): { logger: BrookLogger; lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    logger: {
      info: (m) => lines.push(`INFO ${m}`),
      warn: (m) => lines.push(`WARN ${m}`),
      error: (m, err) => lines.push(`ERROR ${m}${err instanceof Error ? `: ${err.message}` : ''}`),
    },
  }
}

const batch = (values: string[]): Buffer => encodeRecordBatch(values.map((v) => ({ key: null, value: Buffer.from(v), timestamp: 1_000 })))

function values(broker: Broker, topic: string, partition: number): string[] {
  const p = broker.partition(topic, partition)
  const buf = p.read(p.logStartOffset, 1 << 24)
  const out: string[] = []
  forEachBatch(buf, (at) => {
    for (const r of decodeRecords(buf, at)) out.push(r.value!.toString())
  })
  return out
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    if (err instanceof BrookError) return err.code
    throw err
  }
  return 'NONE'
}

/** Folders of the data directory that are partitions of `topic`. */
function partitionDirs(dataDir: string, topic: string): string[] {
  return fs.readdirSync(dataDir).filter((n) => new RegExp(`^${topic}-\\d+$`).test(n))
}

describe('requests that would exhaust the broker are refused before anything is written', () => {
  it('CreateTopics beyond max.partitions.per.request: POLICY_VIOLATION, no metadata record, no folder, not there after a restart', async () => {
    const dataDir = tmpDir()
    let broker = await Broker.open({ dataDir, logger: capture().logger })
    expect(await codeOf(broker.createTopic('bomb', { numPartitions: 25_000 }))).toBe('POLICY_VIOLATION')
    expect(broker.hasTopic('bomb')).toBe(false)
    expect(partitionDirs(dataDir, 'bomb')).toEqual([])
    await broker.close()
    broker = await Broker.open({ dataDir, logger: capture().logger })
    expect(broker.hasTopic('bomb')).toBe(false)
    await broker.close()
  })

  it('CreatePartitions to 2^31-1: refused (no cap before), the topic keeps its partitions', async () => {
    const dataDir = tmpDir()
    const broker = await Broker.open({ dataDir, logger: capture().logger })
    await broker.createTopic('t', { numPartitions: 2 })
    expect(await codeOf(broker.createPartitions('t', 2 ** 31 - 1))).toBe('POLICY_VIOLATION')
    expect(await codeOf(broker.createPartitions('t', 2 ** 31))).toBe('INVALID_PARTITIONS')
    expect(await codeOf(broker.createTopic('u', { numPartitions: 2 ** 31 }))).toBe('INVALID_PARTITIONS')
    expect(broker.describeTopic('t').partitions).toBe(2)
    expect(partitionDirs(dataDir, 't')).toHaveLength(2)
    await broker.close()
  })

  it('max.partitions.per.broker counts every topic; the create that would pass it is refused whole', async () => {
    const dataDir = tmpDir()
    // __consumer_offsets and __transaction_state have 1 partition each.
    const broker = await Broker.open({ dataDir, maxPartitionsPerBroker: 12, logger: capture().logger })
    await broker.createTopic('a', { numPartitions: 6 })
    expect(await codeOf(broker.createTopic('b', { numPartitions: 5 }))).toBe('POLICY_VIOLATION')
    expect(broker.hasTopic('b')).toBe(false)
    expect(await codeOf(broker.createPartitions('a', 11))).toBe('POLICY_VIOLATION')
    await broker.createTopic('b', { numPartitions: 4 })
    expect(await codeOf(broker.createTopic('c'))).toBe('POLICY_VIOLATION')
    await broker.deleteTopic('a')
    await broker.createTopic('c', { numPartitions: 6 })
    await broker.close()
  })

  it('controller_mutation_rate: over the quota gets THROTTLING_QUOTA_EXCEEDED with a throttle time', async () => {
    const dataDir = tmpDir()
    const broker = await Broker.open({ dataDir, controllerMutationRate: 10, logger: capture().logger })
    // As Kafka: a mutation is admitted while the bucket is not in debt, so the request that empties it passes and the next waits.
    await broker.createTopic('a', { numPartitions: 10 })
    await broker.createTopic('b', { numPartitions: 5 })
    let err: unknown
    try {
      await broker.createTopic('c', { numPartitions: 1 })
    } catch (e) {
      err = e
    }
    expect((err as BrookError).code).toBe('THROTTLING_QUOTA_EXCEEDED')
    expect((err as { throttleTimeMs: number }).throttleTimeMs).toBeGreaterThan(0)
    expect(broker.hasTopic('c')).toBe(false)
    await broker.close()
  })

  it('a create that fails while opening partitions (EMFILE) leaves no trace: no record, no folder', async () => {
    const dataDir = tmpDir()
    const { logger, lines } = capture()
    const broker = await Broker.open({ dataDir, logger })
    const open = fs.openSync
    let opened = 0
    vi.spyOn(fs, 'openSync').mockImplementation(((file: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
      if (String(file).includes(`${path.sep}half-`) && String(file).endsWith('.log') && ++opened > 3) {
        throw Object.assign(new Error(`EMFILE: too many open files, open '${String(file)}'`), { code: 'EMFILE' })
      }
      return open(file, flags ?? 'r', mode)
    }) as typeof fs.openSync)
    expect(await codeOf(broker.createTopic('half', { numPartitions: 8 }))).toBe('KAFKA_STORAGE_ERROR')
    vi.restoreAllMocks()
    expect(broker.hasTopic('half')).toBe(false)
    expect(partitionDirs(dataDir, 'half')).toEqual([])
    expect(fs.readdirSync(dataDir).filter((n) => n.startsWith('half-'))).toEqual([])
    expect(lines.some((l) => l.includes('half') && l.includes('undoing'))).toBe(true)
    await broker.close()
    const again = await Broker.open({ dataDir, logger: capture().logger })
    expect(again.hasTopic('half')).toBe(false)
    await again.createTopic('half', { numPartitions: 8 })
    await again.close()
  })

  it('opening thousands of partitions yields to the event loop: other work runs while a create is under way', async () => {
    const dataDir = tmpDir()
    const broker = await Broker.open({ dataDir, logger: capture().logger })
    // Other work (this timer) must get turns while the partitions are being opened, i.e.
    // see some but not all of their folders.
    let sawPartial = 0
    const ticker = setInterval(() => {
      const n = partitionDirs(dataDir, 'many').length
      if (n > 0 && n < 3_000) sawPartial++
    }, 0)
    await broker.createTopic('many', { numPartitions: 3_000 })
    clearInterval(ticker)
    expect(sawPartial).toBeGreaterThan(0)
    expect(partitionDirs(dataDir, 'many')).toHaveLength(3_000)
    await broker.close()
  })
})

describe('the data directory: only marked folders are ever removed', () => {
  it("a user's folder named like a partition (photos-2024/) is never touched", async () => {
    const dataDir = tmpDir()
    fs.mkdirSync(path.join(dataDir, 'photos-2024'))
    fs.writeFileSync(path.join(dataDir, 'photos-2024', 'beach.jpg'), 'jpeg bytes')
    const broker = await Broker.open({ dataDir, logger: capture().logger })
    await broker.close()
    const again = await Broker.open({ dataDir, logger: capture().logger })
    expect(fs.readFileSync(path.join(dataDir, 'photos-2024', 'beach.jpg'), 'utf8')).toBe('jpeg bytes')
    // Nor is it taken over by a topic whose partition would land there.
    expect(await codeOf(again.createTopic('photos', { numPartitions: 2025 }))).toBe('POLICY_VIOLATION')
    expect(fs.readFileSync(path.join(dataDir, 'photos-2024', 'beach.jpg'), 'utf8')).toBe('jpeg bytes')
    expect(again.hasTopic('photos')).toBe(false)
    await again.close()
  })

  it('partition data of an unknown topic is kept (renamed aside, as Kafka does with stray logs) and reported', async () => {
    const dataDir = tmpDir()
    const broker = await Broker.open({ dataDir, logger: capture().logger })
    await broker.createTopic('kept', { numPartitions: 1 })
    await broker.produce('kept', 0, batch(['x', 'y']))
    await broker.close()
    // Copy it under a name no topic has.
    fs.cpSync(path.join(dataDir, 'kept-0'), path.join(dataDir, 'ghost-0'), { recursive: true })
    const { logger, lines } = capture()
    const again = await Broker.open({ dataDir, logger })
    const strays = fs.readdirSync(dataDir).filter((n) => n.startsWith('ghost-0.') && n.endsWith('-stray'))
    expect(strays).toHaveLength(1)
    expect(fs.readdirSync(path.join(dataDir, strays[0]!)).some((f) => f.endsWith('.log'))).toBe(true)
    expect(lines.some((l) => l.startsWith('WARN') && l.includes('ghost-0') && l.includes('unknown topic'))).toBe(true)
    expect(values(again, 'kept', 0)).toEqual(['x', 'y'])
    await again.close()
  })

  it("deleting a topic renames its folders with Kafka's -delete marker first; a marked folder left by a crash is removed at start", async () => {
    const dataDir = tmpDir()
    const { logger, lines } = capture()
    const broker = await Broker.open({ dataDir, logger })
    await broker.createTopic('gone', { numPartitions: 2 })
    const renames: string[] = []
    const rename = fs.renameSync
    vi.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      renames.push(path.basename(String(to)))
      rename(from, to)
    })
    await broker.deleteTopic('gone')
    vi.restoreAllMocks()
    expect(renames.filter((n) => /^gone-\d\.[0-9a-f]{32}-delete$/.test(n))).toHaveLength(2)
    expect(fs.readdirSync(dataDir).filter((n) => n.startsWith('gone-'))).toEqual([])
    expect(lines.filter((l) => l.includes('Deleted') && l.includes('gone-'))).toHaveLength(2)
    await broker.close()
    fs.mkdirSync(path.join(dataDir, `left-0.${'a'.repeat(32)}-delete`))
    const again = await Broker.open({ dataDir, logger: capture().logger })
    expect(fs.existsSync(path.join(dataDir, `left-0.${'a'.repeat(32)}-delete`))).toBe(false)
    await again.close()
  })
})

/** The byte position of `needle` in the only .log file of a partition folder. */
function findInLog(dir: string, needle: string): { file: string; at: number } {
  const file = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => path.join(dir, f))
    .find((f) => fs.readFileSync(f).includes(needle))!
  return { file, at: fs.readFileSync(file).indexOf(needle) }
}

function flipAt(file: string, at: number): void {
  const bytes = fs.readFileSync(file)
  bytes[at]! ^= 0x20
  fs.writeFileSync(file, bytes)
}

describe('damaged internal topics: the broker starts, skips the damaged record with an error line, loses nothing else', () => {
  for (const crash of [false, true]) {
    it(`a flipped byte in a topic record of __cluster_metadata${crash ? ' after a kill -9' : ''}: other topics load, the topic's data is kept, not deleted`, async () => {
      const dataDir = tmpDir()
      const broker = await Broker.open({ dataDir, logger: capture().logger })
      for (const t of ['alpha', 'bravo', 'charlie']) {
        await broker.createTopic(t, { numPartitions: 1 })
        await broker.produce(t, 0, batch([`${t}-1`, `${t}-2`]))
      }
      await broker.close()
      const metaDir = path.join(dataDir, '__cluster_metadata-0')
      const { file, at } = findInLog(metaDir, '"name":"bravo"')
      flipAt(file, at + 3)
      if (crash) fs.rmSync(path.join(metaDir, 'clean-shutdown'))
      const { logger, lines } = capture()
      const again = await Broker.open({ dataDir, logger })
      expect(again.listTopics()).toEqual(['alpha', 'charlie'])
      expect(values(again, 'alpha', 0)).toEqual(['alpha-1', 'alpha-2'])
      expect(values(again, 'charlie', 0)).toEqual(['charlie-1', 'charlie-2'])
      expect(lines.some((l) => l.startsWith('ERROR') && l.includes('__cluster_metadata'))).toBe(true)
      // bravo's data is still on disk, renamed aside and reported.
      const kept = fs.readdirSync(dataDir).filter((n) => n.startsWith('bravo-0.') && n.endsWith('-stray'))
      expect(kept).toHaveLength(1)
      expect(lines.some((l) => l.startsWith('WARN') && l.includes('bravo-0'))).toBe(true)
      await again.close()
    })
  }

  it('a flipped byte in a __consumer_offsets record: the broker starts; only that commit is lost', async () => {
    const dataDir = tmpDir()
    const broker = await Broker.open({ dataDir, logger: capture().logger })
    await broker.createTopic('t', { numPartitions: 1 })
    for (const groupId of ['group-one', 'group-two', 'group-three']) {
      await broker.coordinator.commitOffsets({ groupId, generationId: -1, memberId: '', offsets: [{ topic: 't', partition: 0, offset: 42 }] })
    }
    await broker.close()
    const { file, at } = findInLog(path.join(dataDir, '__consumer_offsets-0'), 'group-two')
    flipAt(file, at + 2)
    const { logger, lines } = capture()
    const again = await Broker.open({ dataDir, logger })
    const committed = async (groupId: string): Promise<number> => (await again.coordinator.fetchOffsets({ groupId })).offsets.find((o) => o.topic === 't')?.offset ?? -1
    expect(await committed('group-one')).toBe(42)
    expect(await committed('group-two')).toBe(-1)
    expect(await committed('group-three')).toBe(42)
    expect(lines.some((l) => l.startsWith('ERROR') && l.includes('__consumer_offsets'))).toBe(true)
    await again.close()
  })
})

describe('offset commits and fsync', () => {
  it('a commit follows the flush policy of __consumer_offsets: no fsync by default, an fsync before it resolves with flush.messages=1', async () => {
    const broker = await Broker.open({ dataDir: tmpDir(), logger: capture().logger })
    await broker.createTopic('t', { numPartitions: 1 })
    const log = broker.topicPartitions('__consumer_offsets')[0]!.log
    const commit = (offset: number): Promise<unknown> => broker.coordinator.commitOffsets({ groupId: 'g', generationId: -1, memberId: '', offsets: [{ topic: 't', partition: 0, offset }] })
    const before = log.stats.fsyncs
    for (let i = 1; i <= 5; i++) await commit(i)
    // As in Kafka (which relies on replication here), the commit is in the log (page cache) when acknowledged: kill -9 keeps it.
    expect(log.stats.fsyncs).toBe(before)
    expect((await broker.coordinator.fetchOffsets({ groupId: 'g' })).offsets.find((o) => o.topic === 't')?.offset).toBe(5)
    await broker.alterTopicConfigs('__consumer_offsets', [{ name: 'flush.messages', op: 'set', value: '1' }])
    const log2 = broker.topicPartitions('__consumer_offsets')[0]!.log
    const synced = log2.stats.fsyncs
    await commit(6)
    expect(log2.stats.fsyncs).toBeGreaterThan(synced)
    await broker.close()
  })
})

describe('storage errors', () => {
  it('ENOSPC on append: KAFKA_STORAGE_ERROR, nothing half-written, appends work again once space returns', async () => {
    const dataDir = tmpDir()
    const { logger, lines } = capture()
    const broker = await Broker.open({ dataDir, logger })
    await broker.createTopic('t', { numPartitions: 1 })
    await broker.produce('t', 0, batch(['before']))
    const write = fs.writeSync
    let full = true
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, buf: NodeJS.ArrayBufferView, ...rest: never[]) => {
      if (full && Buffer.isBuffer(buf) && buf.length > 20) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
      return (write as (...a: unknown[]) => number)(fd, buf, ...rest)
    }) as typeof fs.writeSync)
    expect(await codeOf(broker.produce('t', 0, batch(['lost'])))).toBe('KAFKA_STORAGE_ERROR')
    expect(lines.some((l) => l.startsWith('ERROR') && l.includes('ENOSPC'))).toBe(true)
    full = false
    const res = await broker.produce('t', 0, batch(['after']))
    expect(res.baseOffset).toBe(1)
    expect(values(broker, 't', 0)).toEqual(['before', 'after'])
    await broker.close()
  })

  it('the embedded producer recovers when space returns (its sequence does not run ahead of a batch that did not land)', async () => {
    const { EmbeddedClient } = await import('../../../core/client/embedded/client.js')
    const dataDir = tmpDir()
    const client = await EmbeddedClient.open({ dataDir, logger: capture().logger })
    await client.admin().createTopics([{ topic: 't', numPartitions: 1 }])
    const producer = client.producer({ lingerMs: 0 })
    await producer.send({ topic: 't', value: 'one' })
    const write = fs.writeSync
    let full = true
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, buf: NodeJS.ArrayBufferView, ...rest: never[]) => {
      if (full && Buffer.isBuffer(buf) && buf.length > 20) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
      return (write as (...a: unknown[]) => number)(fd, buf, ...rest)
    }) as typeof fs.writeSync)
    expect(await codeOf(producer.send({ topic: 't', value: 'two' }))).toBe('KAFKA_STORAGE_ERROR')
    full = false
    const meta = await producer.send({ topic: 't', value: 'three' })
    expect(meta.offset).toBe(1)
    await producer.close()
    await client.close()
  })

  it('close() closes every partition even when one fails, and releases the metadata log and the lock', async () => {
    const dataDir = tmpDir()
    const { logger, lines } = capture()
    const broker = await Broker.open({ dataDir, logger })
    await broker.createTopic('a', { numPartitions: 3 })
    for (let p = 0; p < 3; p++) await broker.produce('a', p, batch([`v${p}`]))
    // Partition 1's folder vanishes under it: its checkpoint cannot be written.
    fs.rmSync(path.join(dataDir, 'a-1'), { recursive: true })
    expect(await codeOf(broker.close())).toBe('KAFKA_STORAGE_ERROR')
    expect(lines.some((l) => l.includes('a-1'))).toBe(true)
    expect(fs.existsSync(path.join(dataDir, 'a-2', 'clean-shutdown'))).toBe(true)
    expect(fs.existsSync(path.join(dataDir, '__cluster_metadata-0', 'clean-shutdown'))).toBe(true)
    expect(fs.existsSync(path.join(dataDir, '.lock'))).toBe(false)
    const again = await Broker.open({ dataDir, logger: capture().logger })
    expect(values(again, 'a', 2)).toEqual(['v2'])
    await again.close()
  })
})

describe('open file handles stay within a budget', () => {
  it('with a budget far below the segment count, idle segment files are closed and reopened on use; the broker restarts', async () => {
    const { segmentFiles } = await import('../../../core/log/file-handles.js')
    const before = segmentFiles.budget
    const dataDir = tmpDir()
    const fds = (): number => (fs.existsSync('/proc/self/fd') ? fs.readdirSync('/proc/self/fd').length : 0)
    const baseline = fds()
    try {
      let broker = await Broker.open({ dataDir, maxOpenSegmentFiles: 20, logger: capture().logger })
      await broker.createTopic('wide', { numPartitions: 120, configs: { 'segment.bytes': '300' } })
      for (let round = 0; round < 3; round++) for (let p = 0; p < 120; p++) await broker.produce('wide', p, batch([`r${round}-p${p}`.padEnd(150, '.')]))
      // Rolled segments are fsynced in the background; a file is held open only while its fsync runs.
      for (let p = 0; p < 120; p++) await broker.partition('wide', p).log.flush()
      expect(segmentFiles.size).toBeLessThanOrEqual(20)
      if (baseline > 0) expect(fds() - baseline).toBeLessThan(80)
      for (let p = 0; p < 120; p++) expect(values(broker, 'wide', p)).toEqual([0, 1, 2].map((r) => `r${r}-p${p}`.padEnd(150, '.')))
      await broker.close()
      broker = await Broker.open({ dataDir, maxOpenSegmentFiles: 20, logger: capture().logger })
      expect(segmentFiles.size).toBeLessThanOrEqual(20)
      expect(values(broker, 'wide', 77)).toEqual([0, 1, 2].map((r) => `r${r}-p77`.padEnd(150, '.')))
      await broker.close()
    } finally {
      segmentFiles.budget = before
    }
  })
})

describe('durability of new partitions', () => {
  it('creating a topic fsyncs the data directory holding the new partition folders', async () => {
    const dataDir = tmpDir()
    const broker = await Broker.open({ dataDir, logger: capture().logger })
    const synced: string[] = []
    const fsync = fs.fsyncSync
    vi.spyOn(fs, 'fsyncSync').mockImplementation((fd) => {
      try {
        synced.push(fs.readlinkSync(`/proc/self/fd/${fd}`))
      } catch {
        // not Linux: nothing to learn
      }
      fsync(fd)
    })
    await broker.createTopic('durable', { numPartitions: 2 })
    vi.restoreAllMocks()
    if (!fs.existsSync('/proc/self/fd')) return
    expect(synced).toContain(fs.realpathSync(dataDir))
    await broker.close()
  })
})
