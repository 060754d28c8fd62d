# bash completion for bcpc (make install puts it in share/bash-completion/completions).
# The commands and each command's options are read from bcpc's own --help, so they
# are always those of the bcpc installed.
_bcpc() {
	local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$(bcpc --help 2>/dev/null | awk '/^  bcpc /{print $2}')" -- "$cur"))
		return
	fi
	case $cur in
	-*)
		COMPREPLY=($(compgen -W "$(bcpc "$cmd" --help 2>/dev/null | sed -n '1,/^$/p' |
			grep -o -- '--[a-z-]*' | sort -u)" -- "$cur")) ;;
	*)
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}
complete -o filenames -F _bcpc bcpc
