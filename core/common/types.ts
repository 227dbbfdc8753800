// Types the broker and the clients share. Neither side owns them: the broker's group
// coordinator and the clients' interfaces both import them from here.

export interface TopicPartition {
  topic: string
  partition: number
}

/** A classic consumer group's state, as Kafka names it. */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead'

/** read_uncommitted (0) sees every record; read_committed (1) only those of committed transactions, up to the last stable offset. */
export type IsolationLevel = 'read_uncommitted' | 'read_committed'
