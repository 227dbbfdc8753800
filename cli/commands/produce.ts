import readline from 'node:readline'
import type { Readable } from 'node:stream'
import type { Command, Option } from 'commander'
import type { BrookClient, ProducerConfig } from '../../core/client/types.js'
import { parseIntOption, withClient, type ConnectionOptions } from '../context.js'

export interface ProduceOptions {
  keySeparator?: string
  partition?: number
  acks?: string
  compression?: string
}

/** One record per input line; with a key separator the text before it is the key. */
export async function produceLines(client: BrookClient, topic: string, input: Readable, opts: ProduceOptions): Promise<number> {
  const acks = opts.acks === undefined ? 'all' : opts.acks === 'all' ? 'all' : (Number(opts.acks) as 0 | 1 | -1)
  const config: ProducerConfig = { acks, enableIdempotence: acks === 'all' || acks === -1 }
  if (opts.compression) config.compressionType = opts.compression as NonNullable<ProducerConfig['compressionType']>
  const producer = client.producer(config)
  let count = 0
  const sends: Promise<unknown>[] = []
  const lines = readline.createInterface({ input, crlfDelay: Infinity })
  for await (const line of lines) {
    let key: string | null = null
    let value = line
    if (opts.keySeparator) {
      const at = line.indexOf(opts.keySeparator)
      if (at >= 0) {
        key = line.slice(0, at)
        value = line.slice(at + opts.keySeparator.length)
      }
    }
    sends.push(producer.send({ topic, key, value, ...(opts.partition !== undefined ? { partition: opts.partition } : {}) }))
    count++
    if (sends.length >= 10_000) await Promise.all(sends.splice(0))
  }
  await producer.flush()
  await Promise.all(sends)
  await producer.close()
  return count
}

export function produceCommand(program: Command, dataDir: () => Option): void {
  program
    .command('produce <topic>')
    .description('produce one record per line of standard input')
    .addOption(dataDir())
    .option('--bootstrap <host:port>', 'a running broker instead of the data directory')
    .option('-K, --key-separator <sep>', 'split each line into key and value at the first <sep>')
    .option('-p, --partition <n>', 'write to this partition instead of using the partitioner', parseIntOption('--partition', 0))
    .option('--acks <acks>', '0, 1 or all', 'all')
    .option('-z, --compression <codec>', 'none, gzip, snappy, lz4 or zstd')
    .action(async (topic: string, o: ConnectionOptions & ProduceOptions) => {
      const n = await withClient(o, (c) => produceLines(c, topic, process.stdin, o))
      process.stderr.write(`Produced ${n} record(s) to ${topic}\n`)
    })
}
