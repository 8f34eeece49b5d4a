import { TsrunError } from '@tsrun/core'

/** Docker's refusal of `-it` without a terminal on stdin; exit 1, as `docker run` exits for it. */
export class NotATtyError extends TsrunError {
  override readonly exitCode = 1
  constructor() {
    super('the input device is not a TTY')
  }
}

/**
 * `run -it` / `exec -it` in the foreground with stdin that is not a
 * terminal (a pipe, a file, /dev/null) is refused before anything is made,
 * as docker/cli's `CheckTty` does: a pseudo-TTY wants a terminal to put in
 * raw mode and to size, and a script that pipes into `-it` would otherwise
 * wait on input that never reads as a terminal's. `-t` alone, or `-i`
 * alone, is fine.
 */
export function checkTty(attachStdin: boolean, tty: boolean, stdinIsTerminal = Boolean(process.stdin.isTTY)): void {
  if (attachStdin && tty && !stdinIsTerminal) throw new NotATtyError()
}
