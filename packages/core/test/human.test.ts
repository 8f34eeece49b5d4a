import { describe, expect, it } from 'vitest'
import { humanDuration, humanSize } from '../src/util/human'

describe('human renderings', () => {
  it.each([[0, '0B'], [999, '999B'], [4_264_000, '4.26MB'], [42_600_000, '42.6MB'], [100_000_000, '100MB'], [5_000_000, '5MB']])('size %d', (n, s) => {
    expect(humanSize(n)).toBe(s)
  })
  it.each([[400, 'Less than a second'], [3_000, '3 seconds'], [65_000, 'About a minute'], [7_200_000, '2 hours']])('duration %d', (ms, s) => {
    expect(humanDuration(ms)).toBe(s)
  })
})
