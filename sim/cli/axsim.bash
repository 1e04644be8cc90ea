# bash completion of axsim.  Commands, options and what each option's value is
# are read from the tool's own usage texts (axsim --help, axsim COMMAND --help),
# which sim/cli/options.c makes from the option tables, so they cannot go stale.
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
	local help
	help=$("$tool" "${COMP_WORDS[1]}" --help 2>/dev/null | sed -n '/^options:/,$p')
	if [[ $prev == -* ]]; then
		# the value of the option before: its alternatives, a file, or free text
		local arg
		arg=$(printf '%s\n' "$help" | sed -n "s/^  $prev \([^ ][^ ]*\).*/\1/p" | head -n 1)
		case $arg in
		'') ;;
		*'|'*) mapfile -t COMPREPLY < <(compgen -W "${arg//|/ }" -- "$cur"); return ;;
		FILE* | DIR | *.yaml | *.json | *.elf | *.onnx)
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			compopt -o filenames 2>/dev/null
			return
			;;
		*) return ;;
		esac
	fi
	if [[ $cur == -* ]]; then
		local opts
		opts=$(printf '%s\n' "$help" | sed -n 's/^  \(-[a-z-]*\).*/\1/p')
		mapfile -t COMPREPLY < <(compgen -W "$opts --help" -- "$cur")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	compopt -o filenames 2>/dev/null
}
complete -F _axsim axsim
