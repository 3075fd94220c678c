# TOCK_SANITIZE=address,undefined builds everything with those sanitizers (CMake preset "asan").
set(TOCK_SANITIZE "" CACHE STRING "Comma-separated sanitizers, e.g. address,undefined")
if(TOCK_SANITIZE)
  add_compile_options(-fsanitize=${TOCK_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${TOCK_SANITIZE})
endif()
