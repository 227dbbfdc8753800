// One SQLite database per task. Writes of all its stores go into one open
// transaction that the task commits on flush, so a commit is one fsync.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'

export class SqliteDatabase {
  readonly db: Database.Database
  constructor(readonly file: string | null) {
    if (file !== null) fs.mkdirSync(path.dirname(file), { recursive: true })
    this.db = new Database(file ?? ':memory:')
    if (file !== null) {
      this.db.pragma('journal_mode = WAL')
      this.db.pragma('synchronous = NORMAL')
    }
  }

  /** Called before every write. */
  ensureTransaction(): void {
    if (!this.db.inTransaction) this.db.exec('BEGIN')
  }

  commit(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT')
  }

  close(): void {
    if (!this.db.open) return
    this.commit()
    this.db.close()
  }
}

export function tableName(prefix: string, storeName: string): string {
  return `"${prefix}_${storeName.replaceAll('"', '""')}"`
}
