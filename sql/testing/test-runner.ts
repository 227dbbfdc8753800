// `brook sql test`: runs a statements file against input records and compares the output topics
// with the expected records, in the file formats of ksqlDB's ksql-test-runner. Deterministic and
// broker-less: every query runs in a TopologyTestDriver with record caching off.
import type { DataSource } from '../catalog/data-source.js'
import { KsqlEngine } from '../engine/engine.js'
import { DriverRuntime } from '../engine/driver-runtime.js'
import { SqlError } from '../errors.js'
import { JsonNumber, parseLosslessJson, stringifyLossless, type LosslessJson } from '../serde/json-text.js'
import { createFormat, fromJson, type RowFormat } from '../serde/formats.js'
import { keyFormatOf, topicKeySerde, valueFormatOf } from '../planner/serdes.js'
import { keyColumns, valueColumns } from '../analyzer/schema.js'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { TopicSchemaRegistry } from '../../registry/store/topic-registry.js'
import type { Windowed } from '../../streams/dsl/windowed.js'
import type { SqlType } from '../types/sql-type.js'
import type { FunctionRegistry } from '../functions/registry-types.js'

export interface TestRecord {
  readonly topic: string
  readonly key?: LosslessJson
  readonly value?: LosslessJson
  readonly timestamp?: number
  readonly window?: { start: number; end: number; type?: string }
  readonly headers?: ReadonlyArray<{ KEY: string; VALUE: string | null }>
}

export interface TestResult {
  readonly passed: boolean
  /** Readable differences, one per mismatch. */
  readonly failures: readonly string[]
}

export interface TestFiles {
  readonly statements: string
  /** The text of input.json, or null when there is none. */
  readonly input: string | null
  readonly output: string
  readonly registry?: FunctionRegistry
}

function readRecords(text: string, field: 'inputs' | 'outputs', file: string): TestRecord[] {
  let doc: LosslessJson
  try {
    doc = parseLosslessJson(text)
  } catch (err) {
    throw new SqlError('PARSE_ERROR', `${file}: not valid JSON: ${(err as Error).message}`)
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || doc instanceof JsonNumber || !Array.isArray(doc[field])) {
    throw new SqlError('PARSE_ERROR', `${file}: expected an object with an "${field}" array`)
  }
  return (doc[field] as LosslessJson[]).map((r, i) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r) || r instanceof JsonNumber || typeof r.topic !== 'string') throw new SqlError('PARSE_ERROR', `${file}: ${field}[${i}] needs a "topic"`)
    const ts = r.timestamp
    const w = r.window as { [k: string]: LosslessJson } | undefined
    return {
      topic: r.topic,
      ...('key' in r ? { key: r.key! } : {}),
      ...('value' in r ? { value: r.value! } : {}),
      ...(ts instanceof JsonNumber ? { timestamp: Number(ts.text) } : {}),
      ...(w !== undefined && w !== null ? { window: { start: Number(w.start), end: Number(w.end), ...(typeof w.type === 'string' ? { type: w.type } : {}) } } : {}),
      ...(Array.isArray(r.headers) ? { headers: r.headers as unknown as Array<{ KEY: string; VALUE: string | null }> } : {}),
    }
  })
}

/**
 * A schema registry for tests that use AVRO (ksqlDB's test runner has a mock one): Brook's own,
 * on an embedded log in a temporary directory removed after the test.
 */
