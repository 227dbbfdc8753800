import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { Broker } from '../../core/broker/broker.js'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { startServer } from '../../core/server/server.js'
import { alterTopic, createTopic, describeTopic, listTopics } from '../../cli/commands/topics.js'
import { produceLines } from '../../cli/commands/produce.js'
import { consumeRecords } from '../../cli/commands/consume.js'
import { deleteGroup, describeGroup, listGroups, resetGroupOffsets } from '../../cli/commands/groups.js'
import { compileFormat, decode } from '../../cli/bytes.js'
import { connectBootstrap, withClient } from '../../cli/context.js'
import { ensureTopicForProduce } from '../../cli/topic-check.js'
import { Progress } from '../../cli/progress.js'
import type { BrookClient, ConsumerRecord } from '../../core/client/types.js'
import { tmpDir } from '../helpers/tmp.js'
import { runCli } from '../helpers/cli.js'

async function consumeAll(client: BrookClient, topic: string, opts: Parameters<typeof consumeRecords>[2]): Promise<Buffer> {
  const out: Buffer[] = []
  await consumeRecords(client, topic, { fromBeginning: true, idleTimeout: 300, ...opts }, (b) => out.push(b))
  return Buffer.concat(out)
}

const run = runCli

const record = (key: Buffer | null, value: Buffer | null): ConsumerRecord => ({ topic: 't', partition: 1, offset: 7, timestamp: 1000, timestampType: 0 as ConsumerRecord['timestampType'], key, value, headers: [] })

afterEach(() => {
  process.exitCode = undefined
})

describe('brook CLI commands', () => {
  it('creates, produces, consumes in a group and reports lag', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    expect(await createTopic(client, 'orders', { partitions: 2, config: ['retention.ms=60000'] })).toBe('Created topic orders with 2 partition(s)')
    expect(await listTopics(client)).toBe('orders')
    const r = await produceLines(client, 'orders', Readable.from(['a:1\nb:2\n', 'c:3\nnokey\n']), { keySeparator: ':' })
    expect(r).toEqual({ produced: 4, interrupted: false })
    const first = await consumeAll(client, 'orders', { group: 'g', maxMessages: 3, format: '%k=%s\\n' })
    const rest = await consumeAll(client, 'orders', { group: 'g', maxMessages: 1, format: '%k=%s\\n' })
    expect((first.toString() + rest.toString()).trim().split('\n').sort()).toEqual(['=nokey', 'a=1', 'b=2', 'c=3'])
    const described = await describeTopic(client, 'orders')
    expect(described).toMatch(/PartitionCount: 2/)
    expect(described).toMatch(/retention.ms=60000/)
    expect(await alterTopic(client, 'orders', { partitions: 3 })).toMatch(/partitions=3/)
    expect(await listGroups(client)).toMatch(/^g\t/)
    expect(await describeGroup(client, 'g')).toMatch(/orders\t\d\t\d+\t\d+\t0/)
    await client.close()
  })
})

describe('item 5: records are bytes', () => {
  it('splits on \\n only and keeps \\r, invalid UTF-8 and NUL bytes, in and out', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await createTopic(client, 'bin', {})
    const input = Buffer.from([0x61, 0x0d, 0x0a, 0x62, 0xff, 0x00, 0x63, 0x0d, 0x64, 0x0a, 0x0a, 0xc3, 0x28])
    // Split the input mid-record across chunks, as a pipe may.
    expect((await produceLines(client, 'bin', Readable.from([input.subarray(0, 5), input.subarray(5)]), {})).produced).toBe(4)
    expect(await consumeAll(client, 'bin', {})).toEqual(Buffer.concat([input, Buffer.from('\n')]))
    await client.close()
  })

  it('splits on --delimiter (kcat -D) and on a byte key separator', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await createTopic(client, 'nul', {})
    const r = await produceLines(client, 'nul', Readable.from([Buffer.from('k1|line one\nstill one\0k2|two\0')]), { delimiter: '\\0', keySeparator: '|' })
    expect(r.produced).toBe(2)
    expect((await consumeAll(client, 'nul', { format: '[%k][%s]' })).toString()).toBe('[k1][line one\nstill one][k2][two]')
    await client.close()
  })
})

describe('item 6: --format is written as given', () => {
  it('adds no newline of its own; the default is %s\\n', () => {
    expect(compileFormat('%s\\n')(record(null, Buffer.from('v'))).toString()).toBe('v\n')
    expect(compileFormat('%k=%s (p%p@%o, %T)\\n')(record(Buffer.from('k'), Buffer.from('v'))).toString()).toBe('k=v (p1@7, 1000)\n')
    expect(compileFormat('%s|%K|%S')(record(null, Buffer.from('abc'))).toString()).toBe('abc|-1|3')
  })

  it('through the command: one line per record with the README format', async () => {
    const dataDir = tmpDir()
    expect((await run(['topics', 'create', 'f', '--data-dir', dataDir])).code).toBe(0)
    await withClient({ dataDir }, (c) => produceLines(c, 'f', Readable.from(['k1:hello\nk2:world\n']), { keySeparator: ':' }))
    const r = await run(['consume', 'f', '--from-beginning', '--max-messages', '2', '--format', '%k=%s\\n', '--data-dir', dataDir])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('k1=hello\nk2=world\n')
  })
})

