import { describe, expect, it } from 'vitest'
import { editDistance, nearest } from '../src/parsing/suggest'

describe('did you mean', () => {
  const commands = ['ps', 'pull', 'push', 'run', 'rm', 'rmi', 'images', 'volume ls', 'volume rm', 'volume']
  it('suggests the nearest command for a typo', () => {
    expect(nearest('psx', commands)).toBe('ps')
    expect(nearest('imags', commands)).toBe('images')
    expect(nearest('volume lss', commands)).toBe('volume ls')
    expect(nearest('pusj', commands)).toBe('push')
  })
  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('sp', 'ps')).toBe(1)
    expect(nearest('imgaes', commands)).toBe('images')
  })
  it('offers a command the word is the start of', () => {
    expect(nearest('vol', commands)).toBe('volume')
  })
  it('offers nothing when nothing is close', () => {
    expect(nearest('frobnicate', commands)).toBeUndefined()
    expect(nearest('xy', commands)).toBeUndefined()
  })
})