async function testRegistry(statements: string): Promise<{ registry: TopicSchemaRegistry; close: () => Promise<void> } | null> {
  if (!/\bAVRO\b/i.test(statements)) return null
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-sql-test-registry-'))
  const client = await EmbeddedClient.open({ dataDir: dir })
  const registry = await TopicSchemaRegistry.open(client, { log: () => {} })
  return {
    registry,
    close: async () => {
      await registry.close()
      await client.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

export async function runTest(files: TestFiles): Promise<TestResult> {
  const runtime = new DriverRuntime()
  const schemas = await testRegistry(files.statements)
  // ksqlDB's test runner reads every input from the beginning and has no processing-log topic or stream
  const engine = await KsqlEngine.create({
    runtime,
    properties: { 'auto.offset.reset': 'earliest', 'ksql.logging.processing.topic.auto.create': 'false', 'ksql.logging.processing.stream.auto.create': 'false' },
    ...(files.registry === undefined ? {} : { registry: files.registry }),
    ...(schemas === null ? {} : { schemaRegistry: schemas.registry }),
  })
  const failures: string[] = []
  try {
    const inputs = files.input === null ? [] : readRecords(files.input, 'inputs', 'input file')
    const outputs = readRecords(files.output, 'outputs', 'output file')
    try {
      await engine.execute(files.statements)
    } catch (err) {
      return { passed: false, failures: [`Statement failed: ${(err as Error).message}`] }
    }
    for (const r of inputs) {
      const src = engine.listSources().find((s) => s.topic === r.topic)
      const headers = (r.headers ?? []).map((h) => ({ key: h.KEY, value: h.VALUE === null ? null : Buffer.from(h.VALUE, 'base64') }))
      await runtime.produce(r.topic, encodeKey(r.key ?? null, src), encodeValue(r.value ?? null, src), r.timestamp ?? 0, headers)
    }
    const byTopic = new Map<string, TestRecord[]>()
    for (const o of outputs) {
      let l = byTopic.get(o.topic)
      if (l === undefined) byTopic.set(o.topic, (l = []))
      l.push(o)
    }
    for (const [topic, expected] of byTopic) {
      const sink = engine.listSources().find((s) => s.topic === topic)
      const actual = runtime.records(topic).map((rec) => decodeRecord(rec, sink))
      const n = Math.max(expected.length, actual.length)
      for (let i = 0; i < n; i++) {
        const e = expected[i]
        const a = actual[i]
        if (e === undefined) {
          failures.push(`Topic '${topic}', record ${i}: unexpected record ${show(a!)}`)
          continue
        }
        if (a === undefined) {
          failures.push(`Topic '${topic}', record ${i}: expected ${show(e)} but there are only ${actual.length} records`)
          continue
        }
        const why = compareRecord(e, a, sink)
        if (why !== null) failures.push(`Topic '${topic}', record ${i}: ${why}\n  expected: ${show(e)}\n  actual:   ${show(a)}`)
      }
    }
    return { passed: failures.length === 0, failures }
  } finally {
    await engine.close()
    await schemas?.close()
  }
}

/** The JSON format of a source's value columns: how a test file writes an AVRO value. */
function jsonOf(src: DataSource): RowFormat {
  return createFormat('JSON', valueColumns(src.schema).filter((c) => c.namespace === 'VALUE'), { wrapSingle: src.wrapSingleValue, delimiter: ',' }, 'value')
}

interface ActualRecord {
  key: unknown
  value: unknown
  timestamp: number
  window: { start: number; end: number; type: string } | null
  headers: Array<{ KEY: string; VALUE: string | null }>
}

function show(r: TestRecord | ActualRecord): string {
  const o: Record<string, unknown> = { key: r.key ?? null, value: r.value ?? null }
  if (r.timestamp !== undefined) o.timestamp = r.timestamp
  if (r.window !== undefined && r.window !== null) o.window = r.window
  return stringifyLossless(o)
}

function encodeKey(key: LosslessJson, src: DataSource | undefined): Buffer | null {
  if (key === null) return null
  if (src === undefined || src.window !== null) return Buffer.from(typeof key === 'string' ? key : stringifyLossless(key), 'utf8')
  const cols = keyColumns(src.schema)
  if (src.keyFormat === 'JSON') return Buffer.from(stringifyLossless(key), 'utf8')
  if (src.keyFormat === 'DELIMITED') return Buffer.from(typeof key === 'string' ? key : stringifyLossless(key), 'utf8')
  if (src.keyFormat === 'NONE' || cols.length === 0) return null
  return keyFormatOf(src).serialize([fromJson(key, cols[0]!.type)])
}

function encodeValue(value: LosslessJson, src: DataSource | undefined): Buffer | null {
  if (value === null) return null
  if (src === undefined || src.valueFormat === 'JSON') return Buffer.from(stringifyLossless(value), 'utf8')
  if (src.valueFormat === 'DELIMITED') return Buffer.from(typeof value === 'string' ? value : stringifyLossless(value), 'utf8')
  const cols = src.schema.columns.filter((c) => c.namespace === 'VALUE')
  if (src.valueFormat === 'KAFKA') return valueFormatOf(src).serialize([fromJson(value, cols[0]!.type)])
  // the file's JSON value, read as the columns, written in the source's format
  if (src.valueFormat === 'AVRO') return valueFormatOf(src).serialize(jsonOf(src).deserialize(Buffer.from(stringifyLossless(value), 'utf8')))
  return Buffer.from(stringifyLossless(value), 'utf8')
}

function decodeRecord(rec: { key: Buffer | null; value: Buffer | null; timestamp: number; headers: Array<{ key: string; value: Buffer | null }> }, sink: DataSource | undefined): ActualRecord {
  const headers = rec.headers.map((h) => ({ KEY: h.key, VALUE: h.value === null ? null : h.value.toString('base64') }))
  if (sink === undefined) {
    return { key: rec.key?.toString('utf8') ?? null, value: rec.value === null ? null : parseOrText(rec.value), timestamp: rec.timestamp, window: null, headers }
  }
  let key: unknown = null
  let window: ActualRecord['window'] = null
  const keyCols = keyColumns(sink.schema)
  const toJsonKey = (arr: unknown[] | null): unknown => {
    if (arr === null) return null
    if (sink.keyFormat === 'JSON' && keyCols.length > 1) return parseOrText(keyFormatOf(sink).serialize(arr)!)
    if (sink.keyFormat === 'DELIMITED') return keyFormatOf(sink).serialize(arr)?.toString('utf8') ?? null
    if (sink.keyFormat === 'JSON') return parseOrText(keyFormatOf(sink).serialize(arr) ?? Buffer.from('null'))
    return arr[0] ?? null
  }
  if (sink.window !== null && rec.key !== null) {
    const w = topicKeySerde(sink).deserialize(sink.topic, rec.key) as Windowed<unknown[]>
    key = toJsonKey(w.key)
    window = { start: w.window.start, end: w.window.end, type: sink.window.type === 'SESSION' ? 'session' : 'time' }
  } else if (rec.key !== null && sink.keyFormat !== 'NONE') {
    key = toJsonKey(keyFormatOf(sink).deserialize(rec.key))
  }
  let value: unknown = null
  if (rec.value !== null) {
    if (sink.valueFormat === 'JSON') value = parseOrText(rec.value)
    else if (sink.valueFormat === 'DELIMITED') value = rec.value.toString('utf8')
    else if (sink.valueFormat === 'AVRO') {
      const row = valueFormatOf(sink).deserialize(rec.value)
      value = row === null ? null : parseOrText(jsonOf(sink).serialize(row) ?? Buffer.from('null'))
    } else value = valueFormatOf(sink).deserialize(rec.value)?.[0] ?? null
  }
  return { key, value, timestamp: rec.timestamp, window, headers }
}

function parseOrText(b: Buffer): unknown {
  const s = b.toString('utf8')
  try {
    return parseLosslessJson(s)
  } catch {
    return s
  }
}

function compareRecord(e: TestRecord, a: ActualRecord, sink: DataSource | undefined): string | null {
  if (!jsonEqual(e.key ?? null, a.key, null)) return 'key differs'
  const types = new Map<string, SqlType>()
  for (const c of sink?.schema.columns ?? []) types.set(c.name, c.type)
  if (!jsonEqual(e.value ?? null, a.value, types)) return 'value differs'
  if (e.timestamp !== undefined && e.timestamp !== a.timestamp) return `timestamp differs (expected ${e.timestamp}, was ${a.timestamp})`
  if (e.window !== undefined) {
    if (a.window === null) return 'expected a windowed key'
    if (e.window.start !== a.window.start || e.window.end !== a.window.end || (e.window.type !== undefined && e.window.type.toLowerCase() !== a.window.type)) return 'window differs'
  }
  const eh = e.headers ?? []
  if (eh.length !== a.headers.length || eh.some((h, i) => h.KEY !== a.headers[i]!.KEY || h.VALUE !== a.headers[i]!.VALUE)) return 'headers differ'
  return null
}

/** Structural equality of expected and actual JSON: integers exactly, DECIMAL columns by text (scale included), doubles within 1e-6. */
function jsonEqual(e: unknown, a: unknown, types: Map<string, SqlType> | null, type: SqlType | null = null): boolean {
  if (e === null || e === undefined) return a === null || a === undefined
  if (a === null || a === undefined) return false
  if (e instanceof JsonNumber || typeof e === 'number') {
    const et = e instanceof JsonNumber ? e.text : String(e)
    const at = a instanceof JsonNumber ? a.text : typeof a === 'number' ? String(a) : typeof a === 'string' && type?.kind === 'DECIMAL' ? a : null
    if (at === null) return false
    if (type?.kind === 'DECIMAL') return et === at
    if (/^-?\d+$/.test(et) && /^-?\d+$/.test(at)) return BigInt(et) === BigInt(at)
    return Math.abs(Number(et) - Number(at)) <= 1e-6
  }
  if (typeof e === 'string' || typeof e === 'boolean') return e === a
  if (Array.isArray(e)) {
    const el = type?.kind === 'ARRAY' ? type.element : null
    return Array.isArray(a) && a.length === e.length && e.every((x, i) => jsonEqual(x, a[i], null, el))
  }
  if (typeof a !== 'object' || Array.isArray(a) || a instanceof JsonNumber) return false
  const eo = e as Record<string, unknown>
  const ao = a as Record<string, unknown>
  const ek = Object.keys(eo)
  if (ek.length !== Object.keys(ao).length) return false
  return ek.every((k) => {
    const ak = k in ao ? k : k.toUpperCase()
    if (!(ak in ao)) return false
    const t = types?.get(ak) ?? (type?.kind === 'STRUCT' ? (type.fields.find((f) => f.name === ak)?.type ?? null) : type?.kind === 'MAP' ? type.value : null)
    return jsonEqual(eo[k], ao[ak], null, t)
  })
}
