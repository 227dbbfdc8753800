// Bytes stores on SQLite tables. Prepared statements, raw rows, and the
// task-wide transaction of SqliteDatabase.
import type Database from 'better-sqlite3'
import type {
  BytesEntry,
  KeyValueBytesStore,
  RestoreRecord,
  SessionBytesEntry,
  SessionBytesStore,
  WindowBytesEntry,
  WindowBytesStore,
} from './bytes.js'
import { parseSessionKeyBytes, parseWindowKeyBytes } from './key-schema.js'
import { tableName, type SqliteDatabase } from './sqlite-db.js'

type Row2 = [Buffer, Buffer]

abstract class SqliteBase {
  protected open = true
  constructor(
    readonly name: string,
    protected readonly sdb: SqliteDatabase,
    readonly persistent: boolean,
  ) {}
  flush(): void {}
  close(): void {
    this.open = false
  }
  isOpen(): boolean {
    return this.open
  }
  protected get db(): Database.Database {
    return this.sdb.db
  }
}

export class SqliteKeyValueStore extends SqliteBase implements KeyValueBytesStore {
  private readonly sGet: Database.Statement
  private readonly sPut: Database.Statement
  private readonly sDel: Database.Statement
  private readonly sAll: Database.Statement
  private readonly sFrom: Database.Statement
  private readonly sTo: Database.Statement
  private readonly sRange: Database.Statement
  private readonly sCount: Database.Statement

