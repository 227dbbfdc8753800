import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../../../../core/protocol/errors.js'
import { Reader } from '../../../../core/protocol/primitives/reader.js'
import { Writer } from '../../../../core/protocol/primitives/writer.js'

function invalid(fn: () => unknown): void {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError)
    expect((err as ProtocolError).kind).toBe('INVALID_VALUE')
    return
  }
  throw new Error('expected a ProtocolError')
}

describe('Writer', () => {
  it('links large payloads instead of copying them', () => {
    const records = Buffer.alloc(4096, 7)
    const w = new Writer(64)
    w.writeInt32(1).writeRecords(records, false).writeInt16(2)
    const chunks = w.toBuffers()
    expect(chunks).toContain(records)
    expect(Buffer.concat(chunks)).toEqual(w.toBuffer())
    const r = new Reader(w.toBuffer())
    expect(r.readInt32()).toBe(1)
    expect(r.readRecords(false)).toEqual(records)
    expect(r.readInt16()).toBe(2)
  })

  it('copies small payloads into the scratch buffer', () => {
    const small = Buffer.from([1, 2, 3])
    const w = new Writer(64).writeBytes(small)
    expect(w.toBuffers()).not.toContain(small)
    expect([...w.toBuffer()]).toEqual([0, 0, 0, 3, 1, 2, 3])
  })

  it('patches a reserved size after growing through several scratch buffers', () => {
    const w = new Writer(16)
    const slot = w.reserveInt32()
    for (let i = 0; i < 1000; i++) w.writeInt32(i)
    w.patchInt32(slot, w.length - 4)
    const out = w.toBuffer()
    expect(out.length).toBe(4004)
    expect(out.readInt32BE(0)).toBe(4000)
    expect(out.readInt32BE(4 + 999 * 4)).toBe(999)
  })

  it('is reusable after reset, and toBuffer copies outlive the reset', () => {
    const w = new Writer(16)
    const first = w.writeString('first').toBuffer()
    w.reset()
    expect(w.length).toBe(0)
    const second = w.writeString('other').toBuffer()
    expect(new Reader(first).readString()).toBe('first')
    expect(new Reader(second).readString()).toBe('other')
  })

  it('appends another writer', () => {
    const inner = new Writer(8).writeInt32(5).writeCompactString('x')
    const outer = new Writer(8).writeInt8(1).writeUnsignedVarInt(inner.length).append(inner)
    expect([...outer.toBuffer()]).toEqual([1, 6, 0, 0, 0, 5, 2, 0x78])
  })

  it('rejects values the wire type cannot hold', () => {
    invalid(() => new Writer().writeString('x'.repeat(40000)))
    invalid(() => new Writer().writeUuid('not-a-uuid'))
    invalid(() => new Writer().writeUuid('AAECAwQFBgcICQoLDA0ODx')) // stray low bits
    invalid(() => new Writer().writeUnsignedVarInt(-1))
    invalid(() => new Writer().writeVarInt(2 ** 31))
    invalid(() => new Writer().writeVarLong(2 ** 60))
    invalid(() => new Writer().writeInt64(1.5))
  })
})
