// `brook consume`: records of a topic written to stdout as bytes, in kcat's -f format.
import type { Command, Option } from 'commander'
import type { BrookClient } from '../../core/client/types.js'
import { compileFormat, parseDecoder, type Decoder } from '../bytes.js'
import { connectionOptions, parseIntOption, withClient, type ConnectionOptions } from '../context.js'
import { requireTopic } from '../topic-check.js'

export interface ConsumeOptions {
  group?: string
  fromBeginning?: boolean
  maxMessages?: number
  /** kcat -f: written exactly, no newline added; default '%s\n'. */
  format?: string
  keyDecoder?: Decoder
  valueDecoder?: Decoder
  /** Stop after this long without a new record (ms). */
  idleTimeout?: number
  partition?: number
}

export const DEFAULT_FORMAT = '%s\\n'

/** Consumes and writes each formatted record through `out`; returns how many were written. */
export async function consumeRecords(client: BrookClient, topic: string, opts: ConsumeOptions, out: (bytes: Buffer) => void, signal?: AbortSignal): Promise<number> {
  const formatRecord = compileFormat(opts.format ?? DEFAULT_FORMAT, opts.keyDecoder, opts.valueDecoder)
  const d = await requireTopic(client, topic, opts.partition)
  const consumer = client.consumer({
    ...(opts.group ? { groupId: opts.group } : {}),
    autoOffsetReset: opts.fromBeginning ? 'earliest' : 'latest',
    enableAutoCommit: false,
  })
  let count = 0
  try {
    if (opts.group && opts.partition === undefined) {
      consumer.subscribe([topic])
    } else {
      const parts = d.partitions.map((p) => ({ topic, partition: p.partition })).filter((p) => opts.partition === undefined || p.partition === opts.partition)
      consumer.assign(parts)
      if (opts.fromBeginning) await consumer.seekToBeginning()
      else if (!opts.group) await consumer.seekToEnd()
    }
    let idleSince = Date.now()
    while (!signal?.aborted) {
      const records = await consumer.poll(200)
      for (const r of records) {
        if (opts.maxMessages !== undefined && count >= opts.maxMessages) break
        out(formatRecord(r))
        count++
        if (opts.group) await consumer.commitSync([{ topic: r.topic, partition: r.partition, offset: r.offset + 1 }])
      }
      if (opts.maxMessages !== undefined && count >= opts.maxMessages) break
      if (records.length > 0) idleSince = Date.now()
      else if (opts.idleTimeout !== undefined && Date.now() - idleSince >= opts.idleTimeout) break
    }
  } finally {
    await consumer.close()
  }
  return count
}

export function consumeCommand(program: Command, dataDir: () => Option): void {
  program
    .command('consume <topic>')
    .description('write records of a topic to stdout')
    .addOption(dataDir())
    .option('--bootstrap <host:port>', 'a running broker instead of the data directory')
    .option('--connect-timeout <ms>', 'with --bootstrap: give up connecting after this long', parseIntOption('--connect-timeout', 1))
    .option('-g, --group <group>', 'consume in this consumer group, from its committed offsets, and commit')
    .option('--from-beginning', 'start at the earliest offset when there is no committed offset')
    .option('-n, --max-messages <n>', 'stop after n records', parseIntOption('--max-messages', 1))
    .option('-f, --format <fmt>', 'output per record, written as is: %t topic, %p partition, %o offset, %T timestamp, %k key, %s value, %h headers, %K/%S key/value length; \\n \\t \\0 \\xHH', DEFAULT_FORMAT)
    .option('--key-decoder <type>', 'print keys as: string (bytes as they are), hex, base64, json, long, int, short, double, float', parseDecoder('--key-decoder'), 'string')
    .option('--value-decoder <type>', 'print values as: string (bytes as they are), hex, base64, json, long, int, short, double, float', parseDecoder('--value-decoder'), 'string')
    .option('-p, --partition <n>', 'only this partition', parseIntOption('--partition', 0))
    .option('--idle-timeout <ms>', 'stop after this many ms without records', parseIntOption('--idle-timeout', 0))
    .action(async (topic: string, o: ConnectionOptions & ConsumeOptions, cmd: Command) => {
      const ac = new AbortController()
      const stop = (): void => ac.abort()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      try {
        const n = await withClient(connectionOptions(cmd, o), (c) => consumeRecords(c, topic, o, (bytes) => process.stdout.write(bytes), ac.signal))
        process.stderr.write(`Consumed ${n} record(s)\n`)
      } finally {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
      }
    })
}
