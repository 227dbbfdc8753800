// Keys of windowed results: the original key plus the window it belongs to.

/** A time interval [start, end) in milliseconds; session windows are [start, end] inclusive. */
export interface Window {
  readonly start: number
  readonly end: number
}

export interface Windowed<K> {
  readonly key: K
  readonly window: Window
}

export function windowed<K>(key: K, start: number, end: number): Windowed<K> {
  return { key, window: { start, end } }
}