  constructor(name: string, sdb: SqliteDatabase, persistent = true) {
    super(name, sdb, persistent)
    const t = tableName('kv', name)
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${t} (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID`)
    this.sGet = this.db.prepare(`SELECT v FROM ${t} WHERE k = ?`).pluck()
    this.sPut = this.db.prepare(`INSERT OR REPLACE INTO ${t} (k, v) VALUES (?, ?)`)
    this.sDel = this.db.prepare(`DELETE FROM ${t} WHERE k = ?`)
    this.sAll = this.db.prepare(`SELECT k, v FROM ${t} ORDER BY k`).raw()
    this.sFrom = this.db.prepare(`SELECT k, v FROM ${t} WHERE k >= ? ORDER BY k`).raw()
    this.sTo = this.db.prepare(`SELECT k, v FROM ${t} WHERE k <= ? ORDER BY k`).raw()
    this.sRange = this.db.prepare(`SELECT k, v FROM ${t} WHERE k >= ? AND k <= ? ORDER BY k`).raw()
    this.sCount = this.db.prepare(`SELECT count(*) FROM ${t}`).pluck()
  }

  get(key: Buffer): Buffer | null {
    return (this.sGet.get(key) as Buffer | undefined) ?? null
  }

  put(key: Buffer, value: Buffer | null): void {
    this.sdb.ensureTransaction()
    if (value === null) this.sDel.run(key)
    else this.sPut.run(key, value)
  }

  putIfAbsent(key: Buffer, value: Buffer): Buffer | null {
    const old = this.get(key)
    if (old === null) this.put(key, value)
    return old
  }

  putAll(entries: Array<{ key: Buffer; value: Buffer | null }>): void {
    for (const e of entries) this.put(e.key, e.value)
  }

  delete(key: Buffer): Buffer | null {
    const old = this.get(key)
    if (old !== null) this.put(key, null)
    return old
  }

  range(from: Buffer | null, to: Buffer | null): BytesEntry[] {
    let rows: Row2[]
    if (from === null && to === null) rows = this.sAll.all() as Row2[]
    else if (to === null) rows = this.sFrom.all(from) as Row2[]
    else if (from === null) rows = this.sTo.all(to) as Row2[]
    else rows = this.sRange.all(from, to) as Row2[]
    return rows.map(([key, value]) => ({ key, value }))
  }

  all(): BytesEntry[] {
    return this.range(null, null)
  }

  approximateNumEntries(): number {
    return this.sCount.get() as number
  }

  restoreBatch(records: RestoreRecord[]): void {
    this.sdb.ensureTransaction()
    for (const r of records) {
      if (r.value === null) this.sDel.run(r.key)
      else this.sPut.run(r.key, r.value)
    }
  }
}

/** Drops rows older than stream time minus retention, in steps of half the retention. */
class Expiry {
  observed = -Infinity
  private purgedAt = -Infinity
  constructor(
    private readonly retentionMs: number,
    private readonly purge: (before: number) => void,
  ) {}
  /** Returns false when `time` is already outside retention. */
  observe(time: number): boolean {
    if (time > this.observed) this.observed = time
    const horizon = this.observed - this.retentionMs
    if (horizon - this.purgedAt >= Math.max(1, this.retentionMs / 2)) {
      this.purge(horizon)
      this.purgedAt = horizon
    }
    return time > horizon
  }
}

export class SqliteWindowStore extends SqliteBase implements WindowBytesStore {
  private readonly sPut: Database.Statement
  private readonly sDel: Database.Statement
  private readonly sFetch: Database.Statement
  private readonly sFetchAll: Database.Statement
  private readonly sPurge: Database.Statement
  private readonly expiry: Expiry
  private seq = 0

  constructor(
    name: string,
    sdb: SqliteDatabase,
    readonly retentionMs: number,
    readonly windowSizeMs: number,
    readonly retainDuplicates: boolean,
    persistent = true,
  ) {
    super(name, sdb, persistent)
    const t = tableName('win', name)
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS ${t} (k BLOB NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL, v BLOB NOT NULL, PRIMARY KEY (k, ts, seq)) WITHOUT ROWID`,
    )
    this.db.exec(`CREATE INDEX IF NOT EXISTS "${t.slice(1, -1)}_ts" ON ${t} (ts)`)
    this.sPut = this.db.prepare(`INSERT OR REPLACE INTO ${t} (k, ts, seq, v) VALUES (?, ?, ?, ?)`)
    this.sDel = this.db.prepare(`DELETE FROM ${t} WHERE k = ? AND ts = ? AND seq = ?`)
    this.sFetch = this.db.prepare(`SELECT ts, v FROM ${t} WHERE k = ? AND ts >= ? AND ts <= ? ORDER BY ts, seq`).raw()
    this.sFetchAll = this.db.prepare(`SELECT k, ts, v FROM ${t} WHERE ts >= ? AND ts <= ? ORDER BY ts, k, seq`).raw()
    this.sPurge = this.db.prepare(`DELETE FROM ${t} WHERE ts <= ?`)
    this.expiry = new Expiry(retentionMs, (before) => {
      this.sdb.ensureTransaction()
      this.sPurge.run(before)
    })
    // stream time as far as this store has seen it survives a restart in its rows
    const latest = this.db.prepare(`SELECT max(ts) FROM ${t}`).pluck().get() as number | null
    if (latest !== null) this.expiry.observed = latest
    this.seq = (this.db.prepare(`SELECT max(seq) FROM ${t}`).pluck().get() as number | null) ?? 0
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): number {
    if (!this.expiry.observe(windowStart)) return -1
    this.sdb.ensureTransaction()
    if (this.retainDuplicates) {
      if (value === null) return 0
      const seq = ++this.seq
      this.sPut.run(key, windowStart, seq, value)
      return seq
    }
    if (value === null) this.sDel.run(key, windowStart, 0)
    else this.sPut.run(key, windowStart, 0, value)
    return 0
  }

  fetch(key: Buffer, timeFrom: number, timeTo: number): WindowBytesEntry[] {
    const from = Math.max(timeFrom, this.expiry.observed - this.retentionMs + 1)
    const rows = this.sFetch.all(key, from, timeTo) as Array<[number, Buffer]>
    return rows.map(([windowStart, value]) => ({ key, windowStart, value }))
  }

