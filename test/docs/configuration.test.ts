import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { brokerConfigDefs, defaultBrokerConfig, resolveBrokerConfig } from '../../core/broker/broker-config.js'
import { logConfigDefs, parseLogConfig } from '../../core/log/log-config.js'
import { CONFIGURATION_DOC, configurationMarkdown } from '../../scripts/generate-config-docs.js'

describe('docs/configuration.md', () => {
  it('is what scripts/generate-config-docs.ts makes from the config definitions (run it after changing a config)', () => {
    expect(fs.readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(configurationMarkdown())
  })

  it('lists every topic config with a default that parses, and every broker config', () => {
    const doc = fs.readFileSync(CONFIGURATION_DOC, 'utf8')
    for (const d of logConfigDefs) {
      expect(doc).toContain(`| \`${d.name}\` |`)
      expect(() => parseLogConfig({ [d.name]: d.default })).not.toThrow()
    }
    for (const d of brokerConfigDefs) expect(doc).toContain(`| \`${d.name}\` | \`${d.key}\` | ${String(defaultBrokerConfig[d.key])} |`)
    // Every broker setting but the data dir and topic defaults is documented.
    const documented = new Set<string>([...brokerConfigDefs.map((d) => d.key), 'dataDir', 'topicDefaults'])
    expect(Object.keys(resolveBrokerConfig({ dataDir: '/x' })).filter((k) => !documented.has(k))).toEqual([])
  })
})
