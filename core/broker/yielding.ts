// Work that scales with the partition count runs in slices: after a slice's time is
// up it yields to the event loop (setImmediate), so other clients keep being served
// while a broker opens, creates or scans tens of thousands of partitions.
import { setImmediate as nextTurn } from 'node:timers/promises'

/** Longest a slice of partition work keeps the event loop. */
export const SLICE_MS = 10

/** Calls fn(i) for i in [from, to), yielding to the event loop every SLICE_MS. */
export async function forEachSliced(from: number, to: number, fn: (i: number) => void, sliceMs = SLICE_MS): Promise<void> {
  let sliceStart = performance.now()
  for (let i = from; i < to; i++) {
    fn(i)
    if ((i & 15) === 15 && performance.now() - sliceStart >= sliceMs) {
      await nextTurn()
      sliceStart = performance.now()
    }
  }
}

/** A yield point for loops of their own: resolves at once while the slice lasts, else after the next turn. */
export class Slicer {
  private sliceStart = performance.now()
  constructor(private readonly sliceMs = SLICE_MS) {}

  /** True when the caller should `await slicer.yield()` now. */
  get due(): boolean {
    return performance.now() - this.sliceStart >= this.sliceMs
  }

  async yield(): Promise<void> {
    await nextTurn()
    this.sliceStart = performance.now()
  }
}
