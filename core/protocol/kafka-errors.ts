// Kafka's protocol error codes (the public table every client knows): code, name, whether
// Kafka classes it as retriable, and a short description of our own. This is the one
// table: Brook's own error codes (core/errors.ts), the server's answers
// (core/server/error-codes.ts) and the wire client's errors (core/client/kafka/errors.ts)
// are derived from it. test/core/protocol/kafka-errors.test.ts pins every code, name and
// retriable flag to Kafka's Errors enum (dumped from the Kafka client jar, see
// test/fixtures/kafka/README.md).

export interface KafkaErrorInfo {
  readonly code: number
  readonly name: string
  readonly retriable: boolean
  readonly message: string
}

export const KafkaErrors = {
  UNKNOWN_SERVER_ERROR: { code: -1, name: 'UNKNOWN_SERVER_ERROR', retriable: false, message: 'Unexpected error on the server' },
  NONE: { code: 0, name: 'NONE', retriable: false, message: 'No error' },
  OFFSET_OUT_OF_RANGE: { code: 1, name: 'OFFSET_OUT_OF_RANGE', retriable: false, message: 'Offset is outside the partition\'s range' },
  CORRUPT_MESSAGE: { code: 2, name: 'CORRUPT_MESSAGE', retriable: true, message: 'Record failed its CRC or is otherwise corrupt' },
  UNKNOWN_TOPIC_OR_PARTITION: { code: 3, name: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true, message: 'Topic or partition is not hosted by this server' },
  INVALID_FETCH_SIZE: { code: 4, name: 'INVALID_FETCH_SIZE', retriable: false, message: 'Fetch size is invalid' },
  LEADER_NOT_AVAILABLE: { code: 5, name: 'LEADER_NOT_AVAILABLE', retriable: true, message: 'Partition has no leader right now' },
  NOT_LEADER_OR_FOLLOWER: { code: 6, name: 'NOT_LEADER_OR_FOLLOWER', retriable: true, message: 'This broker is not the leader or a replica of the partition' },
  REQUEST_TIMED_OUT: { code: 7, name: 'REQUEST_TIMED_OUT', retriable: true, message: 'Request timed out' },
  BROKER_NOT_AVAILABLE: { code: 8, name: 'BROKER_NOT_AVAILABLE', retriable: false, message: 'Broker is not available' },
  REPLICA_NOT_AVAILABLE: { code: 9, name: 'REPLICA_NOT_AVAILABLE', retriable: true, message: 'Replica is not available for the partition' },
  MESSAGE_TOO_LARGE: { code: 10, name: 'MESSAGE_TOO_LARGE', retriable: false, message: 'Message is larger than the server accepts' },
  STALE_CONTROLLER_EPOCH: { code: 11, name: 'STALE_CONTROLLER_EPOCH', retriable: false, message: 'Controller moved to another broker' },
  OFFSET_METADATA_TOO_LARGE: { code: 12, name: 'OFFSET_METADATA_TOO_LARGE', retriable: false, message: 'Offset commit metadata is too large' },
  NETWORK_EXCEPTION: { code: 13, name: 'NETWORK_EXCEPTION', retriable: true, message: 'Connection closed before a response arrived' },
  COORDINATOR_LOAD_IN_PROGRESS: { code: 14, name: 'COORDINATOR_LOAD_IN_PROGRESS', retriable: true, message: 'Coordinator is still loading' },
  COORDINATOR_NOT_AVAILABLE: { code: 15, name: 'COORDINATOR_NOT_AVAILABLE', retriable: true, message: 'Coordinator is not available' },
  NOT_COORDINATOR: { code: 16, name: 'NOT_COORDINATOR', retriable: true, message: 'This broker is not the coordinator' },
  INVALID_TOPIC_EXCEPTION: { code: 17, name: 'INVALID_TOPIC_EXCEPTION', retriable: false, message: 'Topic name or operation on it is invalid' },
  RECORD_LIST_TOO_LARGE: { code: 18, name: 'RECORD_LIST_TOO_LARGE', retriable: false, message: 'Batch is larger than the segment size' },
  NOT_ENOUGH_REPLICAS: { code: 19, name: 'NOT_ENOUGH_REPLICAS', retriable: true, message: 'Fewer in-sync replicas than required' },
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: { code: 20, name: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', retriable: true, message: 'Written to fewer in-sync replicas than required' },
  INVALID_REQUIRED_ACKS: { code: 21, name: 'INVALID_REQUIRED_ACKS', retriable: false, message: 'Invalid acks value' },
  ILLEGAL_GENERATION: { code: 22, name: 'ILLEGAL_GENERATION', retriable: false, message: 'Group generation is not current' },
  INCONSISTENT_GROUP_PROTOCOL: { code: 23, name: 'INCONSISTENT_GROUP_PROTOCOL', retriable: false, message: 'Member protocols are incompatible with the group' },
  INVALID_GROUP_ID: { code: 24, name: 'INVALID_GROUP_ID', retriable: false, message: 'Group id is invalid' },
  UNKNOWN_MEMBER_ID: { code: 25, name: 'UNKNOWN_MEMBER_ID', retriable: false, message: 'Coordinator does not know this member' },
  INVALID_SESSION_TIMEOUT: { code: 26, name: 'INVALID_SESSION_TIMEOUT', retriable: false, message: 'Session timeout is outside the allowed range' },
  REBALANCE_IN_PROGRESS: { code: 27, name: 'REBALANCE_IN_PROGRESS', retriable: false, message: 'Group is rebalancing; rejoin needed' },
  INVALID_COMMIT_OFFSET_SIZE: { code: 28, name: 'INVALID_COMMIT_OFFSET_SIZE', retriable: false, message: 'Committed offset data size is invalid' },
  TOPIC_AUTHORIZATION_FAILED: { code: 29, name: 'TOPIC_AUTHORIZATION_FAILED', retriable: false, message: 'Not authorized for the topic' },
  GROUP_AUTHORIZATION_FAILED: { code: 30, name: 'GROUP_AUTHORIZATION_FAILED', retriable: false, message: 'Not authorized for the group' },
  CLUSTER_AUTHORIZATION_FAILED: { code: 31, name: 'CLUSTER_AUTHORIZATION_FAILED', retriable: false, message: 'Not authorized for the cluster' },
  INVALID_TIMESTAMP: { code: 32, name: 'INVALID_TIMESTAMP', retriable: false, message: 'Timestamp is out of the acceptable range' },
  UNSUPPORTED_SASL_MECHANISM: { code: 33, name: 'UNSUPPORTED_SASL_MECHANISM', retriable: false, message: 'SASL mechanism is not supported' },
  ILLEGAL_SASL_STATE: { code: 34, name: 'ILLEGAL_SASL_STATE', retriable: false, message: 'Request not valid in the current SASL state' },
  UNSUPPORTED_VERSION: { code: 35, name: 'UNSUPPORTED_VERSION', retriable: false, message: 'API version is not supported' },
  TOPIC_ALREADY_EXISTS: { code: 36, name: 'TOPIC_ALREADY_EXISTS', retriable: false, message: 'Topic already exists' },
  INVALID_PARTITIONS: { code: 37, name: 'INVALID_PARTITIONS', retriable: false, message: 'Invalid number of partitions' },
  INVALID_REPLICATION_FACTOR: { code: 38, name: 'INVALID_REPLICATION_FACTOR', retriable: false, message: 'Invalid replication factor' },
  INVALID_REPLICA_ASSIGNMENT: { code: 39, name: 'INVALID_REPLICA_ASSIGNMENT', retriable: false, message: 'Invalid replica assignment' },
  INVALID_CONFIG: { code: 40, name: 'INVALID_CONFIG', retriable: false, message: 'Invalid configuration' },
  NOT_CONTROLLER: { code: 41, name: 'NOT_CONTROLLER', retriable: true, message: 'This broker is not the controller' },
  INVALID_REQUEST: { code: 42, name: 'INVALID_REQUEST', retriable: false, message: 'Request is malformed or not valid for this broker' },
  UNSUPPORTED_FOR_MESSAGE_FORMAT: { code: 43, name: 'UNSUPPORTED_FOR_MESSAGE_FORMAT', retriable: false, message: 'Message format does not support the request' },
  POLICY_VIOLATION: { code: 44, name: 'POLICY_VIOLATION', retriable: false, message: 'Request violates the configured policy' },
  OUT_OF_ORDER_SEQUENCE_NUMBER: { code: 45, name: 'OUT_OF_ORDER_SEQUENCE_NUMBER', retriable: false, message: 'Producer sequence number is out of order' },
  DUPLICATE_SEQUENCE_NUMBER: { code: 46, name: 'DUPLICATE_SEQUENCE_NUMBER', retriable: false, message: 'Producer sequence number is a duplicate' },
  INVALID_PRODUCER_EPOCH: { code: 47, name: 'INVALID_PRODUCER_EPOCH', retriable: false, message: 'Producer epoch is stale' },
  INVALID_TXN_STATE: { code: 48, name: 'INVALID_TXN_STATE', retriable: false, message: 'Transactional operation invalid in the current state' },
  INVALID_PRODUCER_ID_MAPPING: { code: 49, name: 'INVALID_PRODUCER_ID_MAPPING', retriable: false, message: 'Producer id is not assigned to this transactional id' },
  INVALID_TRANSACTION_TIMEOUT: { code: 50, name: 'INVALID_TRANSACTION_TIMEOUT', retriable: false, message: 'Transaction timeout exceeds the broker maximum' },
  CONCURRENT_TRANSACTIONS: { code: 51, name: 'CONCURRENT_TRANSACTIONS', retriable: true, message: 'Another operation on the transaction is in progress' },
  TRANSACTION_COORDINATOR_FENCED: { code: 52, name: 'TRANSACTION_COORDINATOR_FENCED', retriable: false, message: 'Transaction coordinator is no longer current' },
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: { code: 53, name: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', retriable: false, message: 'Not authorized for the transactional id' },
  SECURITY_DISABLED: { code: 54, name: 'SECURITY_DISABLED', retriable: false, message: 'Security features are disabled' },
  OPERATION_NOT_ATTEMPTED: { code: 55, name: 'OPERATION_NOT_ATTEMPTED', retriable: false, message: 'Operation was not attempted' },
  KAFKA_STORAGE_ERROR: { code: 56, name: 'KAFKA_STORAGE_ERROR', retriable: true, message: 'Disk error accessing the log' },
  LOG_DIR_NOT_FOUND: { code: 57, name: 'LOG_DIR_NOT_FOUND', retriable: false, message: 'Log directory not found' },
  SASL_AUTHENTICATION_FAILED: { code: 58, name: 'SASL_AUTHENTICATION_FAILED', retriable: false, message: 'SASL authentication failed' },
  UNKNOWN_PRODUCER_ID: { code: 59, name: 'UNKNOWN_PRODUCER_ID', retriable: false, message: 'Broker has no state for this producer id' },
  REASSIGNMENT_IN_PROGRESS: { code: 60, name: 'REASSIGNMENT_IN_PROGRESS', retriable: false, message: 'Partition reassignment in progress' },
  DELEGATION_TOKEN_AUTH_DISABLED: { code: 61, name: 'DELEGATION_TOKEN_AUTH_DISABLED', retriable: false, message: 'Delegation tokens are disabled' },
  DELEGATION_TOKEN_NOT_FOUND: { code: 62, name: 'DELEGATION_TOKEN_NOT_FOUND', retriable: false, message: 'Delegation token not found' },
  DELEGATION_TOKEN_OWNER_MISMATCH: { code: 63, name: 'DELEGATION_TOKEN_OWNER_MISMATCH', retriable: false, message: 'Principal is not the token owner or renewer' },
  DELEGATION_TOKEN_REQUEST_NOT_ALLOWED: { code: 64, name: 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED', retriable: false, message: 'Delegation token requests not allowed on this channel' },
  DELEGATION_TOKEN_AUTHORIZATION_FAILED: { code: 65, name: 'DELEGATION_TOKEN_AUTHORIZATION_FAILED', retriable: false, message: 'Not authorized for delegation tokens' },
  DELEGATION_TOKEN_EXPIRED: { code: 66, name: 'DELEGATION_TOKEN_EXPIRED', retriable: false, message: 'Delegation token expired' },
  INVALID_PRINCIPAL_TYPE: { code: 67, name: 'INVALID_PRINCIPAL_TYPE', retriable: false, message: 'Principal type is not supported' },
  NON_EMPTY_GROUP: { code: 68, name: 'NON_EMPTY_GROUP', retriable: false, message: 'Group is not empty' },
  GROUP_ID_NOT_FOUND: { code: 69, name: 'GROUP_ID_NOT_FOUND', retriable: false, message: 'Group does not exist' },
  FETCH_SESSION_ID_NOT_FOUND: { code: 70, name: 'FETCH_SESSION_ID_NOT_FOUND', retriable: true, message: 'Fetch session not found' },
  INVALID_FETCH_SESSION_EPOCH: { code: 71, name: 'INVALID_FETCH_SESSION_EPOCH', retriable: true, message: 'Fetch session epoch is invalid' },
  LISTENER_NOT_FOUND: { code: 72, name: 'LISTENER_NOT_FOUND', retriable: true, message: 'Leader has no listener matching this one' },
  TOPIC_DELETION_DISABLED: { code: 73, name: 'TOPIC_DELETION_DISABLED', retriable: false, message: 'Topic deletion is disabled' },
  FENCED_LEADER_EPOCH: { code: 74, name: 'FENCED_LEADER_EPOCH', retriable: true, message: 'Leader epoch in the request is older than the broker\'s' },
  UNKNOWN_LEADER_EPOCH: { code: 75, name: 'UNKNOWN_LEADER_EPOCH', retriable: true, message: 'Leader epoch in the request is newer than the broker\'s' },
  UNSUPPORTED_COMPRESSION_TYPE: { code: 76, name: 'UNSUPPORTED_COMPRESSION_TYPE', retriable: false, message: 'Compression type not supported by the requester' },
  STALE_BROKER_EPOCH: { code: 77, name: 'STALE_BROKER_EPOCH', retriable: false, message: 'Broker epoch changed' },
  OFFSET_NOT_AVAILABLE: { code: 78, name: 'OFFSET_NOT_AVAILABLE', retriable: true, message: 'Offsets unavailable until the high watermark catches up' },
  MEMBER_ID_REQUIRED: { code: 79, name: 'MEMBER_ID_REQUIRED', retriable: false, message: 'Member must rejoin with the member id it was given' },
  PREFERRED_LEADER_NOT_AVAILABLE: { code: 80, name: 'PREFERRED_LEADER_NOT_AVAILABLE', retriable: true, message: 'Preferred leader not available' },
  GROUP_MAX_SIZE_REACHED: { code: 81, name: 'GROUP_MAX_SIZE_REACHED', retriable: false, message: 'Group reached its maximum size' },
  FENCED_INSTANCE_ID: { code: 82, name: 'FENCED_INSTANCE_ID', retriable: false, message: 'Another member registered with this group.instance.id' },
  ELIGIBLE_LEADERS_NOT_AVAILABLE: { code: 83, name: 'ELIGIBLE_LEADERS_NOT_AVAILABLE', retriable: true, message: 'No eligible leader available' },
  ELECTION_NOT_NEEDED: { code: 84, name: 'ELECTION_NOT_NEEDED', retriable: true, message: 'Leader election not needed' },
  NO_REASSIGNMENT_IN_PROGRESS: { code: 85, name: 'NO_REASSIGNMENT_IN_PROGRESS', retriable: false, message: 'No partition reassignment in progress' },
  GROUP_SUBSCRIBED_TO_TOPIC: { code: 86, name: 'GROUP_SUBSCRIBED_TO_TOPIC', retriable: false, message: 'Group is still subscribed to the topic' },
  INVALID_RECORD: { code: 87, name: 'INVALID_RECORD', retriable: false, message: 'Record failed broker validation' },
  UNSTABLE_OFFSET_COMMIT: { code: 88, name: 'UNSTABLE_OFFSET_COMMIT', retriable: true, message: 'Pending transactional offsets must be resolved first' },
  THROTTLING_QUOTA_EXCEEDED: { code: 89, name: 'THROTTLING_QUOTA_EXCEEDED', retriable: true, message: 'Throttling quota exceeded' },
  PRODUCER_FENCED: { code: 90, name: 'PRODUCER_FENCED', retriable: false, message: 'A newer producer with the same transactional id exists' },
  RESOURCE_NOT_FOUND: { code: 91, name: 'RESOURCE_NOT_FOUND', retriable: false, message: 'Resource does not exist' },
  DUPLICATE_RESOURCE: { code: 92, name: 'DUPLICATE_RESOURCE', retriable: false, message: 'Resource referenced twice' },
  UNACCEPTABLE_CREDENTIAL: { code: 93, name: 'UNACCEPTABLE_CREDENTIAL', retriable: false, message: 'Credential does not meet the requirements' },
  INCONSISTENT_VOTER_SET: { code: 94, name: 'INCONSISTENT_VOTER_SET', retriable: false, message: 'Sender or receiver is not an expected voter' },
  INVALID_UPDATE_VERSION: { code: 95, name: 'INVALID_UPDATE_VERSION', retriable: false, message: 'Update version is invalid' },
  FEATURE_UPDATE_FAILED: { code: 96, name: 'FEATURE_UPDATE_FAILED', retriable: false, message: 'Finalized feature update failed' },
  PRINCIPAL_DESERIALIZATION_FAILURE: { code: 97, name: 'PRINCIPAL_DESERIALIZATION_FAILURE', retriable: false, message: 'Forwarded principal could not be deserialized' },
  SNAPSHOT_NOT_FOUND: { code: 98, name: 'SNAPSHOT_NOT_FOUND', retriable: false, message: 'Snapshot not found' },
  POSITION_OUT_OF_RANGE: { code: 99, name: 'POSITION_OUT_OF_RANGE', retriable: false, message: 'Snapshot position out of range' },
  UNKNOWN_TOPIC_ID: { code: 100, name: 'UNKNOWN_TOPIC_ID', retriable: true, message: 'Topic id is not hosted by this server' },
  DUPLICATE_BROKER_REGISTRATION: { code: 101, name: 'DUPLICATE_BROKER_REGISTRATION', retriable: false, message: 'Broker id already registered' },
  BROKER_ID_NOT_REGISTERED: { code: 102, name: 'BROKER_ID_NOT_REGISTERED', retriable: false, message: 'Broker id not registered' },
  INCONSISTENT_TOPIC_ID: { code: 103, name: 'INCONSISTENT_TOPIC_ID', retriable: true, message: 'Topic id does not match the log' },
  INCONSISTENT_CLUSTER_ID: { code: 104, name: 'INCONSISTENT_CLUSTER_ID', retriable: false, message: 'Cluster id does not match' },
  TRANSACTIONAL_ID_NOT_FOUND: { code: 105, name: 'TRANSACTIONAL_ID_NOT_FOUND', retriable: false, message: 'Transactional id not found' },
  FETCH_SESSION_TOPIC_ID_ERROR: { code: 106, name: 'FETCH_SESSION_TOPIC_ID_ERROR', retriable: true, message: 'Fetch session topic ids are inconsistent' },
  INELIGIBLE_REPLICA: { code: 107, name: 'INELIGIBLE_REPLICA', retriable: false, message: 'Replica is not eligible for the ISR' },
  NEW_LEADER_ELECTED: { code: 108, name: 'NEW_LEADER_ELECTED', retriable: false, message: 'A new leader was elected for the partition' },
  OFFSET_MOVED_TO_TIERED_STORAGE: { code: 109, name: 'OFFSET_MOVED_TO_TIERED_STORAGE', retriable: false, message: 'Offset moved to tiered storage' },
  FENCED_MEMBER_EPOCH: { code: 110, name: 'FENCED_MEMBER_EPOCH', retriable: false, message: 'Member epoch is fenced; rejoin needed' },
  UNRELEASED_INSTANCE_ID: { code: 111, name: 'UNRELEASED_INSTANCE_ID', retriable: false, message: 'Instance id is still held by another member' },
  UNSUPPORTED_ASSIGNOR: { code: 112, name: 'UNSUPPORTED_ASSIGNOR', retriable: false, message: 'Assignor is not supported' },
  STALE_MEMBER_EPOCH: { code: 113, name: 'STALE_MEMBER_EPOCH', retriable: false, message: 'Member epoch is stale' },
  MISMATCHED_ENDPOINT_TYPE: { code: 114, name: 'MISMATCHED_ENDPOINT_TYPE', retriable: false, message: 'Request sent to the wrong endpoint type' },
  UNSUPPORTED_ENDPOINT_TYPE: { code: 115, name: 'UNSUPPORTED_ENDPOINT_TYPE', retriable: false, message: 'Endpoint type not supported' },
  UNKNOWN_CONTROLLER_ID: { code: 116, name: 'UNKNOWN_CONTROLLER_ID', retriable: false, message: 'Controller id unknown' },
  UNKNOWN_SUBSCRIPTION_ID: { code: 117, name: 'UNKNOWN_SUBSCRIPTION_ID', retriable: false, message: 'Telemetry subscription id unknown' },
  TELEMETRY_TOO_LARGE: { code: 118, name: 'TELEMETRY_TOO_LARGE', retriable: false, message: 'Telemetry payload too large' },
  INVALID_REGISTRATION: { code: 119, name: 'INVALID_REGISTRATION', retriable: false, message: 'Controller registration is invalid' },
  TRANSACTION_ABORTABLE: { code: 120, name: 'TRANSACTION_ABORTABLE', retriable: false, message: 'Transaction must be aborted' },
  INVALID_RECORD_STATE: { code: 121, name: 'INVALID_RECORD_STATE', retriable: false, message: 'Share record state does not allow this operation' },
  SHARE_SESSION_NOT_FOUND: { code: 122, name: 'SHARE_SESSION_NOT_FOUND', retriable: true, message: 'Share session not found' },
  INVALID_SHARE_SESSION_EPOCH: { code: 123, name: 'INVALID_SHARE_SESSION_EPOCH', retriable: true, message: 'Share session epoch is invalid' },
  FENCED_STATE_EPOCH: { code: 124, name: 'FENCED_STATE_EPOCH', retriable: false, message: 'Share state epoch is fenced' },
  INVALID_VOTER_KEY: { code: 125, name: 'INVALID_VOTER_KEY', retriable: false, message: 'Voter key does not match' },
  DUPLICATE_VOTER: { code: 126, name: 'DUPLICATE_VOTER', retriable: false, message: 'Voter already exists' },
  VOTER_NOT_FOUND: { code: 127, name: 'VOTER_NOT_FOUND', retriable: false, message: 'Voter not found' },
  INVALID_REGULAR_EXPRESSION: { code: 128, name: 'INVALID_REGULAR_EXPRESSION', retriable: false, message: 'Regular expression is invalid' },
  REBOOTSTRAP_REQUIRED: { code: 129, name: 'REBOOTSTRAP_REQUIRED', retriable: false, message: 'Client must rebootstrap its metadata' },
  STREAMS_INVALID_TOPOLOGY: { code: 130, name: 'STREAMS_INVALID_TOPOLOGY', retriable: false, message: 'Streams topology is invalid' },
  STREAMS_INVALID_TOPOLOGY_EPOCH: { code: 131, name: 'STREAMS_INVALID_TOPOLOGY_EPOCH', retriable: false, message: 'Streams topology epoch is invalid' },
  STREAMS_TOPOLOGY_FENCED: { code: 132, name: 'STREAMS_TOPOLOGY_FENCED', retriable: false, message: 'Streams topology is fenced' },
  SHARE_SESSION_LIMIT_REACHED: { code: 133, name: 'SHARE_SESSION_LIMIT_REACHED', retriable: true, message: 'Share session limit reached' },
} as const satisfies Record<string, KafkaErrorInfo>

export type KafkaErrorName = keyof typeof KafkaErrors

/** Error codes by name, e.g. KafkaErrorCodes.NOT_LEADER_OR_FOLLOWER === 6. */
export const KafkaErrorCodes = Object.fromEntries(
  Object.values(KafkaErrors).map((e) => [e.name, e.code]),
) as { readonly [N in KafkaErrorName]: (typeof KafkaErrors)[N]['code'] }

const byCode = new Map<number, KafkaErrorInfo>(Object.values(KafkaErrors).map((e) => [e.code, e]))

/** The entry for a code, or undefined for a code this table does not know. */
export function kafkaError(code: number): KafkaErrorInfo | undefined {
  return byCode.get(code)
}

/** The NAME of a code; unknown codes read as UNKNOWN(<code>), as Kafka clients treat them as unknown. */
export function kafkaErrorName(code: number): string {
  return byCode.get(code)?.name ?? `UNKNOWN(${code})`
}

/** Whether a client may retry after this code; unknown codes are not retriable. */
export function isRetriable(code: number): boolean {
  return byCode.get(code)?.retriable ?? false
}
