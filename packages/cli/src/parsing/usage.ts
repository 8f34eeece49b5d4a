/** A command class as far as its usage line needs. */
export interface UsageSource {
  usage?: string | string[]
  args?: Record<string, { required?: boolean }>
  strict?: boolean
}

/**
 * A command's usage in Docker's order and spelling, options first, since
 * tsrun parses flags before the positionals where order matters (`run`
 * takes flags only before the image): `[OPTIONS] CONTAINER [CONTAINER...]`.
 * An explicit `usage` on the command wins; otherwise it is derived from the
 * arguments: required ones bare, optional ones in brackets, and a command
 * that takes more than its declared arguments (`strict = false`) repeats
 * the last one, as Docker writes it.
 */
export function dockerUsage(cmd: UsageSource): string {
  if (cmd.usage) return Array.isArray(cmd.usage) ? cmd.usage[0] : cmd.usage
  const names = Object.entries(cmd.args ?? {})
  const parts = ['[OPTIONS]']
  names.forEach(([name, arg], i) => {
    const word = argWord(name)
    parts.push(arg.required ? word : `[${word}]`)
    if (i === names.length - 1 && cmd.strict === false) parts.push(`[${word}...]`)
  })
  return parts.join(' ')
}

/** An argument's name as Docker's usage writes it: `newName` and `new-name` are NEW_NAME. */
export function argWord(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/-/g, '_').toUpperCase()
}

/**
 * The command table with every command's `usage` set to `dockerUsage` of
 * it, unless the command sets its own: each entry stays a lazy getter (a
 * command's module loads only when it is used). The usage is set on the
 * class itself because oclif's help and its manifest copy a command's own
 * static properties, not inherited getters.
 */
export function withDockerUsage<T extends object>(table: T): T {
  const out = {} as T
  for (const key of Object.keys(table) as (keyof T)[]) {
    Object.defineProperty(out, key, {
      enumerable: true,
      get() {
        const cls = table[key] as unknown as UsageSource
        if (!Object.prototype.hasOwnProperty.call(cls, 'usage')) Object.defineProperty(cls, 'usage', { value: dockerUsage(cls), enumerable: true, writable: true, configurable: true })
        return cls
      },
    })
  }
  return out
}
