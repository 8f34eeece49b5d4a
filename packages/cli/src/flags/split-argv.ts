/** A flag definition as far as argv splitting needs: does it take a value? */
interface FlagShape {
  type: 'boolean' | 'option'
  char?: string
  aliases?: string[]
}

/**
 * Split `run`'s argv into our flags and the container's command: flags stop at
 * the first positional (the image), so `run img echo -e x` passes `-e x` to
 * echo, as Docker does. Combined short flags (`-dit`, `-eK=V`) are expanded; `-d=false` stays whole.
 * Answers the flag tokens plus the image, and the command after it.
 */
export function splitRunArgv(argv: string[], flags: Record<string, FlagShape>): { ours: string[]; command: string[] } {
  const byChar = new Map<string, FlagShape>()
  const byName = new Map<string, FlagShape>()
  for (const [name, f] of Object.entries(flags)) {
    byName.set(name, f)
    for (const a of f.aliases ?? []) byName.set(a, f)
    if (f.char) byChar.set(f.char, f)
  }
  const ours: string[] = []
  let i = 0
  while (i < argv.length) {
    const tok = argv[i]
    if (tok === '--') {
      i++
      break
    }
    if (tok.startsWith('--')) {
      ours.push(tok)
      const f = byName.get(tok.slice(2).split('=')[0])
      if (f?.type === 'option' && !tok.includes('=') && i + 1 < argv.length) ours.push(argv[++i])
      i++
      continue
    }
    if (tok.startsWith('-') && tok.length > 1) {
      // -dit  → -d -i -t ; -eK=V → -e K=V ; -e K=V stays.
      for (let j = 1; j < tok.length; j++) {
        const c = tok[j]
        const f = byChar.get(c)
        // -d=false: a boolean's attached value (the parse normalises it).
        if (f?.type === 'boolean' && tok[j + 1] === '=') {
          ours.push(`-${c}${tok.slice(j + 1)}`)
          break
        }
        ours.push(`-${c}`)
        if (f?.type === 'option') {
          const rest = tok.slice(j + 1)
          if (rest) ours.push(rest.startsWith('=') ? rest.slice(1) : rest)
          else if (i + 1 < argv.length) ours.push(argv[++i])
          break
        }
      }
      i++
      continue
    }
    break
  }
  if (i < argv.length) ours.push(argv[i++])
  // `run IMG -- cmd --help` keeps oclif from reading --help as its own.
  if (argv[i] === '--') i++
  return { ours, command: argv.slice(i) }
}
