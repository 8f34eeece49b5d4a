/** Set by scripts/bundle-cli.js (esbuild `define`) when the bundle is built. */
declare const TSRUN_GIT_COMMIT: string | undefined
declare const TSRUN_BUILD_TIME: string | undefined

/**
 * The commit the CLI was built from and when, as the bundle recorded them
 * (`unknown` when running unbundled or outside a git checkout).
 */
export function buildFacts(): { commit: string; builtAt: string } {
  return {
    commit: typeof TSRUN_GIT_COMMIT === 'string' && TSRUN_GIT_COMMIT ? TSRUN_GIT_COMMIT : 'unknown',
    builtAt: typeof TSRUN_BUILD_TIME === 'string' && TSRUN_BUILD_TIME ? TSRUN_BUILD_TIME : 'unknown',
  }
}
