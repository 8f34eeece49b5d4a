import { randomBytes } from 'node:crypto'

/** A 64-hex random id, as Docker's container ids. */
export function newId(): string {
  // An all-digit short id would read as a number in tools; Docker avoids it too.
  for (;;) {
    const id = randomBytes(32).toString('hex')
    if (/[a-f]/.test(id.slice(0, 12))) return id
  }
}

/** The 12-character form shown in tables and used as the default hostname. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12)
}

const ADJECTIVES = ['admiring', 'brave', 'calm', 'clever', 'dreamy', 'eager', 'festive', 'gifted', 'happy', 'jolly', 'keen', 'lucid', 'modest', 'nifty', 'optimistic', 'quirky', 'relaxed', 'serene', 'tender', 'upbeat', 'vibrant', 'wizardly', 'youthful', 'zealous']
const NOUNS = ['archimedes', 'babbage', 'curie', 'darwin', 'euler', 'faraday', 'galileo', 'hopper', 'joliot', 'kepler', 'lovelace', 'meitner', 'newton', 'noether', 'pascal', 'ritchie', 'shannon', 'tesla', 'turing', 'volta', 'wozniak', 'yonath', 'zuse', 'hypatia']

/** A readable random name (`brave_turing`), as Docker gives unnamed containers. */
export function randomName(): string {
  const pick = (xs: string[]) => xs[randomBytes(1)[0] % xs.length]
  return `${pick(ADJECTIVES)}_${pick(NOUNS)}`
}
