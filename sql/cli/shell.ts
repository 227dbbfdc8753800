// `brook sql`: runs statements from -e / -f or an interactive shell (multi-line statements
// ending in `;`, history), over the embedded log or any Kafka cluster (--bootstrap).
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import type { BrookClient } from '../../core/client/types.js'
import { KsqlEngine } from '../engine/engine.js'
import { StreamsRuntime } from '../engine/streams-runtime.js'
import { CommandTopic } from '../engine/command-topic.js'
import { WorkerConnectorHost } from '../engine/connectors.js'
import { splitStatements, parseStatements } from '../parser/parser.js'
import { formatResult, formatTable, toPlain } from './output.js'
import { SqlError } from '../errors.js'

export interface SqlShellOptions {
  readonly execute?: string
  readonly file?: string
  readonly output: 'table' | 'json'
  /** Where query state lives. */
  readonly stateDir: string
  /** EMIT FINAL windows close after this much wall-clock idleness (null: only when stream time passes). */
  readonly idleAdvanceMs?: number | null
  /** ksql.schema.registry.url: the AVRO format's registry (default: the _schemas topic of the client's broker). */
  readonly schemaRegistryUrl?: string
}

/** An engine over `client` with its command topic replayed. */
export async function openEngine(client: BrookClient, stateDir: string, commitIntervalMs = 1000, idleAdvanceMs: number | null = null, schemaRegistryUrl?: string): Promise<KsqlEngine> {
  const runtime = new StreamsRuntime({ client, stateDir, commitIntervalMs, idleAdvanceMs })
  const properties = schemaRegistryUrl === undefined ? {} : { properties: { 'ksql.schema.registry.url': schemaRegistryUrl } }
  return KsqlEngine.create({ runtime, commandLog: new CommandTopic(client), connectors: new WorkerConnectorHost(client, {}), ...properties })
}

/** Runs one statement text; push queries print rows until LIMIT or abort. */
export async function runStatement(engine: KsqlEngine, text: string, output: 'table' | 'json', out: (s: string) => void, signal?: AbortSignal): Promise<void> {
  const parsed = parseStatements(text)
  const st = parsed[0]?.statement
  if (st?.kind === 'Query' && st.query.emit !== null) {
    let header: readonly string[] | null = null
    for await (const r of engine.stream(text, signal)) {
      if (output === 'json') out(JSON.stringify(Object.fromEntries(r.columns.map((c, i) => [c, toPlain(r.row[i])]))))
      else {
        if (header === null) {
          header = r.columns
          out(formatTable(header, []).split('\n').slice(0, 3).join('\n'))
        }
        out(formatTable(header, [r.row]).split('\n')[3]!)
      }
    }
    return
  }
  for (const r of await engine.execute(text)) {
    const s = formatResult(r, output)
    if (s !== '') out(s)
  }
}

export async function runSqlShell(client: BrookClient, opts: SqlShellOptions, out: (s: string) => void): Promise<number> {
  const engine = await openEngine(client, opts.stateDir, 1000, opts.idleAdvanceMs ?? null, opts.schemaRegistryUrl)
  try {
    if (opts.execute !== undefined || opts.file !== undefined) {
      const script = opts.execute ?? fs.readFileSync(opts.file!, 'utf8')
      for (const piece of splitStatements(script)) await runStatement(engine, piece.text, opts.output, out)
      return 0
    }
    return await interactive(engine, opts, out)
  } finally {
    await engine.close()
  }
}

async function interactive(engine: KsqlEngine, opts: SqlShellOptions, out: (s: string) => void): Promise<number> {
  const historyFile = path.join(opts.stateDir, '.brook_sql_history')
  let history: string[] = []
  try {
    history = fs.readFileSync(historyFile, 'utf8').split('\n').filter((l) => l !== '').reverse()
  } catch {
    // no history yet
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: 'brook> ', history, historySize: 1000 })
  let buffer = ''
  let current: AbortController | null = null
  rl.on('SIGINT', () => {
    if (current !== null) current.abort()
    else if (buffer !== '') {
      buffer = ''
      rl.setPrompt('brook> ')
      rl.prompt()
    } else rl.close()
  })
  rl.prompt()
  for await (const line of rl) {
    // exit / quit end the shell as ksqlDB's CLI does, with or without `;`
    if (buffer === '' && /^\s*(exit|quit)\s*;?\s*$/i.test(line)) {
      rl.close()
      return 0
    }
    buffer += (buffer === '' ? '' : '\n') + line
    const pieces = splitStatements(buffer)
    const complete = buffer.trimEnd().endsWith(';')
    if (!complete) {
      rl.setPrompt(buffer.trim() === '' ? 'brook> ' : '    > ')
      if (buffer.trim() === '') buffer = ''
      rl.prompt()
      continue
    }
    fs.mkdirSync(opts.stateDir, { recursive: true })
    fs.appendFileSync(historyFile, buffer.replace(/\n/g, ' ') + '\n')
    buffer = ''
    for (const p of pieces) {
      if (/^\s*(exit|quit)\s*$/i.test(p.text)) {
        rl.close()
        return 0
      }
      current = new AbortController()
      try {
        await runStatement(engine, p.text, opts.output, out, current.signal)
      } catch (err) {
        out(err instanceof SqlError ? `${err.message}` : `Error: ${(err as Error).message}`)
      } finally {
        current = null
      }
    }
    rl.setPrompt('brook> ')
    rl.prompt()
  }
  return 0
}
