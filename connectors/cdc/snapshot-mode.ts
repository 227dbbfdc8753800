// Debezium's snapshot.mode values and when they call for an initial snapshot, shared by the
// PostgreSQL and MySQL/MariaDB CDC connectors.
export type SnapshotMode = 'initial' | 'initial_only' | 'no_data' | 'never' | 'when_needed' | 'always'

export const SNAPSHOT_MODES: readonly SnapshotMode[] = ['initial', 'initial_only', 'no_data', 'never', 'when_needed', 'always']

/**
 * Whether to take a snapshot now: `completed` says a stored offset marks a finished snapshot,
 * `resumable` that the stream can resume where the stored offset points (slot present, binlog
 * file still on the server).
 */
export function needsSnapshot(mode: SnapshotMode, completed: boolean, resumable: boolean): boolean {
  switch (mode) {
    case 'always': return true
    case 'initial':
    case 'initial_only': return !completed
    case 'when_needed': return !completed || !resumable
    case 'no_data':
    case 'never': return false
  }
}
