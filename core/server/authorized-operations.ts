// KIP-430's authorized-operations bit fields. Brook has no authorizer, so, as Kafka does
// without one, every operation a resource type supports is reported as allowed. Codes are
// Kafka's AclOperation codes; the per-type sets are Kafka's supported operations.

/** Kafka's AclOperation codes (org.apache.kafka.common.acl.AclOperation). */
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const
export type AclOperation = (typeof AclOperation)[keyof typeof AclOperation]

/** The value a response carries when the client did not ask (Integer.MIN_VALUE). */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

const O = AclOperation

/** The operations each resource type supports. */
export const SUPPORTED_OPERATIONS = {
  topic: [O.READ, O.WRITE, O.CREATE, O.DESCRIBE, O.DELETE, O.ALTER, O.DESCRIBE_CONFIGS, O.ALTER_CONFIGS],
  group: [O.READ, O.DESCRIBE, O.DELETE, O.DESCRIBE_CONFIGS, O.ALTER_CONFIGS],
  cluster: [O.CREATE, O.CLUSTER_ACTION, O.DESCRIBE_CONFIGS, O.ALTER_CONFIGS, O.IDEMPOTENT_WRITE, O.ALTER, O.DESCRIBE],
} as const satisfies Record<string, readonly AclOperation[]>
export type AclResourceType = keyof typeof SUPPORTED_OPERATIONS

/** One bit per operation code, as Kafka's Utils.to32BitField packs them. */
export function operationBits(ops: readonly AclOperation[]): number {
  let bits = 0
  for (const op of ops) bits |= 1 << op
  return bits
}

const ALL_ALLOWED: Record<AclResourceType, number> = {
  topic: operationBits(SUPPORTED_OPERATIONS.topic),
  group: operationBits(SUPPORTED_OPERATIONS.group),
  cluster: operationBits(SUPPORTED_OPERATIONS.cluster),
}

/** The field to send: every supported operation when asked, the "omitted" value otherwise. */
export function authorizedOperations(type: AclResourceType, requested: boolean): number {
  return requested ? ALL_ALLOWED[type] : AUTHORIZED_OPERATIONS_OMITTED
}
