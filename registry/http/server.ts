// Confluent Schema Registry's REST API over any SchemaRegistryClient (node:http, JSON bodies,
// application/vnd.schemaregistry.v1+json), so Confluent's serializers and other registry
// clients work against Brook unchanged. Errors answer {"error_code", "message"} with
// Confluent's codes; a request that cannot be read answers 400 and the server goes on.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { SchemaRegistryException } from '../errors.js'
import type { CompatibilityLevel, RegisteredSchema, SchemaInput, SchemaRegistryClient, SchemaType } from '../types.js'

export interface RegistryServerOptions {
  port?: number
  host?: string
  /** Largest request body read, in bytes. Default 16 MiB. */
  maxBodyBytes?: number
}

export interface RegistryServer {
  readonly port: number
  readonly url: string
  close(): Promise<void>
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json'

class HttpAnswer {
  constructor(readonly status: number, readonly body: unknown) {}
}

const bad = (message: string, field?: string): SchemaRegistryException => new SchemaRegistryException('BAD_REQUEST', message, field === undefined ? {} : { field })

type Route = (m: RegExpMatchArray, q: URLSearchParams, body: () => Promise<unknown>) => Promise<unknown>

export async function startRegistryServer(registry: SchemaRegistryClient, options: RegistryServerOptions = {}): Promise<RegistryServer> {
  const maxBody = options.maxBodyBytes ?? 16 << 20
  const flag = (q: URLSearchParams, name: string): boolean => q.get(name) === 'true'
  const versionParam = (s: string): number | 'latest' => {
    if (s === 'latest' || s === '-1') return 'latest'
    const n = Number(s)
    if (!/^\d+$/.test(s) || !Number.isInteger(n)) {
      throw new SchemaRegistryException('INVALID_VERSION', `The specified version '${s}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`, { field: 'version' })
    }
    return n
  }
  const schemaBody = (b: unknown): SchemaInput => {
    if (typeof b !== 'object' || b === null || typeof (b as { schema?: unknown }).schema !== 'string') {
      throw new SchemaRegistryException('INVALID_SCHEMA', 'Invalid schema: the body must be {"schema": "<schema text>"}', { field: 'schema' })
    }
    const o = b as { schema: string; schemaType?: SchemaType; references?: SchemaInput['references'] }
    return { schema: o.schema, ...(o.schemaType !== undefined ? { schemaType: o.schemaType } : {}), ...(o.references !== undefined ? { references: o.references } : {}) }
  }
  const levelBody = (b: unknown): CompatibilityLevel => {
    const level = typeof b === 'object' && b !== null ? (b as { compatibility?: unknown }).compatibility : undefined
    if (typeof level !== 'string') throw new SchemaRegistryException('INVALID_COMPATIBILITY_LEVEL', 'The body must be {"compatibility": "<level>"}', { field: 'compatibility' })
    return level.toUpperCase() as CompatibilityLevel
  }
  const withType = (r: RegisteredSchema): Record<string, unknown> => {
    const out: Record<string, unknown> = { subject: r.subject, version: r.version, id: r.id, schema: r.schema }
    if (r.schemaType !== 'AVRO') out.schemaType = r.schemaType
    return out
  }
  const sub = (m: RegExpMatchArray): string => decodeURIComponent(m[1]!)

  const routes: Array<[string, RegExp, Route]> = [
    ['GET', /^\/$/, async () => ({})],
    ['GET', /^\/schemas\/types$/, async () => ['AVRO']],
    ['GET', /^\/mode$/, async () => ({ mode: 'READWRITE' })],
    ['GET', /^\/schemas\/ids\/(\d+)$/, async (m) => {
      const s = await registry.getSchemaById(Number(m[1]))
      return s.schemaType === 'AVRO' ? { schema: s.schema } : { schemaType: s.schemaType, schema: s.schema }
    }],
    ['GET', /^\/schemas\/ids\/(\d+)\/schema$/, async (m) => new HttpAnswer(200, JSON.parse((await registry.getSchemaById(Number(m[1]))).schema))],
    ['GET', /^\/schemas\/ids\/(\d+)\/versions$/, async (m) => registry.getSubjectVersionsById(Number(m[1]))],
    ['GET', /^\/schemas\/ids\/(\d+)\/subjects$/, async (m) => [...new Set((await registry.getSubjectVersionsById(Number(m[1]))).map((e) => e.subject))]],
    ['GET', /^\/subjects$/, async (_m, q) => registry.getSubjects({ deleted: flag(q, 'deleted') })],
    ['GET', /^\/subjects\/([^/]+)\/versions$/, async (m, q) => registry.getVersions(sub(m), { deleted: flag(q, 'deleted') })],
    ['POST', /^\/subjects\/([^/]+)\/versions$/, async (m, _q, body) => ({ id: await registry.register(sub(m), schemaBody(await body())) })],
    ['GET', /^\/subjects\/([^/]+)\/versions\/([^/]+)$/, async (m, q) => withType(await registry.getVersion(sub(m), versionParam(m[2]!), { deleted: flag(q, 'deleted') }))],
    ['GET', /^\/subjects\/([^/]+)\/versions\/([^/]+)\/schema$/, async (m) => new HttpAnswer(200, JSON.parse((await registry.getVersion(sub(m), versionParam(m[2]!))).schema))],
    ['GET', /^\/subjects\/([^/]+)\/versions\/([^/]+)\/referencedby$/, async (m) => (await registry.getVersion(sub(m), versionParam(m[2]!)), [])],
    ['POST', /^\/subjects\/([^/]+)$/, async (m, q, body) => withType(await registry.lookup(sub(m), schemaBody(await body()), { deleted: flag(q, 'deleted') }))],
    ['DELETE', /^\/subjects\/([^/]+)$/, async (m, q) => registry.deleteSubject(sub(m), { permanent: flag(q, 'permanent') })],
    ['DELETE', /^\/subjects\/([^/]+)\/versions\/([^/]+)$/, async (m, q) => registry.deleteVersion(sub(m), versionParam(m[2]!), { permanent: flag(q, 'permanent') })],
    ['POST', /^\/compatibility\/subjects\/([^/]+)\/versions(?:\/([^/]+))?$/, async (m, q, body) => {
      const r = await registry.testCompatibility(sub(m), schemaBody(await body()), m[2] === undefined ? undefined : versionParam(m[2]))
      return flag(q, 'verbose') ? { is_compatible: r.isCompatible, messages: r.messages } : { is_compatible: r.isCompatible }
    }],
    ['GET', /^\/config$/, async () => ({ compatibilityLevel: await registry.getCompatibility() })],
    ['PUT', /^\/config$/, async (_m, _q, body) => ({ compatibility: await registry.setCompatibility(levelBody(await body())) })],
    ['GET', /^\/config\/([^/]+)$/, async (m, q) => ({ compatibilityLevel: await registry.getCompatibility(sub(m), { defaultToGlobal: flag(q, 'defaultToGlobal') }) })],
    ['PUT', /^\/config\/([^/]+)$/, async (m, _q, body) => ({ compatibility: await registry.setCompatibility(levelBody(await body()), sub(m)) })],
    ['DELETE', /^\/config\/([^/]+)$/, async (m) => ({ compatibilityLevel: await registry.deleteCompatibility(sub(m)) })],
  ]

  /** Requests whose body was too large: their connection closes once answered. */
  const tooLarge = new WeakSet<http.IncomingMessage>()
  const readBody = (req: http.IncomingMessage): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      let size = 0
      req.on('data', (c: Buffer) => {
        size += c.length
        if (size > maxBody) {
          // answered at once; what else comes is read and dropped, and the connection closes after the answer
          reject(new SchemaRegistryException('BAD_REQUEST', `Request body larger than ${maxBody} bytes`, { field: 'body' }))
          chunks.length = 0
          tooLarge.add(req)
        } else chunks.push(c)
      })
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        try {
          resolve(text.length === 0 ? {} : JSON.parse(text))
        } catch (err) {
          reject(bad(`Unreadable JSON body: ${(err as Error).message}`))
        }
      })
      req.on('error', reject)
    })

  const handle = async (req: http.IncomingMessage): Promise<HttpAnswer> => {
    const url = new URL(req.url ?? '/', 'http://registry')
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname
    let pathMatched = false
    for (const [method, re, route] of routes) {
      const m = path.match(re)
      if (m === null) continue
      pathMatched = true
      if (method !== req.method) continue
      const out = await route(m, url.searchParams, () => readBody(req))
      return out instanceof HttpAnswer ? out : new HttpAnswer(200, out)
    }
    return pathMatched ? new HttpAnswer(405, { error_code: 405, message: 'HTTP 405 Method Not Allowed' }) : new HttpAnswer(404, { error_code: 404, message: 'HTTP 404 Not Found' })
  }

  const server = http.createServer((req, res) => {
    handle(req)
      .catch((err: unknown) => {
        if (err instanceof SchemaRegistryException) {
          // Beyond Confluent's two fields, what the error is about (clients ignore fields they do not know).
          return new HttpAnswer(err.httpStatus, { error_code: err.errorCode, message: err.message, ...(err.field === undefined ? {} : { field: err.field }) })
        }
        if (err instanceof URIError) return new HttpAnswer(400, { error_code: 400, message: `Bad path: ${err.message}` })
        return new HttpAnswer(500, { error_code: 50001, message: `Error in the backend data store: ${(err as Error).message}` })
      })
      .then((a) => {
        const text = JSON.stringify(a.body)
        const close = tooLarge.has(req)
        res.writeHead(a.status, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(text), ...(close ? { connection: 'close' } : {}) })
        res.end(text)
      })
      .catch(() => res.destroy())
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 8081, options.host ?? '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const host = options.host ?? '127.0.0.1'
  return {
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
