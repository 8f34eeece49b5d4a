import { TsrunError } from '@tsrun/core'
import { inspectRenderer } from './inspect-format'

/** Exit status of an inspect that could not show every object: 1, as docker/cli's inspect gives for any lookup error. */
export const INSPECT_LOOKUP_EXIT = 1

/**
 * Every `inspect` (`inspect`, `image inspect`, `volume inspect`) as
 * docker/cli's inspect.Inspect runs it: the format is checked first, each
 * reference looked up by `find`, the objects found printed (an empty `[]`
 * when none was), and then one `Error:` line per reference that failed, in
 * the order given, with exit status 1. A template that fails on an object
 * is the error of the command as a whole, after the output.
 */
export async function inspectObjects(refs: string[], format: string | undefined, find: (ref: string) => Promise<unknown> | unknown): Promise<void> {
  const render = inspectRenderer(format)
  const views: unknown[] = []
  const failures: string[] = []
  for (const ref of refs) {
    try {
      views.push(await find(ref))
    } catch (err) {
      if (!(err instanceof TsrunError)) throw err
      failures.push(err.message)
    }
  }
  const { text, error } = render(views)
  // Docker's template inspector prints an empty line when it found nothing (a failed template prints nothing, as elsewhere).
  process.stdout.write(text === '' && !error ? '\n' : text)
  for (const message of failures) process.stderr.write(`Error: ${message}\n`)
  if (error) throw error
  if (failures.length) process.exitCode = INSPECT_LOOKUP_EXIT
}
