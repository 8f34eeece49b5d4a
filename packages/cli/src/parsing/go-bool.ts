/**
 * Go's `strconv.ParseBool`, which Docker's and podman's flag parsing (pflag)
 * use for `--flag=VALUE` on a boolean: 1, t, T, TRUE, true, True are true;
 * 0, f, F, FALSE, false, False are false; anything else is not a boolean
 * (undefined), so `--rm=yes` fails as it does there.
 */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false
  return undefined
}
