# Runs one libFuzzer target for a bounded time over a fresh copy of its seed
# corpus (ctest entry fuzz.<target>, see CMakeLists.txt):
#   cmake -DFUZZER=bin -DSEEDS=dir -DWORK=dir -DSECONDS=n -P run_fuzzer.cmake
# Fails when the target crashes, leaks, hangs or runs out of memory; the input
# is then in WORK/artifacts/.
foreach(var FUZZER SEEDS WORK SECONDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzzer.cmake: -D${var}=... is required")
  endif()
endforeach()
file(GLOB seeds "${SEEDS}/*")
list(LENGTH seeds seed_count)
if(seed_count EQUAL 0)
  message(FATAL_ERROR "run_fuzzer.cmake: no seed files in ${SEEDS}")
endif()

# A fresh copy each run: libFuzzer adds the inputs it finds to the first
# corpus directory, which must never be the source tree.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/artifacts")
file(COPY ${seeds} DESTINATION "${WORK}/corpus")

message(STATUS "fuzzing ${FUZZER} for ${SECONDS}s from ${seed_count} seeds")
# -timeout: one input taking 10 s is a hang; -rss_limit_mb: a hostile input
# must not make a parser take gigabytes.
execute_process(
  COMMAND "${FUZZER}" -max_total_time=${SECONDS} -rss_limit_mb=2048 -timeout=10
          -print_final_stats=1 -artifact_prefix=${WORK}/artifacts/ "${WORK}/corpus"
  WORKING_DIRECTORY "${WORK}"
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  file(GLOB artifacts "${WORK}/artifacts/*")
  message(FATAL_ERROR "${FUZZER} failed (${status}); input(s): ${artifacts}\n"
                      "reproduce with: ${FUZZER} <input>")
endif()
