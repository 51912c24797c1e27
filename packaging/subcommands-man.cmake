# Writes a help2man include file with a SUBCOMMANDS section: each subcommand's --help, as fractalmidi prints it.
#   cmake -DPROGRAM=path/to/fractalmidi -DOUTPUT=subcommands.h2m -P subcommands-man.cmake
execute_process(COMMAND ${PROGRAM} --help OUTPUT_VARIABLE top RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} --help failed (${rc})")
endif()
# The subcommands are the lines "  name   description" after "Subcommands:".
string(REGEX REPLACE ".*\nSubcommands:\n" "" listing "${top}")
string(REGEX MATCHALL "(^|\n)  [a-z][a-z0-9_-]*" names "${listing}")
get_filename_component(program_name ${PROGRAM} NAME)
set(text "[SUBCOMMANDS]\nEach subcommand takes \\fB\\-\\-help\\fR.\n")
foreach(name IN LISTS names)
  string(STRIP "${name}" name)
  execute_process(COMMAND ${PROGRAM} ${name} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${PROGRAM} ${name} --help failed (${rc})")
  endif()
  string(REPLACE "${PROGRAM}" "${program_name}" help "${help}")   # the usage line names the build-tree path
  string(REPLACE "\\" "\\e" help "${help}")
  string(REPLACE "-" "\\-" help "${help}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")   # a line may not start a roff request
  string(STRIP "${help}" help)
  string(APPEND text ".SS ${name}\n.nf\n${help}\n.fi\n")
endforeach()
file(WRITE ${OUTPUT} "${text}")
