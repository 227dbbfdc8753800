// Printing results as the ksqlDB CLI does (boxed tables) or as JSON lines for scripts.
import { SqlDecimal } from '../types/decimal.js'
import type { StatementResult } from '../engine/engine.js'

/** A runtime value as plain JSON (DECIMAL as its exact text, MAP as an object, BYTES as base64). */
export function toPlain(v: unknown): unknown {
  if (v === null || v === undefined) return null
  if (v instanceof SqlDecimal) return v.toString()
  if (Buffer.isBuffer(v)) return v.toString('base64')
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toPlain(x)]))
  if (Array.isArray(v)) return v.map(toPlain)
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]))
  return v
}

function cell(v: unknown): string {
  const p = toPlain(v)
  if (p === null) return 'null'
  return typeof p === 'object' ? JSON.stringify(p) : String(p)
}

export function formatTable(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((r) => r.map(cell))
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)))
  const line = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+'
  const fmt = (r: readonly string[]): string => '|' + r.map((c, i) => ` ${c.padEnd(widths[i]!)} `).join('|') + '|'
  return [line, fmt(header), line, ...cells.map(fmt), line].join('\n')
}

export function formatResult(r: StatementResult, output: 'table' | 'json'): string {
  if (output === 'json') {
    if (r.kind === 'rows' || (r.kind === 'table' && r.rows !== undefined)) {
      const lines = (r.rows ?? []).map((row) => JSON.stringify(Object.fromEntries((r.header ?? []).map((h, i) => [h, toPlain(row[i])]))))
      if (r.kind === 'table' && r.message !== undefined) lines.unshift(JSON.stringify({ statement: r.statement, message: r.message }))
      for (const s of r.sections ?? []) for (const row of s.rows) lines.push(JSON.stringify(Object.fromEntries(s.header.map((h, i) => [h, toPlain(row[i])]))))
      return lines.join('\n')
    }
    return JSON.stringify({ statement: r.statement, message: r.message ?? '', ...(r.queryId === undefined ? {} : { queryId: r.queryId }) })
  }
  const parts: string[] = []
  if (r.message !== undefined && r.message !== '') parts.push(r.kind === 'message' ? ` ${r.message}` : r.message)
  if (r.header !== undefined && r.rows !== undefined) parts.push(formatTable(r.header, r.rows))
  for (const s of r.sections ?? []) parts.push(formatTable(s.header, s.rows))
  return parts.join('\n')
}
