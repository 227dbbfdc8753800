// Registers the built-in transforms and predicates under Kafka's and Debezium's class names.
import { Cast, ExtractField, InsertField, MaskField, ReplaceField, ValueToKey } from './field-transforms.js'
import { HasHeaderKey, RecordIsTombstone, TopicNameMatches } from './predicates.js'
import { ExtractNewRecordState, Filter, RegexRouter, TimestampConverter } from './record-transforms.js'
import { registerPredicate, registerTransformation, type Transformation } from './transformation.js'

const K = 'org.apache.kafka.connect.transforms.'
const sided = (name: string, make: (side: 'key' | 'value') => Transformation): void => {
  registerTransformation([`${K}${name}$Key`, `${name}$Key`], () => make('key'))
  registerTransformation([`${K}${name}$Value`, `${name}$Value`], () => make('value'))
}
sided('InsertField', (s) => new InsertField(s))
sided('ReplaceField', (s) => new ReplaceField(s))
sided('MaskField', (s) => new MaskField(s))
sided('Cast', (s) => new Cast(s))
sided('ExtractField', (s) => new ExtractField(s))
sided('TimestampConverter', (s) => new TimestampConverter(s))
registerTransformation([`${K}ValueToKey`, 'ValueToKey'], () => new ValueToKey())
registerTransformation([`${K}RegexRouter`, 'RegexRouter'], () => new RegexRouter())
registerTransformation([`${K}Filter`, 'Filter'], () => new Filter())
registerTransformation(['io.debezium.transforms.ExtractNewRecordState', 'ExtractNewRecordState'], () => new ExtractNewRecordState())
const P = 'org.apache.kafka.connect.transforms.predicates.'
registerPredicate([`${P}TopicNameMatches`, 'TopicNameMatches'], () => new TopicNameMatches())
registerPredicate([`${P}HasHeaderKey`, 'HasHeaderKey'], () => new HasHeaderKey())
registerPredicate([`${P}RecordIsTombstone`, 'RecordIsTombstone'], () => new RecordIsTombstone())

export { buildChain, registerPredicate, registerTransformation, TransformationChain } from './transformation.js'
export type { Predicate, Transformation } from './transformation.js'
