// Foreign-key table join, spread over partitions as Kafka Streams does it:
// 1. the left table sends a subscription (keyed by the foreign key) to a
//    repartition topic co-partitioned with the right table;
// 2. the right side keeps, per foreign key, the left keys subscribed to it,
//    and answers each subscription, and every right-table change, with a
//    response (keyed by the left key) carrying the right value;
// 3. the left side joins the response with its current value, dropping
//    responses whose value hash no longer matches (a newer left change is in flight).
import { createHash } from 'node:crypto'
import type { KeyValueStore } from '../../state/types.js'
import type { Serde } from '../../serdes.js'
import type { AnyProcessor } from '../topology-builder.js'
import type { ValueGetterSupplier } from '../value-getter.js'
import type { Change } from '../change.js'
import type { Ctx } from './base.js'
import { Record as StreamRecord } from '../../processor/record.js'

export enum Instruction {
  DELETE_NO_PROPAGATE = 0,
  DELETE_AND_PROPAGATE = 1,
  PROPAGATE_NULL_IF_NO_FK_VAL = 2,
  PROPAGATE_ONLY_IF_FK_VAL = 3,
}

export interface Subscription {
  instruction: Instruction
  hash: Buffer | null
  leftKey: unknown
}

export interface SubscriptionResponse {
  hash: Buffer | null
  rightValue: unknown
}

type Subscribers = Array<{ leftKey: unknown; hash: Buffer | null }>

/** Hash of a left value, to recognise stale responses. */
export function valueHash(value: unknown): Buffer | null {
  if (value === null || value === undefined) return null
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  return createHash('md5').update(text ?? '').digest()
}

const sameKey = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)
const sameHash = (a: Buffer | null, b: Buffer | null): boolean => (a === null ? b === null : b !== null && a.equals(b))

/** Step 1, on the left table: subscriptions to the old and new foreign keys. */
export const fkSubscriptionSend = (fk: (v: unknown) => unknown, leftJoin: boolean, subscriptionChild: string, responseChild: string) => (): AnyProcessor => {
  let ctx: Ctx
  return {
    init(c: Ctx) {
      ctx = c
    },
    process(r) {
      const ch = r.value as Change<unknown>
      const oldFk = ch.oldValue === null || ch.oldValue === undefined ? null : fk(ch.oldValue)
      const send = (key: unknown, instruction: Instruction, hash: Buffer | null): void => {
        if (key === null || key === undefined) return
        ctx.forward(r.withKey(key).withValue({ instruction, hash, leftKey: r.key } satisfies Subscription), subscriptionChild)
      }
      if (ch.newValue === null || ch.newValue === undefined) {
        if (oldFk !== null) send(oldFk, Instruction.DELETE_AND_PROPAGATE, null)
        return
      }
      const newFk = fk(ch.newValue)
      const moved = oldFk !== null && !sameKey(oldFk, newFk)
      if (moved) send(oldFk, Instruction.DELETE_NO_PROPAGATE, null)
      const instruction = leftJoin || moved ? Instruction.PROPAGATE_NULL_IF_NO_FK_VAL : Instruction.PROPAGATE_ONLY_IF_FK_VAL
      if (newFk === null || newFk === undefined) {
        // no foreign key: nothing to subscribe to; answer at once (a left join still has a result)
        if (leftJoin || moved) ctx.forward(r.withValue({ hash: valueHash(ch.newValue), rightValue: null } satisfies SubscriptionResponse), responseChild)
        return
      }
      send(newFk, instruction, valueHash(ch.newValue))
    },
  }
}

/** Step 2a, on the right side: record (or drop) the subscription, then pass it on to be answered. */
export const fkSubscriptionReceive = (subscriptionStore: string) => (): AnyProcessor => {
  let ctx: Ctx
  let store: KeyValueStore<unknown, Subscribers>
  return {
    init(c: Ctx) {
      ctx = c
      store = ctx.getStateStore(subscriptionStore)
    },
    process(r) {
      const s = r.value as Subscription
      if (r.key === null || r.key === undefined) return
      const subs = (store.get(r.key) ?? []).filter((x) => !sameKey(x.leftKey, s.leftKey))
      if (s.instruction === Instruction.DELETE_NO_PROPAGATE || s.instruction === Instruction.DELETE_AND_PROPAGATE) {
        store.put(r.key, subs.length === 0 ? null : subs)
        if (s.instruction === Instruction.DELETE_AND_PROPAGATE) ctx.forward(r)
        return
      }
      subs.push({ leftKey: s.leftKey, hash: s.hash })
      store.put(r.key, subs)
      ctx.forward(r)
    },
  }
}

