// A TPC-B-like workload for MySQL / MariaDB (pgbench's tables and transaction): branches,
// tellers, accounts and history, with concurrent transactions each moving a random delta
// through one account, its teller and its branch and appending a history row.
import mysql from 'mysql2/promise'

export const TPCB_TELLERS_PER_BRANCH = 10
export const TPCB_ACCOUNTS_PER_BRANCH = 100_000

/** Creates and fills the four tables in `db` at the given scale (branches). */
export async function tpcbInit(conn: mysql.Connection, db: string, scale: number): Promise<void> {
  await conn.query(`CREATE DATABASE IF NOT EXISTS \`${db}\``)
  await conn.query(`USE \`${db}\``)
  await conn.query('DROP TABLE IF EXISTS tpcb_history, tpcb_accounts, tpcb_tellers, tpcb_branches')
  await conn.query('CREATE TABLE tpcb_branches (bid INT PRIMARY KEY, bbalance INT NOT NULL, filler CHAR(88))')
  await conn.query('CREATE TABLE tpcb_tellers (tid INT PRIMARY KEY, bid INT NOT NULL, tbalance INT NOT NULL, filler CHAR(84))')
  await conn.query('CREATE TABLE tpcb_accounts (aid INT PRIMARY KEY, bid INT NOT NULL, abalance INT NOT NULL, filler CHAR(84))')
  await conn.query('CREATE TABLE tpcb_history (hid BIGINT AUTO_INCREMENT PRIMARY KEY, tid INT, bid INT, aid INT, delta INT, mtime DATETIME(6), filler CHAR(22))')
  const n = (k: number): string => `seq_1_to_${k}` // MariaDB's SEQUENCE engine
  await conn.query(`INSERT INTO tpcb_branches SELECT seq, 0, '' FROM ${n(scale)}`)
  await conn.query(`INSERT INTO tpcb_tellers SELECT seq, (seq - 1) DIV ${TPCB_TELLERS_PER_BRANCH} + 1, 0, '' FROM ${n(scale * TPCB_TELLERS_PER_BRANCH)}`)
  await conn.query(`INSERT INTO tpcb_accounts SELECT seq, (seq - 1) DIV ${TPCB_ACCOUNTS_PER_BRANCH} + 1, 0, '' FROM ${n(scale * TPCB_ACCOUNTS_PER_BRANCH)}`)
}

/**
 * Runs `clients` connections of TPC-B transactions for `seconds` (or until `stop` resolves);
 * resolves to the number of committed transactions. Deadlocks and lock waits are retried.
 */
export async function tpcbRun(options: mysql.ConnectionOptions, db: string, scale: number, clients: number, seconds: number): Promise<number> {
  const deadline = Date.now() + seconds * 1000
  let committed = 0
  const rnd = (n: number): number => 1 + Math.floor(Math.random() * n)
  await Promise.all(Array.from({ length: clients }, async () => {
    const c = await mysql.createConnection({ ...options, database: db })
    try {
      while (Date.now() < deadline) {
        const aid = rnd(scale * TPCB_ACCOUNTS_PER_BRANCH)
        const tid = rnd(scale * TPCB_TELLERS_PER_BRANCH)
        const bid = rnd(scale)
        const delta = rnd(10_001) - 5001
        try {
          await c.beginTransaction()
          await c.query('UPDATE tpcb_accounts SET abalance = abalance + ? WHERE aid = ?', [delta, aid])
          await c.query('SELECT abalance FROM tpcb_accounts WHERE aid = ?', [aid])
          await c.query('UPDATE tpcb_tellers SET tbalance = tbalance + ? WHERE tid = ?', [delta, tid])
          await c.query('UPDATE tpcb_branches SET bbalance = bbalance + ? WHERE bid = ?', [delta, bid])
          await c.query('INSERT INTO tpcb_history (tid, bid, aid, delta, mtime) VALUES (?, ?, ?, ?, NOW(6))', [tid, bid, aid, delta])
          await c.commit()
          committed++
        } catch (err) {
          await c.rollback().catch(() => {})
          const code = (err as { code?: string }).code
          if (code !== 'ER_LOCK_DEADLOCK' && code !== 'ER_LOCK_WAIT_TIMEOUT') throw err
        }
      }
    } finally {
      await c.end().catch(() => {})
    }
  }))
  return committed
}
