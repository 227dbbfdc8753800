// SQL text for SQLite.
export const listTables = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
export const describeTable = (quotedTable: string): string => `PRAGMA table_info(${quotedTable})`
