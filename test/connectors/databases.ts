// Direct SQL on the test databases (setup and checks), per dialect.
import mysql from 'mysql2/promise'
import pg from 'pg'

export interface TestDb {
  name: 'postgres' | 'mysql'
  url: string
  jdbcUrl: string
  exec(sql: string): Promise<void>
  rows(sql: string): Promise<unknown[][]>
  close(): Promise<void>
}

export async function openTestDb(name: 'postgres' | 'mysql', url: string): Promise<TestDb> {
  if (name === 'postgres') {
    const client = new pg.Client({ connectionString: url, types: { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig })
    await client.connect()
    return {
      name, url, jdbcUrl: `jdbc:${url.replace(/^postgres:/, 'postgresql:')}`,
      exec: async (sql) => void (await client.query(sql)),
      rows: async (sql) => (await client.query({ text: sql, rowMode: 'array' })).rows as unknown[][],
      close: () => client.end(),
    }
  }
  const conn = await mysql.createConnection({ uri: url, multipleStatements: true, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true })
  return {
    name, url, jdbcUrl: `jdbc:${url}`,
    exec: async (sql) => void (await conn.query(sql)),
    rows: async (sql) => (await conn.query({ sql, rowsAsArray: true }))[0] as unknown[][],
    close: () => conn.end(),
  }
}
