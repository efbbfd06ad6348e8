# bash completion for pdmctl
_pdmctl() {
    local cur prev words cword
    _init_completion || return

    local commands="ping ls info checkout checkin unlock locks audit log diff blame cat restore watch who"
    local command="" i
    for ((i = 1; i < cword; i++)); do
        case "${words[i]}" in
            --socket) ((i++)) ;;
            -*) ;;
            *) command="${words[i]}"; break ;;
        esac
    done

    case "$prev" in
        --socket) _filedir; return ;;
        --status) COMPREPLY=($(compgen -W "available checked_out missing" -- "$cur")); return ;;
        --event) COMPREPLY=($(compgen -W "checked_out checked_in unlocked lock_broken file_added file_removed file_modified unlocked_write lock_moved waiting your_turn" -- "$cur")); return ;;
        --user) COMPREPLY=($(compgen -u -- "$cur")); return ;;
        -m|--message|-n|--limit|-r|--rev|--from|--to) return ;;
    esac

    if [[ -z "$command" ]]; then
        COMPREPLY=($(compgen -W "$commands --socket --json --help --version" -- "$cur"))
        return
    fi

    case "$command" in
        ls) COMPREPLY=($(compgen -W "--mine --status --user --help" -- "$cur")) ;;
        checkout) [[ "$cur" == -* ]] && COMPREPLY=($(compgen -W "-m --message -w --wait --help" -- "$cur")) || _filedir ;;
        checkin) [[ "$cur" == -* ]] && COMPREPLY=($(compgen -W "-m --message --help" -- "$cur")) || _filedir ;;
        unlock) [[ "$cur" == -* ]] && COMPREPLY=($(compgen -W "--force --discard -m --message --help" -- "$cur")) || _filedir ;;
        locks) COMPREPLY=($(compgen -W "--mine --user --help" -- "$cur")) ;;
        audit) [[ "$cur" == -* ]] && COMPREPLY=($(compgen -W "--user -n --limit --help" -- "$cur")) || _filedir ;;
        log) [[ "$cur" == -* ]] && COMPREPLY=($(compgen -W "-n --limit --help" -- "$cur")) || _filedir ;;
        diff) [[ "$cur" == -* ]] && COMPREPLY=($(compgen -W "--from --to --help" -- "$cur")) || _filedir ;;
        cat|restore) [[ "$cur" == -* ]] && COMPREPLY=($(compgen -W "-r --rev --help" -- "$cur")) || _filedir ;;
        blame) _filedir ;;
        info) _filedir ;;
        watch) COMPREPLY=($(compgen -W "--event --match --help" -- "$cur")) ;;
    esac
}
complete -F _pdmctl pdmctl
