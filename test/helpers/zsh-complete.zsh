# What zsh offers on TAB after a typed line, with a completion script loaded: an interactive zsh in a pseudo-terminal
# (zpty), compadd wrapped to print every candidate to OUT. Used by test/unit/completion.test.ts.
#   zsh -f zsh-complete.zsh SCRIPT OUT "mycotop --re"
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='ZP> '; autoload -U compinit; compinit -u -d ${2}.dump; source ${1}"
zpty -w z "compadd () { if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd \"\$@\"; return; fi; typeset -a __hits; builtin compadd -A __hits \"\$@\"; print -l -- \$__hits >> ${2}; builtin compadd \"\$@\"; }"
zpty -w z "zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' menu no; print RE''ADY"
# The prompt after READY: zle is up (the terminal raw), so the TAB below is completion, not typeahead.
zpty -r z line '*READY*ZP> *'
zpty -w -n z "${3}"$'\t'
zpty -w -n z $'\C-u'
zpty -w z 'print DO''NE'
zpty -r z line '*DONE*'
zpty -d z
