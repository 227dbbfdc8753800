// Entry point to the generated codecs: the registry by api key plus the header rules
// Kafka applies on top of the message definitions.

import { apiSpecs, ApiKeys, type ApiKey, type ApiSpec } from './generated/index.js'

export * from './generated/index.js'

/** The spec of an api key, or undefined for keys this codec set does not know. */
export function apiSpec(apiKey: number): ApiSpec | undefined {
  return Object.hasOwn(apiSpecs, apiKey) ? (apiSpecs[apiKey as ApiKey] as ApiSpec) : undefined
}

export function isVersionSupported(spec: ApiSpec, apiVersion: number): boolean {
  return Number.isInteger(apiVersion) && apiVersion >= spec.minVersion && apiVersion <= spec.maxVersion
}

export function isFlexibleVersion(spec: ApiSpec, apiVersion: number): boolean {
  return spec.flexibleMinVersion !== null && apiVersion >= spec.flexibleMinVersion
}

/** Request header v2 for flexible versions, v1 otherwise; ControlledShutdown v0 predates client ids (v0). */
export function requestHeaderVersion(spec: ApiSpec, apiVersion: number): 0 | 1 | 2 {
  if (isFlexibleVersion(spec, apiVersion)) return 2
  if (spec.apiKey === ApiKeys.ControlledShutdown && apiVersion === 0) return 0
  return 1
}

/**
 * Response header v1 for flexible versions, v0 otherwise. ApiVersions responses always use v0:
 * a client that does not yet know the broker's versions must be able to read the answer.
 */
export function responseHeaderVersion(spec: ApiSpec, apiVersion: number): 0 | 1 {
  if (spec.apiKey === ApiKeys.ApiVersions) return 0
  return isFlexibleVersion(spec, apiVersion) ? 1 : 0
}
