export type * from './types.js'
export type * from './expressions.js'
export type * from './query.js'
export type * from './statements.js'
