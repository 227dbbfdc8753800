// Delete-policy retention: which leading segments may go. Pure planning over
// segment summaries; the Log deletes the files and moves the log start offset.
import type { LogConfig } from '../log-config.js'

export interface RetentionSegment {
  baseOffset: number
  size: number
  /** Largest record timestamp in the segment, or its file's last-modified time when it has none. */
  largestTimestamp: number
}

export interface RetentionPlan {
  /** How many segments, from the oldest, to delete. */
  deleteCount: number
  reason: 'retention.ms' | 'retention.bytes' | 'log-start-offset' | null
}

/**
 * Kafka's rules: leading segments that are past retention.ms (by largest
 * timestamp), that keep the log above retention.bytes, or that lie wholly
 * below the log start offset. The last (active) segment is never included.
 */
export function planRetention(
  segments: readonly RetentionSegment[],
  config: Pick<LogConfig, 'retentionMs' | 'retentionBytes' | 'cleanupPolicy'>,
  logStartOffset: number,
  now: number,
): RetentionPlan {
  const closed = segments.length - 1
  // Below the log start offset: the next segment starts at or before it.
  let byStart = 0
  while (byStart < closed && segments[byStart + 1]!.baseOffset <= logStartOffset) byStart++
  let best: RetentionPlan = { deleteCount: byStart, reason: byStart > 0 ? 'log-start-offset' : null }
  if (!config.cleanupPolicy.includes('delete')) return best

  if (config.retentionMs >= 0) {
    let n = 0
    while (n < closed && now - segments[n]!.largestTimestamp > config.retentionMs) n++
    if (n > best.deleteCount) best = { deleteCount: n, reason: 'retention.ms' }
  }
  if (config.retentionBytes >= 0) {
    let total = 0
    for (const s of segments) total += s.size
    let diff = total - config.retentionBytes
    let n = 0
    while (n < closed && diff - segments[n]!.size >= 0) {
      diff -= segments[n]!.size
      n++
    }
    if (n > best.deleteCount) best = { deleteCount: n, reason: 'retention.bytes' }
  }
  return best
}
