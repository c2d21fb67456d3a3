# SPDX-License-Identifier: MIT
# bash completion for cisearch (installed by `make install` into
# $(PREFIX)/share/bash-completion/completions/cisearch).

_cisearch()
{
    local cur prev cmd i
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    local commands="search index delete optimize check stats eval bench serve help"
    cmd=search
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            search | index | delete | optimize | check | stats | eval | bench | serve | help)
                cmd=${COMP_WORDS[i]}
                break
                ;;
        esac
    done
    case $prev in
        -i | --index | --qrels)
            COMPREPLY=($(compgen -d -- "$cur"))
            [ "$prev" = --qrels ] && COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
        --jsonl | --queries | -q)
            COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
        -f | --format)
            case $cmd in
                stats) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
                eval) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
                *) COMPREPLY=($(compgen -W "text json trec ids" -- "$cur")) ;;
            esac
            return
            ;;
        --color)
            COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
            return
            ;;
        --language)
            COMPREPLY=($(compgen -W "english none danish dutch finnish french german hungarian
                italian norwegian porter portuguese romanian russian spanish swedish turkish" \
                -- "$cur"))
            return
            ;;
        -n | --limit | --offset | --k1 | --b | --rm3-docs | --rm3-terms | --rm3-weight | \
            --proximity | --proximity-depth | --snippet-words | -k | -r | --repeat | \
            --max-segments | --listen)
            return
            ;;
    esac
    local opts
    case $cmd in
        search) opts="--index --limit --offset --and --strict --plain --explain --format
                      --queries --k1 --b --rm3 --no-rm3 --rm3-docs --rm3-terms --rm3-weight
                      --rm3-widen --proximity --no-proximity --proximity-depth --count-all
                      --color --snippet-words --help" ;;
        index) opts="--index --jsonl --language --recover --strict --verbose --quiet --help" ;;
        delete) opts="--index --prefix --help" ;;
        optimize) opts="--index --max-segments --help" ;;
        check) opts="--index --recover --help" ;;
        stats) opts="--index --check --format --help" ;;
        eval) opts="--qrels --format --per-query --help" ;;
        bench) opts="--index --queries -k --repeat --and --help" ;;
        serve) opts="--index --listen --help" ;;
        help) COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    elif [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    elif [ "$cmd" = index ] || [ "$cmd" = eval ]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -F _cisearch cisearch
