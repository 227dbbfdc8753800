// `brook produce`: one record per delimited chunk of standard input, as bytes (kcat -P).
import type { Readable } from 'node:stream'
import type { Command, Option } from 'commander'
import type { BrookClient, ProducerConfig } from '../../core/client/types.js'
import { BrookError } from '../../core/errors.js'
import { CliError, connectionOptions, parseAcks, parseIntOption, withClient, type ConnectionOptions } from '../context.js'
import { Progress } from '../progress.js'
import { ensureTopicForProduce } from '../topic-check.js'
import { unescapeDelimiter } from '../bytes.js'

export interface ProduceOptions {
  keySeparator?: string
  /** Record delimiter (kcat -D), with \n, \r, \t, \0 and \xHH escapes; default '\n'. */
  delimiter?: string
  partition?: number
  acks?: string
  compression?: string
}

export interface ProduceResult {
  /** Records the broker acknowledged. */
  produced: number
  /** The first failure; reading stopped there. */
  error?: Error
  interrupted: boolean
}

/** Kafka's default max.message.bytes, when the topic's cannot be read. */
const DEFAULT_MAX_MESSAGE_BYTES = 1048588
/** Record batch and record framing around key and value (v2 batch header 61 bytes, record header up to ~21). */
const BATCH_OVERHEAD = 96
const MAX_IN_FLIGHT = 10_000

/**
 * Splits `input` at `delimiter` (bytes, default '\n', nothing else: records are bytes) and sends
 * each chunk as a record; with a key separator the bytes before its first occurrence are the key.
 * A record the topic cannot take (over max.message.bytes) stops the input there: everything
 * before it is sent and acknowledged first, so the result counts exactly what the topic holds.
 */
export async function produceLines(
  client: BrookClient,
  topic: string,
  input: Readable,
  opts: ProduceOptions,
  signal?: AbortSignal,
  progress?: (produced: number) => void,
): Promise<ProduceResult> {
  const acks = parseAcks(opts.acks ?? 'all')
  const config: ProducerConfig = { acks, enableIdempotence: acks === 'all' || acks === -1 }
  if (opts.compression) config.compressionType = opts.compression as NonNullable<ProducerConfig['compressionType']>
  const delimiter = unescapeDelimiter(opts.delimiter ?? '\\n', '--delimiter')
  const keySeparator = opts.keySeparator ? Buffer.from(opts.keySeparator) : null
  const maxBytes = await maxMessageBytes(client, topic)
  const producer = client.producer(config)
  const result: ProduceResult = { produced: 0, interrupted: false }
  let inFlight: Promise<void>[] = []
  let recordNo = 0
  const settle = async (): Promise<void> => {
    const pending = inFlight
    inFlight = []
    await Promise.all(pending)
  }
  const track = (p: Promise<unknown>): Promise<void> =>
    p.then(
      () => {
        result.produced++
      },
      (err: unknown) => {
        result.error ??= err instanceof Error ? err : new Error(String(err))
      },
    )
  const sendOne = async (record: Buffer): Promise<boolean> => {
    recordNo++
    let key: Buffer | null = null
    let value = record
    if (keySeparator !== null) {
      const at = record.indexOf(keySeparator)
      if (at >= 0) {
        key = record.subarray(0, at)
        value = record.subarray(at + keySeparator.length)
      }
    }
    const size = value.length + (key?.length ?? 0) + BATCH_OVERHEAD
    const send = () => producer.send({ topic, key, value, ...(opts.partition !== undefined ? { partition: opts.partition } : {}) })
    if (size > maxBytes) {
      // Send what came before on its own, then report this record without sending it.
      await producer.flush()
      await settle()
      result.error ??= new CliError(
        `record ${recordNo} is ${value.length + (key?.length ?? 0)} bytes, more than topic '${topic}' takes (max.message.bytes=${maxBytes}, with ${BATCH_OVERHEAD} bytes of framing)`,
        'max.message.bytes',
      )
      return false
    }
    inFlight.push(track(send()))
    if (inFlight.length >= MAX_IN_FLIGHT) await settle()
    progress?.(result.produced)
    return result.error === undefined
  }

  const onAbort = (): void => {
    result.interrupted = true
    input.destroy()
  }
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    if (signal?.aborted) onAbort()
    let pending: Buffer | null = null
    try {
      reading: for await (const chunk of input as AsyncIterable<Buffer | string>) {
        let buf: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
        if (pending !== null) {
          buf = Buffer.concat([pending, buf])
          pending = null
        }
        let start = 0
        for (;;) {
          const at = buf.indexOf(delimiter, start)
          if (at < 0) break
          if (!(await sendOne(buf.subarray(start, at)))) break reading
          start = at + delimiter.length
        }
        if (start < buf.length) pending = buf.subarray(start)
      }
      if (pending !== null && pending.length > 0 && result.error === undefined && !result.interrupted) await sendOne(pending)
    } catch (err) {
      if (!result.interrupted) throw err
    }
    await producer.flush().catch((err: unknown) => {
      result.error ??= err instanceof Error ? err : new Error(String(err))
    })
    await settle()
  } finally {
    signal?.removeEventListener('abort', onAbort)
    await producer.close().catch(() => undefined)
  }
  return result
}

