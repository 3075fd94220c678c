# The decoder page (web/*.html, *.css, *.js, *.svg) compiled into the server
# as byte arrays, so `tock serve` reads no file at run time and the page works
# on a machine with no internet. Each file's SHA-256 becomes its ETag.
# server/CMakeLists.txt calls tock_embed_web(tock_server_lib).
set(TOCK_WEB_DIR "${CMAKE_CURRENT_LIST_DIR}/..")
get_filename_component(TOCK_WEB_DIR "${TOCK_WEB_DIR}" ABSOLUTE)

function(tock_embed_web target)
  file(GLOB assets CONFIGURE_DEPENDS "${TOCK_WEB_DIR}/*.html" "${TOCK_WEB_DIR}/*.css"
       "${TOCK_WEB_DIR}/*.js" "${TOCK_WEB_DIR}/*.svg")
  list(SORT assets)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/web_assets.cc")
  # A CMake list in a COMMAND argument would split into several arguments.
  string(REPLACE ";" "|" files "${assets}")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" "-DOUT=${out}" "-DFILES=${files}"
            -P "${TOCK_WEB_DIR}/embed/embed_assets.cmake"
    DEPENDS ${assets} "${TOCK_WEB_DIR}/embed/embed_assets.cmake"
    COMMENT "Embedding the decoder page (web/) into tock serve"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
  target_include_directories(${target} PRIVATE "${TOCK_WEB_DIR}/embed")
endfunction()