  fetchAll(timeFrom: number, timeTo: number): WindowBytesEntry[] {
    const from = Math.max(timeFrom, this.expiry.observed - this.retentionMs + 1)
    const rows = this.sFetchAll.all(from, timeTo) as Array<[Buffer, number, Buffer]>
    return rows.map(([key, windowStart, value]) => ({ key, windowStart, value }))
  }

  restoreBatch(records: RestoreRecord[]): void {
    this.sdb.ensureTransaction()
    for (const r of records) {
      const { key, windowStart, seq } = parseWindowKeyBytes(r.key)
      if (seq > this.seq) this.seq = seq
      this.expiry.observed = Math.max(this.expiry.observed, windowStart)
      if (r.value === null) this.sDel.run(key, windowStart, seq)
      else this.sPut.run(key, windowStart, seq, r.value)
    }
  }
}

export class SqliteSessionStore extends SqliteBase implements SessionBytesStore {
  private readonly sPut: Database.Statement
  private readonly sDel: Database.Statement
  private readonly sFind: Database.Statement
  private readonly sAll: Database.Statement
  private readonly sPurge: Database.Statement
  private readonly expiry: Expiry

  constructor(name: string, sdb: SqliteDatabase, readonly retentionMs: number, persistent = true) {
    super(name, sdb, persistent)
    const t = tableName('ses', name)
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS ${t} (k BLOB NOT NULL, e INTEGER NOT NULL, s INTEGER NOT NULL, v BLOB NOT NULL, PRIMARY KEY (k, e, s)) WITHOUT ROWID`,
    )
    this.sPut = this.db.prepare(`INSERT OR REPLACE INTO ${t} (k, e, s, v) VALUES (?, ?, ?, ?)`)
    this.sDel = this.db.prepare(`DELETE FROM ${t} WHERE k = ? AND e = ? AND s = ?`)
    this.sFind = this.db.prepare(`SELECT e, s, v FROM ${t} WHERE k = ? AND e >= ? AND s <= ? ORDER BY e, s`).raw()
    this.sAll = this.db.prepare(`SELECT k, e, s, v FROM ${t} ORDER BY e, k, s`).raw()
    this.sPurge = this.db.prepare(`DELETE FROM ${t} WHERE e <= ?`)
    this.expiry = new Expiry(retentionMs, (before) => {
      this.sdb.ensureTransaction()
      this.sPurge.run(before)
    })
    const latest = this.db.prepare(`SELECT max(e) FROM ${t}`).pluck().get() as number | null
    if (latest !== null) this.expiry.observed = latest
  }

  put(key: Buffer, start: number, end: number, value: Buffer | null): boolean {
    if (!this.expiry.observe(end)) return false
    this.sdb.ensureTransaction()
    if (value === null) this.sDel.run(key, end, start)
    else this.sPut.run(key, end, start, value)
    return true
  }

  findSessions(key: Buffer, earliestSessionEnd: number, latestSessionStart: number): SessionBytesEntry[] {
    const from = Math.max(earliestSessionEnd, this.expiry.observed - this.retentionMs + 1)
    const rows = this.sFind.all(key, from, latestSessionStart) as Array<[number, number, Buffer]>
    return rows.map(([end, start, value]) => ({ key, start, end, value }))
  }

  fetchAll(): SessionBytesEntry[] {
    const rows = this.sAll.all() as Array<[Buffer, number, number, Buffer]>
    return rows.map(([key, end, start, value]) => ({ key, start, end, value }))
  }

  restoreBatch(records: RestoreRecord[]): void {
    this.sdb.ensureTransaction()
    for (const r of records) {
      const { key, start, end } = parseSessionKeyBytes(r.key)
      this.expiry.observed = Math.max(this.expiry.observed, end)
      if (r.value === null) this.sDel.run(key, end, start)
      else this.sPut.run(key, end, start, r.value)
    }
  }
}
