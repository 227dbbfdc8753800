// Naming shared by all DSL objects of one StreamsBuilder: prefix + a
// zero-padded counter, as Kafka Streams generates them.
import type { SerdeDefaults } from './serde-resolution.js'
import { InternalTopologyBuilder } from './topology-builder.js'

export class DslContext {
  readonly builder = new InternalTopologyBuilder()
  private index = 0
  constructor(readonly defaults: SerdeDefaults | null) {}
  newName(prefix: string): string {
    return `${prefix}${String(this.index++).padStart(10, '0')}`
  }
  newStoreName(prefix: string): string {
    return this.newName(`${prefix}-STATE-STORE-`)
  }
  /** A user-given name (from Named, Materialized.as, Grouped.as...) or a generated one. */
  nameOr(name: string | null | undefined, prefix: string): string {
    // Kafka draws the number even when a name is given ("burn the index" in NamedInternal), so
    // naming one operator does not renumber every generated name after it.
    const generated = this.newName(prefix)
    return name ?? generated
  }
}
