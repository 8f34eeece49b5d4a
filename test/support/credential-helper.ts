// `docker-credential-test`: a real credential helper program, a shell script
// speaking Docker's documented protocol (get / store / erase / list over
// stdin and stdout; "credentials not found in native keychain" and exit 1
// when it has nothing). It keeps one file per server URL in its store
// directory and appends each call ("get 127.0.0.1:5000") to a log, so tests
// see what tsrun asked. Put `dir` first on PATH to use it.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

export interface TestHelper {
  /** Holds docker-credential-test (for PATH). */
  dir: string
  /** `ACTION SERVERURL` per call, in order. */
  calls(): string[]
  /** What it keeps, as the JSON `store` got, by server URL. */
  stored(): Record<string, { ServerURL: string; Username: string; Secret: string }>
  remove(): void
}

export function makeCredentialHelper(): TestHelper {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-credhelper-'))
  const store = path.join(dir, 'store')
  const log = path.join(dir, 'calls.log')
  fs.mkdirSync(store)
  // The key of a server URL is its hex, so any URL is a safe file name.
  fs.writeFileSync(
    path.join(dir, 'docker-credential-test'),
    `#!/bin/sh
set -u
store='${store}'
hex() { printf %s "$1" | od -An -tx1 | tr -d ' \\n'; }
input=$(cat)
case "\${1:-}" in
get|erase) url=$input ;;
store) url=$(printf %s "$input" | sed -n 's/.*"ServerURL" *: *"\\([^"]*\\)".*/\\1/p') ;;
list) url= ;;
*) echo "usage: docker-credential-test get|store|erase|list" >&2; exit 2 ;;
esac
printf '%s %s\\n' "$1" "$url" >> '${log}'
case "$1" in
get) [ -f "$store/$(hex "$url")" ] || { echo "credentials not found in native keychain"; exit 1; }; cat "$store/$(hex "$url")" ;;
store) printf %s "$input" > "$store/$(hex "$url")" ;;
erase) [ -f "$store/$(hex "$url")" ] || { echo "credentials not found in native keychain"; exit 1; }; rm "$store/$(hex "$url")" ;;
list) printf '{}' ;;
esac
`,
    { mode: 0o755 },
  )
  return {
    dir,
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
    stored: () => Object.fromEntries(fs.readdirSync(store).map((f) => {
      const doc = JSON.parse(fs.readFileSync(path.join(store, f), 'utf8'))
      return [doc.ServerURL, doc]
    })),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  }
}
