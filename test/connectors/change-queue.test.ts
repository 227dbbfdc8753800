import { describe, expect, it } from 'vitest'
import { ChangeQueue } from '../../connectors/cdc/change-queue.js'

describe('ChangeQueue (max.queue.size)', () => {
  it('pauses the stream once at the bound, resumes below it, and hands out batches of at most max.batch.size in order', () => {
    const events: string[] = []
    const q = new ChangeQueue<number>({ maxSize: 4, onFull: () => events.push('full'), onSpace: () => events.push('space') })
    for (let i = 0; i < 6; i++) q.push(i) // the stream delivers what it already decoded
    expect(events).toEqual(['full'])
    expect(q.take(3)).toEqual([0, 1, 2])
    expect(events).toEqual(['full', 'space'])
    expect(q.take(10)).toEqual([3, 4, 5])
    expect(q.size).toBe(0)
    expect(q.highWater).toBe(6)
  })

  it('knows whether a record was taken, so a transaction\'s commit can still update its queued last record', () => {
    const q = new ChangeQueue<{ v: number }>({ maxSize: 100, onFull: () => {}, onSpace: () => {} })
    const a = q.push({ v: 1 })
    const b = q.push({ v: 2 })
    q.take(1)
    expect(q.taken(a)).toBe(true)
    expect(q.peek(a)).toBeUndefined()
    expect(q.peek(b)).toEqual({ v: 2 })
    q.clear()
    expect(q.taken(b)).toBe(true)
    expect(q.peek(q.push({ v: 3 }))).toEqual({ v: 3 })
  })
})
