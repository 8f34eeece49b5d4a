/**
 * The shell side of tsrun's completion: each script hands the command line
 * up to the cursor to `tsrun __complete SHELL LINE` (the program the user
 * typed, so `./bin/tsrun` completes too) and offers what it prints, one
 * candidate a line; when it prints nothing the shell completes file names.
 * All knowledge of commands, flags and names stays in TypeScript
 * (completion/candidates.ts), so the three scripts stay small and alike.
 *
 * bash splits words at COMP_WORDBREAKS (`:` and `=` among them), so
 * `demo:1` is three words to it: its script sends the line whole and cuts
 * off each candidate's front up to what bash counts as the current word.
 */
export const SHELLS = ['bash', 'zsh', 'fish'] as const

/** One of SHELLS. */
export type Shell = (typeof SHELLS)[number]

const BASH = [
  '# tsrun completion for bash: source <(tsrun completion bash)',
  '# or: tsrun completion bash > /etc/bash_completion.d/tsrun',
  '_tsrun_completion() {',
  '  local line=${COMP_LINE:0:COMP_POINT}',
  '  local cur=${COMP_WORDS[COMP_CWORD]}',
  '  local word=${line##*[[:space:]]}',
  '  local word_prefix=${word%"$cur"}',
  '  local c IFS=$\'\\n\'',
  '  COMPREPLY=()',
  '  for c in $("${COMP_WORDS[0]}" __complete bash "$line" 2>/dev/null); do',
  '    [[ $c == "$word"* ]] && COMPREPLY+=("${c#"$word_prefix"}")',
  '  done',
  '}',
  'complete -o default -F _tsrun_completion tsrun',
].join('\n') + '\n'

const ZSH = [
  '#compdef tsrun',
  '# tsrun completion for zsh: source <(tsrun completion zsh) after compinit,',
  '# or save it as _tsrun in a directory of $fpath.',
  '_tsrun() {',
  '  local -a candidates',
  '  candidates=("${(@f)$("${words[1]}" __complete zsh "${(j: :)${(@)words[1,CURRENT]}}" 2>/dev/null)}")',
  '  candidates=(${candidates:#})',
  '  if (( ${#candidates} )); then',
  '    compadd -- "${candidates[@]}"',
  '  else',
  '    _files',
  '  fi',
  '}',
  'if [[ $zsh_eval_context[-1] == loadautofunc ]]; then',
  '  _tsrun "$@"',
  'else',
  '  compdef _tsrun tsrun',
  'fi',
].join('\n') + '\n'

const FISH = [
  '# tsrun completion for fish: tsrun completion fish | source',
  '# or: tsrun completion fish > ~/.config/fish/completions/tsrun.fish',
  'function __tsrun_complete',
  '    set -l cmd (commandline -opc)[1]',
  '    set -l out ($cmd __complete fish (commandline -cp) 2>/dev/null)',
  '    if test (count $out) -eq 0',
  '        __fish_complete_path (commandline -ct)',
  '    else',
  '        printf \'%s\\n\' $out',
  '    end',
  'end',
  'complete -c tsrun -f -a \'(__tsrun_complete)\'',
].join('\n') + '\n'

/** The completion script for `shell`. */
export function completionScript(shell: Shell): string {
  return shell === 'bash' ? BASH : shell === 'zsh' ? ZSH : FISH
}
