// Row objects for change events, built by code generated once per column list (as the JSON
// converter's struct writers are): each column is one named property in an object literal, so
// every row of a table gets the same hidden class at once, instead of a property added per
// column through a keyed store that every table shares (which V8 makes megamorphic).
// Column names enter the code only as JSON string literals.

/** A column value's converter (null and undefined never reach it). */
export type Convert = (v: unknown) => unknown

/** The property key of a column in generated code: a computed key for __proto__, which a literal key would turn into the prototype. */
function propertyKey(name: string): string {
  const literal = JSON.stringify(name)
  return name === '__proto__' ? `[${literal}]` : literal
}

/**
 * A function that turns one row's values (an array in column order, read at once: the caller may
 * reuse it) into the row object { [names[i]]: convert[i](values[i]) }, null and undefined as null;
 * without converters the values are taken as they are.
 */
export function rowBuilder(names: readonly string[], converters: readonly Convert[] | null): (values: ArrayLike<unknown>) => Record<string, unknown> {
  let prologue = ''
  let body = ''
  for (let i = 0; i < names.length; i++) {
    if (converters === null) {
      body += `    ${propertyKey(names[i]!)}: (v = values[${i}]) === undefined ? null : v,\n`
      continue
    }
    prologue += `const c${i} = converters[${i}]\n`
    body += `    ${propertyKey(names[i]!)}: (v = values[${i}]) === null || v === undefined ? null : c${i}(v),\n`
  }
  const src = `${prologue}return function buildRow(values) {
  let v
  return {
${body}  }
}`
  return new Function('converters', src)(converters) as (values: ArrayLike<unknown>) => Record<string, unknown>
}

/** A function that picks the key columns of a row object into a new object (missing ones as null). */
export function keyBuilder(keyColumns: readonly string[]): (row: Record<string, unknown>) => Record<string, unknown> {
  let body = ''
  for (const k of keyColumns) {
    const literal = JSON.stringify(k)
    body += `    ${propertyKey(k)}: row[${literal}] ?? null,\n`
  }
  return new Function(`return function keyOf(row) {
  return {
${body}  }
}`)() as (row: Record<string, unknown>) => Record<string, unknown>
}
