// Window specifications. Times in milliseconds.
import type { Window } from './windowed.js'
import { InvalidConfigError } from '../../core/errors.js'

function nonNegative(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new InvalidConfigError(name, `must be a non-negative number of milliseconds, got ${v}`)
  return v
}
function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new InvalidConfigError(name, `must be a positive number of milliseconds, got ${v}`)
  return v
}

/** Fixed-size windows: tumbling (advance = size) or hopping (advance < size). [start, end). */
export class TimeWindows {
  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {}
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return new TimeWindows(positive('size', sizeMs), sizeMs, 0)
  }
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    return new TimeWindows(positive('size', sizeMs), sizeMs, nonNegative('grace', graceMs))
  }
  advanceBy(advanceMs: number): TimeWindows {
    positive('advance', advanceMs)
    if (advanceMs > this.sizeMs) throw new InvalidConfigError('advance', `must be at most the window size ${this.sizeMs}, got ${advanceMs}`)
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs)
  }
  /** The windows containing `timestamp`, by start. */
  windowsFor(timestamp: number): Window[] {
    const out: Window[] = []
    let start = Math.floor(Math.max(0, timestamp - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs
    for (; start <= timestamp; start += this.advanceMs) out.push({ start, end: start + this.sizeMs })
    return out
  }
}

/** Windows of a fixed time difference around each record, both ends inclusive. */
export class SlidingWindows {
  private constructor(
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {}
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    return new SlidingWindows(positive('timeDifference', timeDifferenceMs), nonNegative('grace', graceMs))
  }
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return new SlidingWindows(positive('timeDifference', timeDifferenceMs), 0)
  }
}

/** Sessions of activity separated by gaps of inactivity; [start, end] inclusive. */
export class SessionWindows {
  private constructor(
    readonly inactivityGapMs: number,
    readonly graceMs: number,
  ) {}
  static ofInactivityGapAndGrace(gapMs: number, graceMs: number): SessionWindows {
    return new SessionWindows(positive('inactivityGap', gapMs), nonNegative('grace', graceMs))
  }
  static ofInactivityGapWithNoGrace(gapMs: number): SessionWindows {
    return new SessionWindows(positive('inactivityGap', gapMs), 0)
  }
}

/** Stream-stream join windows: records join when other.ts is in [ts - before, ts + after]. */
export class JoinWindows {
  private constructor(
    readonly beforeMs: number,
    readonly afterMs: number,
    readonly graceMs: number,
  ) {}
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    nonNegative('timeDifference', timeDifferenceMs)
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, nonNegative('grace', graceMs))
  }
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0)
  }
  static ofTimeDifferenceAndNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0)
  }
  before(ms: number): JoinWindows {
    return new JoinWindows(nonNegative('before', ms), this.afterMs, this.graceMs)
  }
  after(ms: number): JoinWindows {
    return new JoinWindows(this.beforeMs, nonNegative('after', ms), this.graceMs)
  }
}

export class BufferConfig {
  private constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
    readonly whenFull: 'emitEarly' | 'shutDown',
  ) {}
  static unbounded(): BufferConfig {
    return new BufferConfig(Infinity, Infinity, 'shutDown')
  }
  static maxRecords(n: number): BufferConfig {
    return new BufferConfig(n, Infinity, 'emitEarly')
  }
  static maxBytes(n: number): BufferConfig {
    return new BufferConfig(Infinity, n, 'emitEarly')
  }
  emitEarlyWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'emitEarly')
  }
  shutDownWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'shutDown')
  }
}

export class Suppressed {
  private constructor(
    readonly kind: 'untilWindowCloses' | 'untilTimeLimit',
    readonly timeLimitMs: number,
    readonly buffer: BufferConfig,
    readonly name: string | null,
  ) {}
  /** Only the final result of each window, once stream time passes window end + grace. For windowed tables. */
  static untilWindowCloses(buffer: BufferConfig): Suppressed {
    return new Suppressed('untilWindowCloses', 0, buffer, null)
  }
  /** The latest value of each key once `timeLimitMs` of stream time passed since its first buffered update. */
  static untilTimeLimit(timeLimitMs: number, buffer: BufferConfig): Suppressed {
    return new Suppressed('untilTimeLimit', nonNegative('timeLimit', timeLimitMs), buffer, null)
  }
  withName(name: string): Suppressed {
    return new Suppressed(this.kind, this.timeLimitMs, this.buffer, name)
  }
}