describe('item 7: a record too large stops produce cleanly', () => {
  it('keeps and reports the records before it, sends nothing after it', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await createTopic(client, 'small', { config: ['max.message.bytes=1000'] })
    const input = `good\n${'x'.repeat(3000)}\nafter\n`
    const r = await produceLines(client, 'small', Readable.from([input]), {})
    expect(r.produced).toBe(1)
    expect(r.error?.message).toMatch(/record 2 is 3000 bytes.*max\.message\.bytes=1000/)
    expect((await consumeAll(client, 'small', {})).toString()).toBe('good\n')
    await client.close()
  })

  it('stops reading on abort (Ctrl-C) and reports what was acknowledged', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await createTopic(client, 'cut', {})
    const ac = new AbortController()
    async function* lines(): AsyncGenerator<Buffer> {
      yield Buffer.from('one\ntwo\n')
      ac.abort()
      yield Buffer.from('three\n')
      await new Promise(() => {}) // stdin that never ends
    }
    const r = await produceLines(client, 'cut', Readable.from(lines()), {}, ac.signal)
    expect(r.interrupted).toBe(true)
    expect((await consumeAll(client, 'cut', {})).toString().split('\n').filter(Boolean).length).toBe(r.produced)
    await client.close()
  })
})

describe('item 8: missing topics and partitions', () => {
  it('consume of a missing topic or partition errors, embedded and over --bootstrap', async () => {
    const dataDir = tmpDir()
    const broker = await Broker.open({ dataDir })
    const server = await startServer(broker, { port: 0, logger: { info: () => {}, warn: () => {}, error: () => {} } })
    try {
      await broker.createTopic('there', { numPartitions: 3 })
      const remote = { dataDir: '/unused', bootstrap: `127.0.0.1:${server.port}` }
      await expect(withClient(remote, (c) => consumeRecords(c, 'nope', { group: 'g' }, () => {}))).rejects.toThrow(/topic 'nope' does not exist/)
      await expect(withClient(remote, (c) => consumeRecords(c, 'there', { partition: 99 }, () => {}))).rejects.toThrow(/partition 99 does not exist: topic 'there' has partitions 0 to 2/)
      const local = new EmbeddedClient(broker, false)
      await expect(consumeRecords(local, 'nope', { group: 'g' }, () => {})).rejects.toThrow(/topic 'nope' does not exist/)
      await expect(consumeRecords(local, 'there', { partition: 99 }, () => {})).rejects.toThrow(/partition 99 does not exist/)
    } finally {
      await server.close()
      await broker.close()
    }
  })

  it('produce to a missing topic follows auto.create.topics.enable and says when it created one', async () => {
    const off = await EmbeddedClient.open({ dataDir: tmpDir(), autoCreateTopicsEnable: false })
    await expect(ensureTopicForProduce(off, { dataDir: '' }, 'ordrs')).rejects.toThrow(/topic 'ordrs' does not exist.*auto\.create\.topics\.enable=false/)
    expect(off.broker.hasTopic('ordrs')).toBe(false)
    await off.close()
    const on = await EmbeddedClient.open({ dataDir: tmpDir() })
    expect(await ensureTopicForProduce(on, { dataDir: '' }, 'ordrs')).toMatch(/^Created topic ordrs with 1 partition\(s\)/)
    expect(await ensureTopicForProduce(on, { dataDir: '' }, 'ordrs')).toBeNull()
    await on.close()

    const broker = await Broker.open({ dataDir: tmpDir(), autoCreateTopicsEnable: false })
    const server = await startServer(broker, { port: 0, logger: { info: () => {}, warn: () => {}, error: () => {} } })
    try {
      const remote = { dataDir: '/unused', bootstrap: `127.0.0.1:${server.port}` }
      await expect(withClient(remote, (c) => ensureTopicForProduce(c, remote, 'ordrs'))).rejects.toThrow(/does not exist/)
      expect(broker.hasTopic('ordrs')).toBe(false)
    } finally {
      await server.close()
      await broker.close()
    }
  })

  it('the command line takes --broker-config for the embedded broker', async () => {
    const dataDir = tmpDir()
    const r = await run(['consume', 'x', '--data-dir', dataDir, '--broker-config', 'auto.create.topics.enable=maybe'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe("brook: error: --broker-config auto.create.topics.enable must be true or false, got 'maybe'\n")
  })
})

describe('item 9: --bootstrap fails fast and says what it tried', () => {
  it('gives up after the connect timeout naming the address and the option', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port
        s.close(() => resolve(port))
      })
    })
    const shown: string[] = []
    const err = await connectBootstrap(`127.0.0.1:${closed}`, 300, (t) => shown.push(t)).catch((e: unknown) => e as Error)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toMatch(new RegExp(`no Kafka broker answered at 127\\.0\\.0\\.1:${closed} within 300 ms .*--connect-timeout`))
    expect(shown[0]).toBe(`Connecting to 127.0.0.1:${closed} (up to 300 ms)...`)
  })
})