/** Step 2a, continued: answer a subscription with the right table's current value. */
export const fkSubscriptionLookup = (rightGetter: ValueGetterSupplier<unknown, unknown>) => (): AnyProcessor => {
  let ctx: Ctx
  let get: (k: unknown) => unknown
  return {
    init(c: Ctx) {
      ctx = c
      get = rightGetter.init(ctx)
    },
    process(r) {
      const s = r.value as Subscription
      const respond = (rightValue: unknown): void =>
        ctx.forward(new StreamRecord(s.leftKey, { hash: s.hash, rightValue } satisfies SubscriptionResponse, r.timestamp))
      if (s.instruction === Instruction.DELETE_AND_PROPAGATE) {
        respond(null)
        return
      }
      const rv = get(r.key) ?? null
      if (rv !== null || s.instruction === Instruction.PROPAGATE_NULL_IF_NO_FK_VAL) respond(rv)
    },
  }
}

/** Step 2b, on the right table: a change answers every subscriber of that key. */
export const fkRightChange = (subscriptionStore: string) => (): AnyProcessor => {
  let ctx: Ctx
  let store: KeyValueStore<unknown, Subscribers>
  return {
    init(c: Ctx) {
      ctx = c
      store = ctx.getStateStore(subscriptionStore)
    },
    process(r) {
      if (r.key === null || r.key === undefined) return
      const ch = r.value as Change<unknown>
      for (const s of store.get(r.key) ?? [])
        ctx.forward(new StreamRecord(s.leftKey, { hash: s.hash, rightValue: ch.newValue ?? null } satisfies SubscriptionResponse, r.timestamp))
    },
  }
}

/** Step 3, on the left side: join the response with the current left value. */
export const fkResponseJoin =
  (leftGetter: ValueGetterSupplier<unknown, unknown>, joiner: (l: unknown, r: unknown) => unknown, leftJoin: boolean) => (): AnyProcessor => {
    let ctx: Ctx
    let get: (k: unknown) => unknown
    return {
      init(c: Ctx) {
        ctx = c
        get = leftGetter.init(ctx)
      },
      process(r) {
        const resp = r.value as SubscriptionResponse
        const current = get(r.key) ?? null
        if (!sameHash(valueHash(current), resp.hash)) return
        let result: unknown = null
        if (current !== null) result = resp.rightValue === null ? (leftJoin ? joiner(current, null) : null) : joiner(current, resp.rightValue)
        ctx.forward(r.withValue({ newValue: result, oldValue: null } satisfies Change<unknown>))
      },
    }
  }

/** Subscription on the wire: instruction (1) | hash length (1) | hash | left key. */
export function subscriptionSerde(leftKey: Serde<unknown>): Serde<Subscription> {
  return {
    serialize(topic, s) {
      if (s === null) return null
      const k = leftKey.serialize(topic, s.leftKey) ?? Buffer.alloc(0)
      const h = s.hash ?? Buffer.alloc(0)
      return Buffer.concat([Buffer.from([s.instruction, h.length]), h, k])
    },
    deserialize(topic, b) {
      if (b === null) return null
      const hl = b[1]!
      return { instruction: b[0]! as Instruction, hash: hl === 0 ? null : b.subarray(2, 2 + hl), leftKey: leftKey.deserialize(topic, b.subarray(2 + hl)) }
    },
  }
}

/** Response on the wire: hash length (1) | hash | null flag (1) | right value. */
export function responseSerde(rightValue: Serde<unknown>): Serde<SubscriptionResponse> {
  return {
    serialize(topic, s) {
      if (s === null) return null
      const h = s.hash ?? Buffer.alloc(0)
      const v = s.rightValue === null ? null : rightValue.serialize(topic, s.rightValue)
      return Buffer.concat([Buffer.from([h.length]), h, Buffer.from([v === null ? 0 : 1]), v ?? Buffer.alloc(0)])
    },
    deserialize(topic, b) {
      if (b === null) return null
      const hl = b[0]!
      const hash = hl === 0 ? null : b.subarray(1, 1 + hl)
      return { hash, rightValue: b[1 + hl] === 0 ? null : rightValue.deserialize(topic, b.subarray(2 + hl)) }
    },
  }
}

/** The subscribers of one foreign key: repeated key length (4) | key | hash length (1) | hash. */
export function subscribersSerde(leftKey: Serde<unknown>): Serde<Subscribers> {
  return {
    serialize(topic, subs) {
      if (subs === null) return null
      const parts: Buffer[] = []
      for (const s of subs) {
        const k = leftKey.serialize(topic, s.leftKey) ?? Buffer.alloc(0)
        const h = s.hash ?? Buffer.alloc(0)
        const head = Buffer.allocUnsafe(4)
        head.writeUInt32BE(k.length, 0)
        parts.push(head, k, Buffer.from([h.length]), h)
      }
      return Buffer.concat(parts)
    },
    deserialize(topic, b) {
      if (b === null) return null
      const out: Subscribers = []
      let at = 0
      while (at < b.length) {
        const kl = b.readUInt32BE(at)
        const key = leftKey.deserialize(topic, b.subarray(at + 4, at + 4 + kl))
        at += 4 + kl
        const hl = b[at]!
        out.push({ leftKey: key, hash: hl === 0 ? null : Buffer.from(b.subarray(at + 1, at + 1 + hl)) })
        at += 1 + hl
      }
      return out
    },
  }
}
