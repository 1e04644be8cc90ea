# bash completion of axsim.  Commands and options are read from the tool's own
# usage texts (axsim --help, axsim COMMAND --help), so they cannot go stale.
_axsim()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local tool=${COMP_WORDS[0]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		local cmds
		cmds=$("$tool" --help 2>/dev/null | sed -n '/^commands:/,/^$/{s/^  \([a-z][a-z]*\) .*/\1/p}')
		mapfile -t COMPREPLY < <(compgen -W "$cmds --help --version" -- "$cur")
		return
	fi
	case $prev in
	--board) mapfile -t COMPREPLY < <(compgen -W "pcie m2" -- "$cur"); return ;;
	--set | --model | --inferences | --tolerance | --metric | --input-shape) return ;;
	esac
	if [[ $cur == -* ]]; then
		local opts
		opts=$("$tool" "${COMP_WORDS[1]}" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*\|-o\b' | sort -u)
		mapfile -t COMPREPLY < <(compgen -W "$opts --help" -- "$cur")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	compopt -o filenames 2>/dev/null
}
complete -F _axsim axsim