describe('item 10: smaller edges', () => {
  it('--data-dir before the subcommand is Brook\'s option', async () => {
    const dataDir = tmpDir()
    expect((await run(['--data-dir', dataDir, 'topics', 'create', 'early'])).code).toBe(0)
    const listed = await run(['--data-dir', dataDir, 'topics', 'list'])
    expect(listed).toEqual({ code: 0, stdout: 'early\n', stderr: '' })
  })

  it('bare brook and bare brook topics both print help and exit 0; unknown words exit 1 in one line', async () => {
    const bare = await run([])
    expect(bare.code).toBe(0)
    expect(bare.stdout).toMatch(/^Usage: brook/)
    const topics = await run(['topics'])
    expect(topics.code).toBe(0)
    expect(topics.stdout).toMatch(/^Usage: brook topics/)
    const unknown = await run(['topics', 'lst'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toBe("brook: error: unknown command 'lst' for 'brook topics' (see brook topics --help)\n")
    const badOption = await run(['topics', 'list', '--bogus'])
    expect(badOption.code).toBe(1)
    expect(badOption.stderr).toBe("brook: error: unknown option '--bogus'\n")
  })

  it('--acks is validated with a clear message', async () => {
    const r = await run(['produce', 't', '--acks', 'foo', '--data-dir', tmpDir()])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe("brook: error: --acks must be 0, 1, -1 or all, got 'foo'\n")
  })

  it('max.message.bytes=0 is rejected when the topic is created', async () => {
    const r = await run(['topics', 'create', 'z', '--config', 'max.message.bytes=0', '--data-dir', tmpDir()])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^brook: error: .*max\.message\.bytes.*\n$/)
  })

  it('groups describe leaves out deleted topics and shows no made-up generation over the wire', async () => {
    const broker = await Broker.open({ dataDir: tmpDir() })
    const server = await startServer(broker, { port: 0, logger: { info: () => {}, warn: () => {}, error: () => {} } })
    try {
      const local = new EmbeddedClient(broker, false)
      for (const t of ['keep', 'gone']) {
        await createTopic(local, t, {})
        await produceLines(local, t, Readable.from(['a\nb\n']), {})
        await consumeAll(local, t, { group: 'g', maxMessages: 2 })
      }
      await local.admin().deleteTopics(['gone'])
      const embedded = await describeGroup(local, 'g')
      expect(embedded).toMatch(/^keep\t0\t2\t2\t0/m)
      expect(embedded).not.toMatch(/gone/)
      expect(embedded).toMatch(/Generation: \d+/)
      const remote = await withClient({ dataDir: '/unused', bootstrap: `127.0.0.1:${server.port}` }, (c) => describeGroup(c, 'g'))
      expect(remote).not.toMatch(/gone/)
      expect(remote).toMatch(/Generation: -\t/)
    } finally {
      await server.close()
      await broker.close()
    }
  })

  it('groups delete removes an empty group and refuses an active one', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await createTopic(client, 't', {})
    await produceLines(client, 't', Readable.from(['a\n']), {})
    await consumeAll(client, 't', { group: 'g', maxMessages: 1 })
    const active = client.consumer({ groupId: 'busy' })
    active.subscribe(['t'])
    await active.poll(100)
    await expect(deleteGroup(client, 'busy')).rejects.toThrow(/group 'busy' is not empty/)
    await active.close()
    expect(await deleteGroup(client, 'g')).toBe('Deleted group g')
    expect(await listGroups(client)).not.toMatch(/^g\t/m)
    await expect(deleteGroup(client, 'never')).rejects.toThrow(/does not exist/)
    await client.close()
  })

  it('groups reset-offsets: a dry run by default, each scenario clamped to the log, --execute writes', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await createTopic(client, 't', { partitions: 2 })
    await produceLines(client, 't', Readable.from(['a\nb\nc\nd\ne\nf\n']), { partition: 0 })
    await consumeAll(client, 't', { group: 'g', partition: 0, maxMessages: 4 })
    const committed = async (): Promise<number | null> => (await client.admin().listGroupOffsets('g')).find((o) => o.topic === 't' && o.partition === 0)!.committedOffset
    expect(await committed()).toBe(4)
    const dry = await resetGroupOffsets(client, 'g', { topic: ['t:0'], toEarliest: true })
    expect(dry).toBe('GROUP\tTOPIC\tPARTITION\tNEW-OFFSET\ng\tt\t0\t0\nDry run: nothing was changed; add --execute to reset these offsets.')
    expect(await committed()).toBe(4)
    expect(await resetGroupOffsets(client, 'g', { topic: ['t:0'], shiftBy: -3, execute: true })).toBe('GROUP\tTOPIC\tPARTITION\tNEW-OFFSET\ng\tt\t0\t1')
    expect(await committed()).toBe(1)
    expect(await resetGroupOffsets(client, 'g', { topic: ['t:0'], shiftBy: 100, execute: true })).toMatch(/\tt\t0\t6$/)
    expect(await resetGroupOffsets(client, 'g', { allTopics: true, toOffset: 2, execute: true })).toMatch(/\tt\t0\t2$/)
    expect(await resetGroupOffsets(client, 'g', { topic: ['t:0'], toLatest: true, execute: true })).toMatch(/\tt\t0\t6$/)
    expect(await resetGroupOffsets(client, 'g', { topic: ['t:0'], toDatetime: '2000-01-01T00:00:00Z', execute: true })).toMatch(/\tt\t0\t0$/)
    expect(await committed()).toBe(0)
    await expect(resetGroupOffsets(client, 'g', { topic: ['t:0'] })).rejects.toThrow(/exactly one of/)
    await expect(resetGroupOffsets(client, 'g', { toEarliest: true })).rejects.toThrow(/--all-topics/)
    await expect(resetGroupOffsets(client, 'g', { topic: ['t:9'], toEarliest: true })).rejects.toThrow(/partition 9 does not exist/)
    const active = client.consumer({ groupId: 'g' })
    active.subscribe(['t'])
    await active.poll(100)
    await expect(resetGroupOffsets(client, 'g', { topic: ['t'], toEarliest: true, execute: true })).rejects.toThrow(/only be reset while group 'g' is inactive/)
    await active.close()
    await client.close()
  })

  it('consume decodes keys and values as Kafka serializers wrote them', () => {
    const long = Buffer.alloc(8)
    long.writeBigInt64BE(-1234567890123n)
    expect(decode(long, 'long', 'value').toString()).toBe('-1234567890123')
    const int = Buffer.alloc(4)
    int.writeInt32BE(42)
    expect(decode(int, 'int', 'key').toString()).toBe('42')
    const dbl = Buffer.alloc(8)
    dbl.writeDoubleBE(2.5)
    expect(decode(dbl, 'double', 'value').toString()).toBe('2.5')
    expect(decode(Buffer.from('{ "a" : [1, 2] }'), 'json', 'value').toString()).toBe('{"a":[1,2]}')
    expect(decode(Buffer.from([0, 255]), 'hex', 'value').toString()).toBe('00ff')
    expect(decode(Buffer.from([0, 255]), 'base64', 'value').toString()).toBe('AP8=')
    expect(() => decode(Buffer.from('abc'), 'long', 'value')).toThrow(/value is 3 bytes, not a 8-byte long/)
    expect(() => decode(Buffer.from('nope'), 'json', 'value')).toThrow(/value is not JSON/)
    expect(compileFormat('%k:%s', 'int', 'long')(record(int, long)).toString()).toBe('42:-1234567890123')
  })
})

