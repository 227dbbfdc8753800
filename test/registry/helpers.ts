// Shared by the registry tests: an embedded log in a temporary directory and a TopicSchemaRegistry
// on it, both closed (registry first) by the test's closers.
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { TopicSchemaRegistry } from '../../registry/store/topic-registry.js'
import { tmpDir } from '../helpers/tmp.js'

export async function openRegistry(closers: Array<() => Promise<void>>, dataDir = tmpDir()): Promise<{ client: EmbeddedClient; registry: TopicSchemaRegistry }> {
  const client = await EmbeddedClient.open({ dataDir })
  closers.push(() => client.close())
  const registry = await TopicSchemaRegistry.open(client, { log: () => {} })
  closers.push(() => registry.close())
  return { client, registry }
}
