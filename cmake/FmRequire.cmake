# fm_require(<found> <what> <debian packages...>): stops configure with an error that names the Debian packages
# that provide <what> when <found> is false, so a missing install step reads as one line to act on.
#   find_package(GTest)
#   fm_require(GTest_FOUND "GoogleTest" libgtest-dev)
function(fm_require found what)
  if(NOT ${found})
    string(JOIN " " packages ${ARGN})
    message(FATAL_ERROR "${what} was not found. On Debian it comes from: ${packages}\n"
                        "(scripts/install-deps.sh installs everything this project needs on Debian 12 and 13)")
  endif()
endfunction()
