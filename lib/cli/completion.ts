/**
 * Shell completion scripts for bash and zsh, generated from the settings
 * table so they never drift from the flags.
 *
 * @module
 */
import { type Setting, SETTINGS } from "./settings.ts";

function longName(s: Setting): string {
  return s.flag.split(" ")[0];
}

function takesFile(s: Setting): boolean {
  return /<file>/.test(s.flag);
}

function takesDir(s: Setting): boolean {
  return /<dir>/.test(s.flag);
}

function allFlags(): string[] {
  const flags = ["--help", "--version"];
  for (const s of SETTINGS) {
    flags.push(longName(s));
    if (s.negatable) flags.push(`--no-${longName(s).slice(2)}`);
  }
  return flags;
}

/**
 * The bash completion script. Install with
 * `dhcp-nats completion bash > /etc/bash_completion.d/dhcp-nats`.
 *
 * @example
 * ```ts
 * import { bashCompletion } from "./completion.ts";
 * if (!bashCompletion().includes("--nats-url")) throw new Error();
 * ```
 */
export function bashCompletion(): string {
  const cases = SETTINGS.filter((s) => s.choices || takesFile(s) || takesDir(s))
    .map((s) =>
      s.choices
        ? `    ${longName(s)}) COMPREPLY=( $(compgen -W "${
          s.choices.join(" ")
        }" -- "$cur") ); return ;;`
        : `    ${longName(s)}) COMPREPLY=( $(compgen -${
          takesDir(s) ? "d" : "f"
        } -- "$cur") ); return ;;`
    );
  return `# bash completion for dhcp-nats
_dhcp_nats() {
  local cur prev
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
${cases.join("\n")}
  esac
  if [[ $COMP_CWORD -eq 1 && "$cur" != -* ]]; then
    COMPREPLY=( $(compgen -W "probe demo kv completion" -- "$cur") ); return
  fi
  if [[ "\${COMP_WORDS[1]}" == kv && $COMP_CWORD -eq 2 ]]; then
    COMPREPLY=( $(compgen -W "import export" -- "$cur") ); return
  fi
  if [[ "\${COMP_WORDS[1]}" == kv ]]; then
    COMPREPLY=( $(compgen -W "--kv-bucket --replicas --prune --nats-url --help" -- "$cur") $(compgen -f -- "$cur") ); return
  fi
  if [[ "\${COMP_WORDS[1]}" == probe ]]; then
    COMPREPLY=( $(compgen -W "--mac --server --json --timeout --help" -- "$cur") ); return
  fi
  COMPREPLY=( $(compgen -W "${allFlags().join(" ")}" -- "$cur") )
}
complete -F _dhcp_nats dhcp-nats
`;
}

function zshEscape(text: string): string {
  return text.replace(/[[\]:']/g, (c) => `\\${c}`);
}

/**
 * The zsh completion script. Install as `_dhcp-nats` in a directory on
 * `$fpath`.
 *
 * @example
 * ```ts
 * import { zshCompletion } from "./completion.ts";
 * if (!zshCompletion().startsWith("#compdef dhcp-nats")) throw new Error();
 * ```
 */
export function zshCompletion(): string {
  const specs: string[] = [
    "'(- *)'{-h,--help}'[show help]'",
    "'(- *)'{-V,--version}'[print the version]'",
  ];
  for (const s of SETTINGS) {
    const desc = zshEscape(s.description);
    if (s.boolean) {
      specs.push(`'${longName(s)}[${desc}]'`);
      if (s.negatable) {
        specs.push(`'--no-${longName(s).slice(2)}[turn it off]'`);
      }
      continue;
    }
    const action = s.choices
      ? `(${s.choices.join(" ")})`
      : takesFile(s)
      ? "_files"
      : takesDir(s)
      ? "_directories"
      : " ";
    specs.push(`'${longName(s)}=[${desc}]:value:${action}'`);
  }
  return `#compdef dhcp-nats
_dhcp_nats() {
  local -a commands
  commands=('probe:run a DORA against a server and print the lease' 'demo:run all three roles on loopback and probe once' 'kv:import or export reservations in a NATS KV bucket' 'completion:print a shell completion script')
  _arguments -s \\
    ${specs.join(" \\\n    ")} \\
    '1: :->cmd' '*:: :->args'
  case $state in
    cmd) _describe command commands ;;
    args)
      case $words[1] in
        probe) _arguments '--mac=[client MAC]:mac: ' '--server=[server host\\:port]:server: ' '--json[print JSON]' '--timeout=[give up after]:duration: ' ;;
        kv) _arguments '1:action:(import export)' '--kv-bucket=[KV bucket]:name: ' '--replicas=[bucket copies]:n: ' '--prune[delete keys not in the file]' '*:file:_files' ;;
        completion) _values shell bash zsh ;;
      esac ;;
  esac
}
_dhcp_nats "$@"
`;
}
