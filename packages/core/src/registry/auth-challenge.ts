/**
 * Parse `WWW-Authenticate` headers (RFC 7235) as registries send them:
 *
 *   Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"
 *   Basic realm="basic-realm"
 *
 * One header may hold several challenges; quoted values may contain commas
 * and escaped quotes. Unknown schemes are kept so the caller can say which
 * scheme it cannot speak.
 */
export interface AuthChallenge {
  /** Lower-cased: `basic`, `bearer`, ... */
  scheme: string
  /** Parameter names lower-cased; values unquoted. */
  params: Record<string, string>
}

export function parseAuthChallenges(header: string | string[] | undefined): AuthChallenge[] {
  if (!header) return []
  const text = Array.isArray(header) ? header.join(', ') : header
  const out: AuthChallenge[] = []
  let i = 0
  const n = text.length
  const skipSpace = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++
  }
  const token = () => {
    const start = i
    while (i < n && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(text[i])) i++
    return text.slice(start, i)
  }
  while (i < n) {
    skipSpace()
    while (i < n && text[i] === ',') {
      i++
      skipSpace()
    }
    const scheme = token()
    if (!scheme) {
      i++
      continue
    }
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} }
    out.push(challenge)
    // Parameters: name=value pairs separated by commas, until the next scheme token (one not followed by '=').
    for (;;) {
      skipSpace()
      const save = i
      const name = token()
      skipSpace()
      if (!name || text[i] !== '=') {
        i = save
        break
      }
      i++ // '='
      skipSpace()
      let value = ''
      if (text[i] === '"') {
        i++
        while (i < n && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < n) i++
          value += text[i++]
        }
        i++ // closing quote
      } else {
        const start = i
        while (i < n && text[i] !== ',' && text[i] !== ' ') i++
        value = text.slice(start, i)
      }
      challenge.params[name.toLowerCase()] = value
      skipSpace()
      if (text[i] === ',') {
        i++
        continue
      }
      break
    }
  }
  return out
}
