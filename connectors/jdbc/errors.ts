// Which driver errors mean "the server is unreachable or the connection broke" (retry with
// backoff) as opposed to a bad statement or bad credentials (fail with the message).
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN'])

export function isNetworkError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null
  if (e === null || typeof e !== 'object') return false
  if (typeof e.code === 'string') {
    if (NETWORK_CODES.has(e.code)) return true
    // PostgreSQL SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown / cannot connect now).
    if (/^08/.test(e.code) || /^57P0[123]$/.test(e.code)) return true
  }
  return typeof e.message === 'string' && /Connection terminated|connection is closed|Can't add new command when connection is in closed state/i.test(e.message)
}
