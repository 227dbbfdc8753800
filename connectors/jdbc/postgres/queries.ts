// SQL text for PostgreSQL.
export const listTables = `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname`

export const describeTable = `SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
    COALESCE((SELECT k.n FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(att, n) WHERE k.att = a.attnum), 0)
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
  WHERE c.relname = $1 AND n.nspname = COALESCE($2, current_schema()) AND a.attnum > 0 AND NOT a.attisdropped
  ORDER BY a.attnum`
