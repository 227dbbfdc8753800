// Connector configs from files, as connect-standalone takes them: Java .properties or JSON
// (either a flat object or the REST shape {"name": ..., "config": {...}}).
import fs from 'node:fs'
import path from 'node:path'
import { ConnectException } from '../errors.js'

export function readConnectorConfig(file: string): Record<string, string> {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    throw new ConnectException(`cannot read connector config '${file}': ${(err as Error).message}`, { field: file })
  }
  if (path.extname(file).toLowerCase() === '.json') {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (err) {
      throw new ConnectException(`'${file}' is not valid JSON: ${(err as Error).message}`, { field: file })
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConnectException(`'${file}' must hold a JSON object`, { field: file })
    const obj = parsed as Record<string, unknown>
    const flat = obj.config !== undefined && typeof obj.config === 'object' ? { ...(obj.config as Record<string, unknown>), ...(typeof obj.name === 'string' ? { name: obj.name } : {}) } : obj
    return Object.fromEntries(Object.entries(flat).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
  }
  return parseProperties(text)
}

/** Java .properties: key=value or key: value, # and ! comments, backslash line continuations and escapes. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^\s+/, '')
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.replace(/^\s+/, '')
    const m = /^((?:\\.|[^=:\s\\])*)\s*[=:\s]\s*(.*)$/.exec(line)
    const key = unescape(m === null ? line : m[1]!)
    out[key] = unescape(m === null ? '' : m[2]!)
  }
  return out
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16))
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[c] ?? c
  })
}
