# bash completion for sfoauth (installed by make install under
# $(PREFIX)/share/bash-completion/completions/sfoauth)
_sfoauth()
{
    local cur prev words cword cmd i
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    local cmds="jwt login code refresh client-credentials device password revoke introspect userinfo token decode-url help"
    cmd=
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            -*) ;;
            *) case " $cmds " in *" ${COMP_WORDS[i]} "*) cmd=${COMP_WORDS[i]}; break ;; esac ;;
        esac
    done
    case $prev in
        --key|--cacert|--cache|--client-secret-file|--refresh-token-file|--token-file|\
        --password-file|--code-file|--callback-url|--code-verifier)
            COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
        --output) COMPREPLY=( $(compgen -W "json env header" -- "$cur") ); return ;;
        --ca) COMPREPLY=( $(compgen -W "salesforce system" -- "$cur") ); return ;;
        --flow) COMPREPLY=( $(compgen -W "jwt client-credentials password" -- "$cur") ); return ;;
        --prompt) COMPREPLY=( $(compgen -W "login consent select_account" -- "$cur") ); return ;;
        --token-type-hint) COMPREPLY=( $(compgen -W "access_token refresh_token" -- "$cur") ); return ;;
        --code) COMPREPLY=( - ); return ;;
        --login-url|--token-url|--authorize-url|--revoke-url|--introspect-url|--userinfo-url|\
        --device-url|--redirect-uri|--proxy|--audience|--client-id|--username|--scope|\
        --browser|--wait|--timeout|--max-time|--retries|--session-lifetime|--expiry-margin|\
        --field|--param)
            return ;;
    esac
    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=( $(compgen -W "--help --version" -- "$cur") )
        else
            COMPREPLY=( $(compgen -W "$cmds" -- "$cur") )
        fi
        return
    fi
    if [[ $cmd == help ]]; then
        COMPREPLY=( $(compgen -W "$cmds" -- "$cur") ); return
    fi
    # the options of this command, from its own help
    local opts
    opts=$(sfoauth "$cmd" --help 2>/dev/null | sed -n 's/^  \(--[a-z-]*\).*/\1/p')
    COMPREPLY=( $(compgen -W "$opts -v -h" -- "$cur") )
}
complete -F _sfoauth sfoauth
