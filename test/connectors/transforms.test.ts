import { describe, expect, it } from 'vitest'
import type { SourceRecord } from '../../connectors/api/record.js'
import { Schemas } from '../../connectors/api/schema.js'
import { buildChain } from '../../connectors/transforms/index.js'

const valueSchema = Schemas.struct('t', [
  { name: 'id', schema: Schemas.int64(false) },
  { name: 'name', schema: Schemas.string() },
  { name: 'ssn', schema: Schemas.string() },
  { name: 'at', schema: Schemas.int64() },
])
const rec = (over: Partial<SourceRecord> = {}): SourceRecord => ({
  sourcePartition: {}, sourceOffset: {}, topic: 'db.public.users', kafkaPartition: null, keySchema: null, key: null,
  valueSchema, value: { id: 7, name: 'ann', ssn: '123', at: 86_400_000 }, timestamp: 1000, headers: [], ...over,
})

describe('single message transforms', () => {
  it('chains ValueToKey, ExtractField$Key, ReplaceField, MaskField, InsertField, Cast and RegexRouter with schema updates', () => {
    const chain = buildChain({
      transforms: 'key,id,drop,mask,ins,cast,route',
      'transforms.key.type': 'org.apache.kafka.connect.transforms.ValueToKey', 'transforms.key.fields': 'id',
      'transforms.id.type': 'org.apache.kafka.connect.transforms.ExtractField$Key', 'transforms.id.field': 'id',
      'transforms.drop.type': 'org.apache.kafka.connect.transforms.ReplaceField$Value', 'transforms.drop.exclude': 'at', 'transforms.drop.renames': 'name:full_name',
      'transforms.mask.type': 'org.apache.kafka.connect.transforms.MaskField$Value', 'transforms.mask.fields': 'ssn', 'transforms.mask.replacement': '***',
      'transforms.ins.type': 'org.apache.kafka.connect.transforms.InsertField$Value', 'transforms.ins.topic.field': 'src_topic', 'transforms.ins.static.field': 'dc', 'transforms.ins.static.value': 'eu',
      'transforms.cast.type': 'org.apache.kafka.connect.transforms.Cast$Value', 'transforms.cast.spec': 'id:string',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter', 'transforms.route.regex': 'db\\.public\\.(.*)', 'transforms.route.replacement': 'cdc-$1',
    }, 'c')
    const out = chain.apply(rec())!
    expect(out.topic).toBe('cdc-users')
    expect(out.key).toBe(7)
    expect(out.keySchema).toMatchObject({ type: 'int64' })
    expect(out.value).toEqual({ id: '7', full_name: 'ann', ssn: '***', src_topic: 'db.public.users', dc: 'eu' })
    expect(out.valueSchema!.fields!.map((f) => `${f.name}:${f.schema.type}`)).toEqual(['id:string', 'full_name:string', 'ssn:string', 'src_topic:string', 'dc:string'])
  })

  it('Filter with TopicNameMatches, HasHeaderKey and RecordIsTombstone predicates (negate too)', () => {
    const chain = buildChain({
      transforms: 'dropAudit,dropTomb', predicates: 'isAudit,tomb',
      'transforms.dropAudit.type': 'org.apache.kafka.connect.transforms.Filter', 'transforms.dropAudit.predicate': 'isAudit',
      'transforms.dropTomb.type': 'Filter', 'transforms.dropTomb.predicate': 'tomb',
      'predicates.isAudit.type': 'org.apache.kafka.connect.transforms.predicates.TopicNameMatches', 'predicates.isAudit.pattern': '.*audit.*',
      'predicates.tomb.type': 'org.apache.kafka.connect.transforms.predicates.RecordIsTombstone',
    }, 'c')
    expect(chain.apply(rec({ topic: 'x.audit.log' }))).toBeNull()
    expect(chain.apply(rec({ value: null }))).toBeNull()
    expect(chain.apply(rec())).not.toBeNull()
    const keepOnlyHeader = buildChain({
      transforms: 'f', predicates: 'h', 'transforms.f.type': 'Filter', 'transforms.f.predicate': 'h', 'transforms.f.negate': 'true',
      'predicates.h.type': 'HasHeaderKey', 'predicates.h.name': 'keep',
    }, 'c')
    expect(keepOnlyHeader.apply(rec())).toBeNull()
    expect(keepOnlyHeader.apply(rec({ headers: [{ key: 'keep', value: null }] }))).not.toBeNull()
  })

  it('ExtractNewRecordState unwraps Debezium envelopes: rewrite deletes, add fields, drop tombstones', () => {
    const row = Schemas.struct('v', [{ name: 'id', schema: Schemas.int32(false) }], true)
    const env = Schemas.struct('e', [{ name: 'before', schema: row }, { name: 'after', schema: row }, { name: 'source', schema: Schemas.struct('s', [{ name: 'table', schema: Schemas.string() }]) }, { name: 'op', schema: Schemas.string(false) }])
    const chain = buildChain({
      transforms: 'unwrap', 'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
      'transforms.unwrap.delete.handling.mode': 'rewrite', 'transforms.unwrap.add.fields': 'op,source.table',
    }, 'c')
    const c = chain.apply(rec({ valueSchema: env, value: { before: null, after: { id: 1 }, source: { table: 'users' }, op: 'c' } }))!
    expect(c.value).toEqual({ id: 1, __deleted: 'false', __op: 'c', __source_table: 'users' })
    expect(c.valueSchema!.fields!.map((f) => f.name)).toEqual(['id', '__deleted', '__op', '__source_table'])
    const d = chain.apply(rec({ valueSchema: env, value: { before: { id: 2 }, after: null, source: { table: 'users' }, op: 'd' } }))!
    expect(d.value).toMatchObject({ id: 2, __deleted: 'true', __op: 'd' })
    expect(chain.apply(rec({ value: null, valueSchema: null }))).toBeNull()
  })

  it('TimestampConverter turns epoch millis into Connect Date and ISO strings', () => {
    const toDate = buildChain({ transforms: 't', 'transforms.t.type': 'TimestampConverter$Value', 'transforms.t.field': 'at', 'transforms.t.target.type': 'Date' }, 'c')
    expect((toDate.apply(rec())!.value as { at: number }).at).toBe(1)
    const toString = buildChain({ transforms: 't', 'transforms.t.type': 'TimestampConverter$Value', 'transforms.t.field': 'at', 'transforms.t.target.type': 'string' }, 'c')
    expect((toString.apply(rec())!.value as { at: string }).at).toBe('1970-01-02T00:00:00.000Z')
  })

  it('names the transform and the key for bad configs and for records that do not fit', () => {
    expect(() => buildChain({ transforms: 'x', 'transforms.x.type': 'NoSuchTransform' }, 'conn')).toThrow(/Connector 'conn': Invalid value for configuration 'transforms.x.type': unknown transformation 'NoSuchTransform'/)
    expect(() => buildChain({ transforms: 'r', 'transforms.r.type': 'RegexRouter', 'transforms.r.regex': '(' , 'transforms.r.replacement': 'x' }, 'conn')).toThrow(/'transforms.r.regex'/)
    expect(() => buildChain({ transforms: 'f', 'transforms.f.type': 'Filter', 'transforms.f.predicate': 'nope' }, 'conn')).toThrow(/'transforms.f.predicate': no predicate named 'nope'/)
    const unwrap = buildChain({ transforms: 'u', 'transforms.u.type': 'ExtractNewRecordState' }, 'conn')
    expect(() => unwrap.apply(rec())).toThrow(/Connector 'conn': transform 'u' failed on a record of topic 'db.public.users': the value is not a Debezium change event/)
    const extract = buildChain({ transforms: 'e', 'transforms.e.type': 'ExtractField$Value', 'transforms.e.field': 'missing' }, 'conn')
    expect(() => extract.apply(rec())).toThrow(/transform 'e' failed .*Unknown field: missing/)
  })
})
