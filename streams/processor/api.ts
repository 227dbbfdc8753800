// The Processor API: user processors, their context and punctuation.
import type { StateStore } from '../state/types.js'
import type { Record } from './record.js'

export enum PunctuationType {
  /** Fires as stream time (the largest record timestamp seen by the task) passes each interval. */
  STREAM_TIME = 'STREAM_TIME',
  /** Fires as the wall clock passes each interval, whether records arrive or not. */
  WALL_CLOCK_TIME = 'WALL_CLOCK_TIME',
}

export type Punctuator = (timestamp: number) => void

export interface Cancellable {
  cancel(): void
}

/** Where the record being processed came from; null while punctuating or for records made by a punctuator. */
export interface RecordMetadata {
  topic: string
  partition: number
  offset: number
}

export interface TaskId {
  subtopology: number
  partition: number
  toString(): string
}

export interface ProcessorContext<KForward = unknown, VForward = unknown> {
  readonly applicationId: string
  readonly taskId: TaskId
  recordMetadata(): RecordMetadata | null
  /** Sends a record to all children, or to the named child only. */
  forward<K extends KForward, V extends VForward>(record: Record<K, V>, childName?: string): void
  schedule(intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable
  getStateStore<S extends StateStore = StateStore>(name: string): S
  currentStreamTimeMs(): number
  currentSystemTimeMs(): number
  /** Asks the executor to commit (flush stores, write checkpoints) soon. */
  commit(): void
}

export interface Processor<KIn, VIn, KOut = never, VOut = never> {
  init?(context: ProcessorContext<KOut, VOut>): void
  process(record: Record<KIn, VIn>): void
  close?(): void
}

/** Makes one processor instance per task: instances must not be shared. */
export type ProcessorSupplier<KIn, VIn, KOut = never, VOut = never> = () => Processor<KIn, VIn, KOut, VOut>

/** A processor that may change the value but never the key, so no repartition follows it. */
export interface FixedKeyProcessor<KIn, VIn, VOut = never> {
  init?(context: FixedKeyProcessorContext<KIn, VOut>): void
  process(record: Record<KIn, VIn>): void
  close?(): void
}

export interface FixedKeyProcessorContext<K, VForward> extends Omit<ProcessorContext<K, VForward>, 'forward'> {
  forward<V extends VForward>(record: Record<K, V>, childName?: string): void
}

export type FixedKeyProcessorSupplier<KIn, VIn, VOut = never> = () => FixedKeyProcessor<KIn, VIn, VOut>
