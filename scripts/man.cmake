# Writes the man page axsim.1 from the tool's own usage texts (axsim --help
# and axsim COMMAND --help), so the page cannot disagree with the tool.
#   cmake -DAXSIM=path/to/axsim -DVERSION=x.y.z -DOUT=axsim.1 -P man.cmake

# text as roff: backslashes escaped, a line starting with . or ' protected
function(roff text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

execute_process(COMMAND ${AXSIM} --help OUTPUT_VARIABLE top RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${AXSIM} --help failed (${rc})")
endif()

# the command names: the first word of each line of the "commands:" block
string(REGEX MATCH "commands:\n(  [^\n]*\n)+" block "${top}")
string(REGEX MATCHALL "\n  [a-z]+" names "${block}")
set(page ".TH AXSIM 1 \"\" \"axsim ${VERSION}\" \"User Commands\"\n")
string(APPEND page ".SH NAME\naxsim \\- cycle-approximate simulator of the Axelera Metis AI chip\n")
string(APPEND page ".SH SYNOPSIS\n.B axsim\n.I command\n[\n.I options\n]\n")
roff("${top}" t)
string(APPEND page ".SH DESCRIPTION\n.nf\n${t}.fi\n.SH COMMANDS\n")
foreach(n ${names})
  string(STRIP "${n}" n)
  execute_process(COMMAND ${AXSIM} ${n} --help OUTPUT_VARIABLE u RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${AXSIM} ${n} --help failed (${rc})")
  endif()
  roff("${u}" t)
  string(APPEND page ".SS ${n}\n.nf\n${t}.fi\n")
endforeach()
string(APPEND page ".SH EXIT STATUS\n0 success; 1 the simulation failed, an output could not be written, or\n"
       "(compare) a metric regressed; 2 bad input or usage.\n")
string(APPEND page ".SH SEE ALSO\nThe docs/ folder of the source tree: file formats, the timing model,\n"
       "sweeps, traces and the configuration reference; the C API in axsim.h.\n")
file(WRITE ${OUT} "${page}")
