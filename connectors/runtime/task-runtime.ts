// What the worker's source and sink task loops share: the parsed connector config, the
// converters, the transformation chain, error tolerance, pause gate and status reporting.
import type { BrookClient } from '../../core/client/types.js'
import type { ParsedConfig } from '../api/config-def.js'
import type { ConnectRecord } from '../api/record.js'
import type { Converter } from '../converters/converter.js'
import { ConnectException, errorMessage, type RetriableException } from '../errors.js'
import type { TransformationChain } from '../transforms/transformation.js'
import { withRetry } from './retry.js'
import type { ConnectState, StatusStore } from './status-store.js'

export class PauseGate {
  private waiters: Array<() => void> = []
  paused = false
  pause(): void {
    this.paused = true
  }
  resume(): void {
    this.paused = false
    for (const w of this.waiters.splice(0)) w()
  }
  /** Resolves once not paused (or the signal aborts). */
  wait(signal: AbortSignal): Promise<void> {
    if (!this.paused || signal.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      this.waiters.push(resolve)
      signal.addEventListener('abort', () => resolve(), { once: true })
    })
  }
}

export interface ProgressEvent {
  connector: string
  taskId: number
  label: string
  total: number | null
  done: number
  finished: boolean
}

export interface TaskRuntime {
  connector: string
  taskId: number
  config: ParsedConfig
  client: BrookClient
  keyConverter: Converter
  valueConverter: Converter
  chain: TransformationChain
  status: StatusStore
  gate: PauseGate
  signal: AbortSignal
  onProgress: (e: ProgressEvent) => void
  log: (line: string) => void
}

export function toleranceAll(rt: TaskRuntime): boolean {
  return rt.config.getString('errors.tolerance') === 'all'
}

/** Runs an operation, retrying RetriableExceptions with backoff while the task status says so. */
export async function retrying<T>(rt: TaskRuntime, what: string, op: () => Promise<T>): Promise<T> {
  let retried = false
  const result = await withRetry(op, {
    timeoutMs: -1,
    maxDelayMs: rt.config.getInt('errors.retry.delay.max.ms'),
    signal: rt.signal,
    onRetry: async (err: RetriableException, delay: number, attempt: number) => {
      retried = true
      rt.log(`${rt.connector}-${rt.taskId}: ${what} failed (attempt ${attempt}), retrying in ${delay} ms: ${err.message}`)
      await setTaskState(rt, 'RUNNING', `Retrying ${what} in ${delay} ms (attempt ${attempt}): ${err.message}`)
    },
  })
  if (retried) await setTaskState(rt, 'RUNNING', null)
  return result
}

export async function setTaskState(rt: TaskRuntime, state: ConnectState, trace: string | null): Promise<void> {
  await rt.status.putTask(rt.connector, rt.taskId, state, trace)
}

/** Applies the transformation chain; with errors.tolerance=all a failing record is skipped (null). */
export function transform<R extends ConnectRecord>(rt: TaskRuntime, record: R, onSkip?: (err: Error) => void): R | null {
  try {
    return rt.chain.apply(record)
  } catch (err) {
    if (!toleranceAll(rt)) throw err
    if (rt.config.getBoolean('errors.log.enable')) rt.log(`${rt.connector}: skipping a record of '${record.topic}': ${errorMessage(err)}`)
    onSkip?.(err as Error)
    return null
  }
}

/**
 * Awaits the converters' async preparation of a batch (registering or fetching schemas) when
 * either needs any: `prepare` calls their hooks, which answer null when nothing is missing.
 * Null when neither needed anything (the caller then does not await); a RetriableException
 * (an unreachable registry) is retried with backoff while the task status says so.
 */
export function prepareConverters(rt: TaskRuntime, prepare: () => [Promise<void> | null | undefined, Promise<void> | null | undefined]): Promise<void> | null {
  const [key, value] = prepare()
  if ((key === null || key === undefined) && (value === null || value === undefined)) return null
  let first: Promise<unknown> | null = Promise.all([key, value])
  return retrying(rt, 'converter preparation', () => {
    const attempt = first ?? Promise.all(prepare())
    first = null
    return attempt
  }).then(() => undefined)
}

export function wrapTaskError(rt: TaskRuntime, err: unknown): ConnectException {
  if (err instanceof ConnectException) return err
  return new ConnectException(`task ${rt.taskId} failed: ${errorMessage(err)}`, { connector: rt.connector, cause: err })
}
