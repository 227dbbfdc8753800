import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { validateTopicName } from '../../../core/broker/topic-name.js'
import { InvalidTopicError } from '../../../core/errors.js'

describe('validateTopicName', () => {
  it('accepts Kafka-legal names', () => {
    for (const name of ['orders', 'a.b_c-d', 'X'.repeat(249), '_internal', '123']) expect(() => validateTopicName(name)).not.toThrow()
  })

  it.each(['', '.', '..', '../x', 'a/b', 'a b', 'ü', 'x'.repeat(250), 'a\u0000b', '..\\evil'])('rejects %j with InvalidTopicError', (name) => {
    expect(() => validateTopicName(name)).toThrow(InvalidTopicError)
  })

  it('accepts exactly the names matching [a-zA-Z0-9._-]{1,249} other than . and ..', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 260 }), (name) => {
        const legal = /^[a-zA-Z0-9._-]{1,249}$/.test(name) && name !== '.' && name !== '..'
        let ok = true
        try {
          validateTopicName(name)
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidTopicError)
          ok = false
        }
        expect(ok).toBe(legal)
      }),
    )
  })
})
