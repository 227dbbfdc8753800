// Type expressions as written: primitive names, DECIMAL(p, s), ARRAY<>, MAP<>, STRUCT<> and named types (CREATE TYPE).

export type PrimitiveTypeName = 'BOOLEAN' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'STRING' | 'BYTES' | 'DATE' | 'TIME' | 'TIMESTAMP'

export type TypeNode =
  | { readonly kind: 'PrimitiveType'; readonly name: PrimitiveTypeName }
  | { readonly kind: 'DecimalType'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'ArrayType'; readonly element: TypeNode }
  | { readonly kind: 'MapType'; readonly key: TypeNode; readonly value: TypeNode }
  | { readonly kind: 'StructType'; readonly fields: readonly { readonly name: string; readonly type: TypeNode }[] }
  | { readonly kind: 'NamedType'; readonly name: string }
