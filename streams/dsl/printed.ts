// KStream.print's options (Kafka's Printed): where each record goes as "[label]: key, value".
import { TopologyException } from '../errors.js'
import type { KeyValueMapper } from './callbacks.js'

export class Printed<K, V> {
  private constructor(
    /** null: standard output. */
    readonly filePath: string | null,
    readonly label: string | null,
    /** Typed loosely so that a Printed<K, V> passes where its stream's types are wider. */
    readonly mapper: KeyValueMapper<never, never, string> | null,
    readonly processorName: string | null,
  ) {}

  /** To standard output. */
  static toSysOut<K, V>(): Printed<K, V> {
    return new Printed<K, V>(null, null, null, null)
  }

  /** To a file, created or emptied when the task starts (as Kafka's). */
  static toFile<K, V>(filePath: string): Printed<K, V> {
    if (typeof filePath !== 'string' || filePath.trim() === '') throw new TopologyException("Printed.toFile: the file path can't be empty")
    return new Printed<K, V>(filePath, null, null, null)
  }

  /** The label before each line; default the processor's name. */
  withLabel(label: string): Printed<K, V> {
    return new Printed<K, V>(this.filePath, label, this.mapper, this.processorName)
  }

  /** What is printed of a record; default "key, value". */
  withKeyValueMapper(mapper: KeyValueMapper<K, V, string>): Printed<K, V> {
    return new Printed<K, V>(this.filePath, this.label, mapper as KeyValueMapper<never, never, string>, this.processorName)
  }

  /** The processor's name (Kafka's Named); default KSTREAM-PRINTER-<n>. */
  withName(processorName: string): Printed<K, V> {
    return new Printed<K, V>(this.filePath, this.label, this.mapper, processorName)
  }
}