async function maxMessageBytes(client: BrookClient, topic: string): Promise<number> {
  try {
    const entry = (await client.admin().describeConfigs(topic)).find((c) => c.name === 'max.message.bytes')
    const n = Number(entry?.value)
    return Number.isFinite(n) && n > 0 ? n : DEFAULT_MAX_MESSAGE_BYTES
  } catch (err) {
    if (err instanceof BrookError && err.code === 'UNKNOWN_TOPIC_OR_PARTITION') return DEFAULT_MAX_MESSAGE_BYTES
    throw err
  }
}

export function produceCommand(program: Command, dataDir: () => Option): void {
  program
    .command('produce <topic>')
    .description('produce one record per line of standard input (bytes, split on \\n or --delimiter)')
    .addOption(dataDir())
    .option('--bootstrap <host:port>', 'a running broker instead of the data directory')
    .option('--connect-timeout <ms>', 'with --bootstrap: give up connecting after this long', parseIntOption('--connect-timeout', 1))
    .option('-K, --key-separator <sep>', 'split each record into key and value at the first <sep>')
    .option('-D, --delimiter <delim>', 'record delimiter (escapes \\n \\r \\t \\0 \\xHH)', '\\n')
    .option('-p, --partition <n>', 'write to this partition instead of using the partitioner', parseIntOption('--partition', 0))
    .option('--acks <acks>', '0, 1, -1 or all', 'all')
    .option('-z, --compression <codec>', 'none, gzip, snappy, lz4 or zstd')
    .action(async (topic: string, o: ConnectionOptions & ProduceOptions, cmd: Command) => {
      const opts = connectionOptions(cmd, o)
      parseAcks(o.acks ?? 'all')
      const ac = new AbortController()
      const stop = (): void => ac.abort()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      const progress = Progress.forStderr('Produced', 'record(s)')
      try {
        const result = await withClient(opts, async (c) => {
          const created = await ensureTopicForProduce(c, opts, topic, o.partition)
          if (created) process.stderr.write(created + '\n')
          return produceLines(c, topic, process.stdin, o, ac.signal, (n) => progress.update(n))
        })
        progress.clear()
        const summary = `Produced ${result.produced} record(s) to ${topic}`
        if (result.error) {
          process.stderr.write(`${summary} before an error\n`)
          throw result.error
        }
        process.stderr.write(result.interrupted ? `${summary} (interrupted)\n` : `${summary}\n`)
        if (result.interrupted) process.exitCode = 130
      } finally {
        progress.clear()
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
      }
    })
}
