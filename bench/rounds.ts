// Shared by the benches: alternating rounds and medians, so no side always runs first (warm
// caches, JIT, page cache) and one noisy round does not decide a figure.

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/**
 * Runs every side once per round, rotating the order each round (round r starts with side
 * r mod n). Each side returns its measurements (named numbers); the result holds, per side
 * and measurement, every round's value.
 */
export type Measurements = Record<string, number>
export type RoundResults<S extends string> = Record<S, Record<string, number[]>>

export async function alternateRounds<S extends string>(
  rounds: number,
  sides: Record<S, (round: number) => Promise<Measurements> | Measurements>,
  onRound?: (round: number, side: S, m: Measurements) => void,
): Promise<RoundResults<S>> {
  const names = Object.keys(sides) as S[]
  const out = {} as RoundResults<S>
  for (const n of names) out[n] = {}
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const side = names[(r + i) % names.length]!
      const m = await sides[side](r)
      const bySide: Record<string, number[]> = out[side]
      for (const [k, v] of Object.entries(m)) (bySide[k] ??= []).push(v)
      onRound?.(r, side, m)
    }
  }
  return out
}

/** Median of one measurement of one side. */
export function med<S extends string>(results: RoundResults<S>, side: S, m: string): number {
  return median(results[side][m] ?? [])
}
