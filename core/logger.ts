// Where broker and server events go (one line per event), and a rate limiter in front of
// it: each cause (a stable key such as 'connection.malformed' or 'log.corrupt:orders-0')
// gets a few lines per window; what is suppressed is counted and reported with the
// cause's next line, so a flood of bad frames costs a handful of lines, not thousands.

export interface BrookLogger {
  info(message: string): void
  warn(message: string): void
  error(message: string, err?: unknown): void
  /** Details worth a line only when debugging (requests with ignored trailing bytes). */
  debug?(message: string): void
}

/** Writes one line per event to stderr. */
export const stderrLogger: BrookLogger = {
  info: (message) => process.stderr.write(`[brook] ${message}\n`),
  warn: (message) => process.stderr.write(`[brook] WARN ${message}\n`),
  debug: (message) => {
    if (process.env.BROOK_DEBUG) process.stderr.write(`[brook] DEBUG ${message}\n`)
  },
  error: (message, err) => {
    const detail = err instanceof Error ? (err.stack ?? err.message) : err === undefined ? '' : String(err)
    process.stderr.write(`[brook] ERROR ${message}${detail ? `: ${detail}` : ''}\n`)
  },
}

/** Drops everything (tests that do not look at the log). */
export const silentLogger: BrookLogger = { info: () => undefined, warn: () => undefined, error: () => undefined }

export interface RateLimitOptions {
  /** Lines let through per cause per window. Default 5. */
  linesPerWindow?: number
  /** Window length. Default 60000 ms. */
  windowMs?: number
  /** Clock, injectable for tests. */
  now?: () => number
  /** Causes remembered at most (oldest forgotten first). Default 1000. */
  maxCauses?: number
}

interface CauseState {
  windowStart: number
  lines: number
  suppressed: number
}

/** Rate-limits a BrookLogger per cause; suppressed lines are counted and reported. */
export class RateLimitedLogger {
  private readonly causes = new Map<string, CauseState>()
  private readonly linesPerWindow: number
  private readonly windowMs: number
  private readonly now: () => number
  private readonly maxCauses: number

  constructor(
    readonly target: BrookLogger,
    options: RateLimitOptions = {},
  ) {
    this.linesPerWindow = options.linesPerWindow ?? 5
    this.windowMs = options.windowMs ?? 60_000
    this.now = options.now ?? Date.now
    this.maxCauses = options.maxCauses ?? 1000
  }

  info(cause: string, message: string): void {
    const line = this.admit(cause, message)
    if (line !== null) this.target.info(line)
  }

  warn(cause: string, message: string): void {
    const line = this.admit(cause, message)
    if (line !== null) this.target.warn(line)
  }

  error(cause: string, message: string, err?: unknown): void {
    const line = this.admit(cause, message)
    if (line !== null) this.target.error(line, err)
  }

  /** Lines suppressed so far for a cause in its current window (tests, metrics). */
  suppressed(cause: string): number {
    return this.causes.get(cause)?.suppressed ?? 0
  }

  /** One summary line per cause whose suppressed lines were never reported (timer, shutdown). */
  reportSuppressed(): void {
    for (const [cause, state] of this.causes) {
      if (state.suppressed === 0) continue
      this.target.warn(`${state.suppressed} more line${state.suppressed === 1 ? '' : 's'} of '${cause}' suppressed`)
      state.suppressed = 0
    }
  }

  /** The line to write, with the count suppressed since the cause's last line, or null to drop it. */
  private admit(cause: string, message: string): string | null {
    const now = this.now()
    let state = this.causes.get(cause)
    if (state === undefined) {
      if (this.causes.size >= this.maxCauses) {
        const oldest = this.causes.keys().next().value
        if (oldest !== undefined) this.causes.delete(oldest)
      }
      state = { windowStart: now, lines: 0, suppressed: 0 }
      this.causes.set(cause, state)
    }
    if (now - state.windowStart >= this.windowMs) {
      state.windowStart = now
      state.lines = 0
    }
    if (state.lines >= this.linesPerWindow) {
      state.suppressed++
      return null
    }
    state.lines++
    if (state.suppressed === 0) return message
    const n = state.suppressed
    state.suppressed = 0
    return `${message} (${n} similar line${n === 1 ? '' : 's'} suppressed)`
  }
}
