# Warnings every tock target compiles with.
add_library(tock_warnings INTERFACE)
target_compile_options(tock_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                               -Wno-sign-conversion)
