// The dialect for a connection URL, and opening a connection with errors that name the
// connector and the URL (password hidden).
import { ConfigException, ConnectException, errorMessage, RetriableException } from '../errors.js'
import { parseConnectionUrl, redactUrl, type ConnectionTarget, type Dialect, type JdbcConnection } from './dialect.js'
import { mysqlDialect } from './mysql/dialect.js'
import { postgresDialect } from './postgres/dialect.js'
import { sqliteDialect } from './sqlite/dialect.js'
import fs from 'node:fs'

export const dialects: Record<ConnectionTarget['dialect'], Dialect> = { sqlite: sqliteDialect, postgres: postgresDialect, mysql: mysqlDialect }

export function resolveTarget(connector: string, url: string, user: string | null, password: string | null): { dialect: Dialect; target: ConnectionTarget } {
  const target = parseConnectionUrl(url, user, password)
  if (target === null) {
    throw new ConfigException('connection.url', `'${redactUrl(url)}' is not a supported URL (jdbc:postgresql://host:port/db, jdbc:mysql://..., jdbc:mariadb://..., jdbc:sqlite:path)`, { connector })
  }
  return { dialect: dialects[target.dialect], target }
}

/**
 * Opens a connection. At startup (`startup`) every failure is final and named; later, network
 * failures become RetriableExceptions so the worker backs off and retries.
 */
export async function openConnection(connector: string, url: string, dialect: Dialect, target: ConnectionTarget, startup: boolean, mustExist = false): Promise<JdbcConnection> {
  if (target.dialect === 'sqlite' && mustExist && !fs.existsSync(target.path!)) {
    throw new ConfigException('connection.url', `the SQLite database '${target.path}' does not exist`, { connector })
  }
  try {
    return await dialect.open(target)
  } catch (err) {
    const msg = `cannot connect to ${redactUrl(url)}: ${describeConnectError(err)}`
    if (!startup && dialect.isRetriable(err)) throw new RetriableException(msg, { connector, cause: err })
    throw new ConnectException(msg, { connector, field: 'connection.url', cause: err })
  }
}

function describeConnectError(err: unknown): string {
  const e = err as { code?: string; message?: string }
  if (e.code === '28P01' || e.code === 'ER_ACCESS_DENIED_ERROR') return `authentication failed (wrong user or password): ${e.message ?? ''}`
  if (e.code === 'ECONNREFUSED') return `connection refused (is the server running and the host/port right?)`
  if (e.code === 'ENOTFOUND') return `unknown host`
  return errorMessage(err) || String(e.code)
}
