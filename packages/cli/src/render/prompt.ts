import { InvalidArgumentError } from '@tsrun/core'

/**
 * Ask a question on the terminal and answer the line typed. With `secret`,
 * nothing typed is echoed (as `docker login` does for the password): the
 * terminal goes to raw mode, so backspace and Ctrl-C are handled here.
 * Without a terminal, fail with what to pass instead (`instead`).
 */
export function prompt(question: string, opts: { secret?: boolean; instead: string }): Promise<string> {
  const input = process.stdin
  if (!input.isTTY) return Promise.reject(new InvalidArgumentError(`no terminal to ask on: pass ${opts.instead}`))
  return new Promise((resolve, reject) => {
    let line = ''
    const wasRaw = input.isRaw
    // Raw (no echo) before the question shows: what is typed after it must not echo.
    input.setRawMode(true)
    process.stderr.write(question)
    input.resume()
    const finish = (err?: Error) => {
      input.off('data', onData)
      input.setRawMode(wasRaw)
      input.pause()
      process.stderr.write('\n')
      if (err) reject(err)
      else resolve(line)
    }
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish()
        if (ch === '\u0003') return finish(Object.assign(new InvalidArgumentError('interrupted'), { exitCode: 130 }))
        if (ch === '\u0004' && line === '') return finish()
        if (ch === '\u007f' || ch === '\b') {
          if (line.length > 0) {
            line = [...line].slice(0, -1).join('')
            if (!opts.secret) process.stderr.write('\b \b')
          }
          continue
        }
        if (ch < ' ') continue
        line += ch
        if (!opts.secret) process.stderr.write(ch)
      }
    }
    input.on('data', onData)
  })
}
