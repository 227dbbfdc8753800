// Shared by the streams and SQL benches: how a KafkaStreams application is timed.
import type { KafkaStreams } from '../streams/index.js'

/** Wall-clock and CPU milliseconds of this process (broker included, in-process) over a measured span. */
export interface Span {
  ms: number
  cpuMs: number
}

/**
 * Starts `streams` and times it from its first RUNNING (topics made, tasks assigned and restored)
 * until `done()` holds and a commit has completed: caches flushed, outputs and changelogs
 * acknowledged, input offsets committed. Fails as soon as the application is in ERROR.
 */
export async function runUntilCommitted(streams: KafkaStreams, done: () => boolean): Promise<Span> {
  let t0 = 0
  let c0 = process.cpuUsage()
  streams.onStateChange = (state) => {
    if (state === 'RUNNING' && t0 === 0) {
      t0 = performance.now()
      c0 = process.cpuUsage()
    }
  }
  await streams.start()
  while (!done()) {
    if (streams.state === 'ERROR') throw streams.error!
    await new Promise((r) => setTimeout(r, 2))
  }
  await streams.commit()
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(c0)
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 }
}