describe('item 11: progress only on a terminal', () => {
  it('rewrites one status line on a TTY at most every interval, and writes nothing when piped', () => {
    let t = 0
    const tty = { isTTY: true, text: '', write(s: string) { this.text += s } }
    const p = new Progress(tty, 'Produced', 'record(s)', () => t, 500)
    p.update(10)
    t = 600
    p.update(1_500_000)
    t = 700
    p.update(1_600_000)
    p.clear()
    expect(tty.text).toBe('\r\x1b[2KProduced 1,500,000 record(s)...\r\x1b[2K')
    const piped = { isTTY: false, text: '', write(s: string) { this.text += s } }
    const q = new Progress(piped, 'Produced', 'record(s)', () => (t += 1000), 500)
    q.update(1)
    q.update(2)
    q.clear()
    expect(piped.text).toBe('')
  })

  it('the data directory lock is released when a command fails', async () => {
    const dataDir = tmpDir()
    expect((await run(['topics', 'create', 'small', '--config', 'max.message.bytes=100', '--data-dir', dataDir])).code).toBe(0)
    expect((await run(['consume', 'small', '--partition', '5', '--data-dir', dataDir])).code).toBe(1)
    expect(fs.existsSync(path.join(dataDir, '.lock'))).toBe(false)
  })
})
