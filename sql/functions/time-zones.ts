// Time zones by Java's ZoneId rules (Z, UTC/GMT/UT with or without an offset, +hh:mm offsets,
// IANA region ids), with offsets from the platform's Intl tz database.
import { FunctionError } from './errors.js'

export interface Zone {
  readonly id: string
  /** The zone's offset from UTC in milliseconds at an instant. */
  offsetAt(epochMs: number): number
  /** The instant of a local date-time (ms as if UTC) in this zone, as ZonedDateTime.of resolves gaps and overlaps. */
  toInstant(localMs: number): number
}

class FixedZone implements Zone {
  constructor(readonly id: string, private readonly offset: number) {}
  offsetAt(): number {
    return this.offset
  }
  toInstant(localMs: number): number {
    return localMs - this.offset
  }
}

class RegionZone implements Zone {
  private readonly format: Intl.DateTimeFormat
  private readonly cache = new Map<number, number>()

  constructor(readonly id: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: id, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
    })
  }

  offsetAt(epochMs: number): number {
    // Offsets change at most once a minute; cache per minute.
    const minute = Math.floor(epochMs / 60_000)
    const hit = this.cache.get(minute)
    if (hit !== undefined) return hit
    const base = minute * 60_000
    const f: Record<string, string> = {}
    for (const p of this.format.formatToParts(base)) f[p.type] = p.value
    let year = Number(f.year)
    if (f.era === 'BC' || f.era === 'B') year = 1 - year
    const local = new Date(0)
    local.setUTCFullYear(year, Number(f.month) - 1, Number(f.day))
    local.setUTCHours(Number(f.hour), Number(f.minute), Number(f.second), 0)
    const offset = local.getTime() - base
    if (this.cache.size > 4096) this.cache.clear()
    this.cache.set(minute, offset)
    return offset
  }

  toInstant(localMs: number): number {
    const before = this.offsetAt(localMs - 86_400_000)
    const after = this.offsetAt(localMs + 86_400_000)
    const candidates: number[] = []
    for (const o of before === after ? [before] : [before, after]) {
      const instant = localMs - o
      if (this.offsetAt(instant) === o) candidates.push(instant)
    }
    if (candidates.length === 0) return localMs - before // a gap: pushed later by its length
    return Math.min(...candidates) // an overlap: the earlier offset
  }
}

/**
 * Java's ZoneId.SHORT_IDS, which java.util.TimeZone (the format ksqlDB's docs name, "PST") accepts;
 * also the daylight names ksqlDB's docs use ("PDT") mapped to their region.
 */
const SHORT_IDS: Record<string, string> = {
  EST: '-05:00', MST: '-07:00', HST: '-10:00', ACT: 'Australia/Darwin', AET: 'Australia/Sydney', AGT: 'America/Argentina/Buenos_Aires',
  ART: 'Africa/Cairo', AST: 'America/Anchorage', BET: 'America/Sao_Paulo', BST: 'Asia/Dhaka', CAT: 'Africa/Harare', CNT: 'America/St_Johns',
  CST: 'America/Chicago', CTT: 'Asia/Shanghai', EAT: 'Africa/Addis_Ababa', ECT: 'Europe/Paris', IET: 'America/Indiana/Indianapolis',
  IST: 'Asia/Kolkata', JST: 'Asia/Tokyo', MIT: 'Pacific/Apia', NET: 'Asia/Yerevan', NST: 'Pacific/Auckland', PLT: 'Asia/Karachi',
  PNT: 'America/Phoenix', PRT: 'America/Puerto_Rico', PST: 'America/Los_Angeles', SST: 'Pacific/Guadalcanal', VST: 'Asia/Ho_Chi_Minh',
  PDT: 'America/Los_Angeles', MDT: 'America/Denver', CDT: 'America/Chicago', EDT: 'America/New_York',
}

const UTC = new FixedZone('Z', 0)
const zones = new Map<string, Zone>()

function parseOffset(text: string): number | null {
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(text)
  if (m === null) return null
  const h = Number(m[2])
  const min = Number(m[3] ?? 0)
  const s = Number(m[4] ?? 0)
  if (h > 18 || min > 59 || s > 59) return null
  return (m[1] === '-' ? -1 : 1) * ((h * 60 + min) * 60 + s) * 1000
}

/** ZoneId.of: throws FunctionError for an unknown or malformed id. */
export function zoneOf(id: string, fn: string): Zone {
  const cached = zones.get(id)
  if (cached !== undefined) return cached
  let zone: Zone | null = null
  const alias = SHORT_IDS[id]
  if (alias !== undefined) zone = alias.startsWith('-') ? new FixedZone(id, parseOffset(alias)!) : zoneOf(alias, fn)
  else if (id === 'Z') zone = UTC
  else if (/^[+-]/.test(id)) {
    const o = parseOffset(id)
    if (o !== null) zone = new FixedZone(id, o)
  } else {
    const prefixed = /^(UTC|GMT|UT)([+-].*)?$/.exec(id)
    if (prefixed !== null) {
      const o = prefixed[2] === undefined ? 0 : parseOffset(prefixed[2])
      if (o !== null) zone = new FixedZone(id, o)
    } else if (/^[A-Za-z][A-Za-z0-9~/._+-]+$/.test(id)) {
      try {
        zone = new RegionZone(id)
      } catch {
        zone = null
      }
    }
  }
  if (zone === null) throw new FunctionError('FUNCTION_ERROR', `Unknown time-zone ID: ${id}`, fn)
  zones.set(id, zone)
  return zone
}

/** The process's default zone (Java's ZoneId.systemDefault()). */
export function systemZone(): Zone {
  return zoneOf(Intl.DateTimeFormat().resolvedOptions().timeZone, 'SYSTEM')
}
