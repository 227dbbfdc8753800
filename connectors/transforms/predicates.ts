// Kafka's predicates for conditional transforms: TopicNameMatches, HasHeaderKey, RecordIsTombstone.
import type { ConnectRecord } from '../api/record.js'
import { ConfigException } from '../errors.js'
import { requireProp, type Predicate } from './transformation.js'

export class TopicNameMatches implements Predicate {
  private pattern = /$^/
  configure(props: Record<string, string>): void {
    const p = requireProp(props, 'pattern')
    try {
      this.pattern = new RegExp(`^(?:${p})$`)
    } catch (err) {
      throw new ConfigException('pattern', `'${p}' is not a valid regular expression: ${(err as Error).message}`)
    }
  }
  test(record: ConnectRecord): boolean {
    return this.pattern.test(record.topic)
  }
}

export class HasHeaderKey implements Predicate {
  private name = ''
  configure(props: Record<string, string>): void {
    this.name = requireProp(props, 'name')
  }
  test(record: ConnectRecord): boolean {
    return record.headers.some((h) => h.key === this.name)
  }
}

export class RecordIsTombstone implements Predicate {
  configure(_props: Record<string, string>): void {}
  test(record: ConnectRecord): boolean {
    return record.value === null
  }
}
