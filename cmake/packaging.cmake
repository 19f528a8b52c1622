# Debian packages: `cpack -G DEB` in a build directory (`make deb` builds
# build-deb with Debian's build flags and runs it). Four packages, one per
# install component:
#
#   lib  -> libzoomflow0     the shared library (SONAME libzoomflow.so.0)
#   dev  -> libzoomflow-dev  headers, static library, pkg-config file, the .so link
#   cli  -> zoomflow         the program, man page, completions, the systemd
#                            unit for `zoomflow serve`, its user, /etc/zoomflow
#   sim  -> zoomsim          the Zoom emulator
#
# Every rule here is EXCLUDE_FROM_ALL: `cmake --install build` installs what
# it did before (the rules above, under CMAKE_INSTALL_PREFIX); these install
# only when a component is asked for, as cpack does, into Debian's layout
# under /usr whatever CMAKE_INSTALL_PREFIX is. Depends are dpkg-shlibdeps'
# (CPACK_DEBIAN_PACKAGE_SHLIBDEPS) plus the few written below.
# tests/packaging/test_debs.py checks the packages (ctest -L packaging);
# scripts/fresh-root --only debs installs them on a clean Debian 12.

set(ZF_PACKAGE_MAINTAINER
    "Seed f413b8bd maintainers <maintainers@users.noreply.r-seed-f413b8bd.example>"
    CACHE STRING "The Maintainer field of the Debian packages")
set(ZF_PACKAGE_HOMEPAGE "https://r-seed-f413b8bd.example/zoomflow"
    CACHE STRING "The Homepage field of the Debian packages (a placeholder until there is one)")

set(ZF_DEB_REVISION 1)
set(ZF_DEB_VERSION ${PROJECT_VERSION}-${ZF_DEB_REVISION})
set(ZF_DEB_SOURCE zoomflow)
set(ZF_DEB_PREFIX /usr)
if(CMAKE_LIBRARY_ARCHITECTURE)
  set(ZF_DEB_LIBDIR lib/${CMAKE_LIBRARY_ARCHITECTURE})
else()
  set(ZF_DEB_LIBDIR lib)
endif()
set(ZF_PKG_DIR ${CMAKE_BINARY_DIR}/packaging)
set(ZF_PKG_SRC ${CMAKE_SOURCE_DIR}/packaging)
find_program(GZIP_PROGRAM gzip)

# --- files made for the packages (part of `all`, so cpack finds them)
# The pkg-config file for /usr (the one above names CMAKE_INSTALL_PREFIX).
function(zf_deb_pc)
  set(CMAKE_INSTALL_PREFIX ${ZF_DEB_PREFIX})
  set(CMAKE_INSTALL_LIBDIR ${ZF_DEB_LIBDIR})
  set(CMAKE_INSTALL_INCLUDEDIR include)
  configure_file(${CMAKE_SOURCE_DIR}/cmake/zoomflow.pc.in ${ZF_PKG_DIR}/zoomflow.pc @ONLY)
endfunction()
zf_deb_pc()
configure_file(${ZF_PKG_SRC}/copyright.in ${ZF_PKG_DIR}/copyright @ONLY)
# The Debian changelog's date: now, or SOURCE_DATE_EPOCH's (reproducible builds).
string(TIMESTAMP ZF_DEB_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file(${ZF_PKG_SRC}/changelog.Debian.in ${ZF_PKG_DIR}/changelog.Debian @ONLY)

set(ZF_PKG_OUT
    ${ZF_PKG_DIR}/libzoomflow.a ${ZF_PKG_DIR}/zoomflow.1.gz ${ZF_PKG_DIR}/changelog.gz
    ${ZF_PKG_DIR}/changelog.Debian.gz)
# The static library without its debug sections (they hold the build's
# paths); its symbol table stays, so it still links.
add_custom_command(OUTPUT ${ZF_PKG_DIR}/libzoomflow.a
  COMMAND ${CMAKE_OBJCOPY} --strip-debug $<TARGET_FILE:zoomflow_static> ${ZF_PKG_DIR}/libzoomflow.a
  DEPENDS zoomflow_static VERBATIM)
# gzip -9n: Debian's compression of man pages and changelogs, no timestamp.
foreach(pair "docs/zoomflow.1|zoomflow.1.gz" "CHANGELOG.md|changelog.gz"
             "${ZF_PKG_DIR}/changelog.Debian|changelog.Debian.gz")
  string(REPLACE "|" ";" pair "${pair}")
  list(GET pair 0 in)
  list(GET pair 1 out)
  get_filename_component(in ${in} ABSOLUTE BASE_DIR ${CMAKE_SOURCE_DIR})
  add_custom_command(OUTPUT ${ZF_PKG_DIR}/${out}
    COMMAND sh -c "${GZIP_PROGRAM} -9n -c \"$1\" > \"$2\"" sh ${in} ${ZF_PKG_DIR}/${out}
    DEPENDS ${in} VERBATIM)
endforeach()
# Completion scripts, as `zoomflow completion bash|zsh` prints them.
if(TARGET zoomflow)
  foreach(pair "bash|zoomflow.bash" "zsh|_zoomflow")
    string(REPLACE "|" ";" pair "${pair}")
    list(GET pair 0 shell)
    list(GET pair 1 out)
    add_custom_command(OUTPUT ${ZF_PKG_DIR}/${out}
      COMMAND sh -c "\"$1\" completion $2 > \"$3\"" sh $<TARGET_FILE:zoomflow> ${shell}
              ${ZF_PKG_DIR}/${out}
      DEPENDS zoomflow VERBATIM)
    list(APPEND ZF_PKG_OUT ${ZF_PKG_DIR}/${out})
  endforeach()
endif()
add_custom_target(zf_package_files ALL DEPENDS ${ZF_PKG_OUT})

# --- what each package holds
set(ZF_PKG_INSTALL EXCLUDE_FROM_ALL)
install(TARGETS zoomflow_shared
        LIBRARY DESTINATION ${ZF_DEB_LIBDIR} COMPONENT lib NAMELINK_COMPONENT dev ${ZF_PKG_INSTALL})
install(FILES ${ZF_PKG_DIR}/libzoomflow.a DESTINATION ${ZF_DEB_LIBDIR} COMPONENT dev
        ${ZF_PKG_INSTALL})
install(FILES ${ZF_PKG_DIR}/zoomflow.pc DESTINATION ${ZF_DEB_LIBDIR}/pkgconfig COMPONENT dev
        ${ZF_PKG_INSTALL})
install(DIRECTORY include/zoomflow DESTINATION include COMPONENT dev ${ZF_PKG_INSTALL})
if(TARGET zoomflow)
  install(TARGETS zoomflow RUNTIME DESTINATION bin COMPONENT cli ${ZF_PKG_INSTALL})
  install(FILES ${ZF_PKG_DIR}/zoomflow.1.gz DESTINATION share/man/man1 COMPONENT cli
          ${ZF_PKG_INSTALL})
  install(FILES ${ZF_PKG_DIR}/zoomflow.bash DESTINATION share/bash-completion/completions
          RENAME zoomflow COMPONENT cli ${ZF_PKG_INSTALL})
  install(FILES ${ZF_PKG_DIR}/_zoomflow DESTINATION share/zsh/vendor-completions COMPONENT cli
          ${ZF_PKG_INSTALL})
endif()
install(FILES ${ZF_PKG_SRC}/zoomflow.service DESTINATION /lib/systemd/system COMPONENT cli
        ${ZF_PKG_INSTALL})
install(FILES ${ZF_PKG_SRC}/zoomflow.sysusers DESTINATION lib/sysusers.d RENAME zoomflow.conf
        COMPONENT cli ${ZF_PKG_INSTALL})
install(FILES ${ZF_PKG_SRC}/zoomflow.tmpfiles DESTINATION lib/tmpfiles.d RENAME zoomflow.conf
        COMPONENT cli ${ZF_PKG_INSTALL})
install(FILES ${ZF_PKG_SRC}/config ${ZF_PKG_SRC}/zoomflow.env DESTINATION /etc/zoomflow
        COMPONENT cli ${ZF_PKG_INSTALL})
install(FILES docs/deploy.md docs/service.md DESTINATION share/doc/zoomflow COMPONENT cli
        ${ZF_PKG_INSTALL})
install(TARGETS zoomsim RUNTIME DESTINATION bin COMPONENT sim ${ZF_PKG_INSTALL})
# Every package: copyright, the project's changelog and the Debian one.
foreach(pair "lib|libzoomflow0" "dev|libzoomflow-dev" "cli|zoomflow" "sim|zoomsim")
  string(REPLACE "|" ";" pair "${pair}")
  list(GET pair 0 comp)
  list(GET pair 1 pkg)
  install(FILES ${ZF_PKG_DIR}/copyright ${ZF_PKG_DIR}/changelog.gz ${ZF_PKG_DIR}/changelog.Debian.gz
          DESTINATION share/doc/${pkg} COMPONENT ${comp} ${ZF_PKG_INSTALL})
endforeach()

# --- CPack: DEB, one package per component
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ${ZF_DEB_SOURCE})
set(CPACK_PACKAGE_VENDOR "The zoomflow authors")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${ZF_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_HOMEPAGE_URL "${ZF_PACKAGE_HOMEPAGE}")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX ${ZF_DEB_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL lib dev cli sim)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${ZF_DEB_REVISION})
set(CPACK_DEBIAN_PACKAGE_SOURCE ${ZF_DEB_SOURCE})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${ZF_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${ZF_PACKAGE_HOMEPAGE}")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_LIB_PACKAGE_NAME libzoomflow0)
set(CPACK_DEBIAN_LIB_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
# ldconfig through dpkg's trigger; cpack adds ldconfig calls in postinst and
# postrm on its own as well (lintian: maintscript-calls-ldconfig, a warning).
set(CPACK_DEBIAN_LIB_PACKAGE_CONTROL_EXTRA ${ZF_PKG_SRC}/deb/libzoomflow0/triggers)
set(CPACK_DEBIAN_LIB_DESCRIPTION
    "Zoom account automation library (OAuth, token store, Zoom API actions)
libzoomflow connects an organisation's Zoom account to its IT workflows:
OAuth 2.0 with PKCE and Server-to-Server apps, an encrypted token store
on SQLite or PostgreSQL that never loses a rotated refresh token, a Zoom
client that retries only what is safe, and validated Zoom API actions.
This package holds the shared library.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libzoomflow-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEV_DEPENDS lib)
# What the pkg-config file's Requires.private names (static linking).
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libcurl4-openssl-dev | libcurl-dev, libjansson-dev, libsqlite3-dev, libpq-dev, libsodium-dev, libssl-dev, libfyaml-dev")
set(CPACK_DEBIAN_DEV_DESCRIPTION
    "Zoom account automation library (development files)
libzoomflow connects an organisation's Zoom account to its IT workflows.
This package holds the headers (zoomflow/zoomflow.h), the static library
and the pkg-config file (pkg-config zoomflow).")

set(CPACK_DEBIAN_CLI_PACKAGE_NAME zoomflow)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION net)
set(CPACK_DEBIAN_CLI_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_CLI_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_DEBIAN_CLI_PACKAGE_SUGGESTS "zoomsim, postgresql-client")
set(CPACK_DEBIAN_CLI_PACKAGE_CONTROL_EXTRA
    ${ZF_PKG_SRC}/deb/zoomflow/postinst ${ZF_PKG_SRC}/deb/zoomflow/prerm
    ${ZF_PKG_SRC}/deb/zoomflow/postrm ${ZF_PKG_SRC}/deb/zoomflow/conffiles)
set(CPACK_DEBIAN_CLI_DESCRIPTION
    "Zoom account automation for IT workflows (CLI and service)
zoomflow connects an organisation's Zoom account once through OAuth 2.0 (or
a Server-to-Server app); from then on scripts and people run Zoom actions
through it: users, meetings, registrants, recordings, or any Zoom API call.
.
This package holds the zoomflow program, its man page and shell
completions, and a hardened systemd unit for `zoomflow serve` (a REST API,
an admin page and Zoom's webhooks) running as the zoomflow system user with
its state under /var/lib/zoomflow.")

set(CPACK_DEBIAN_SIM_PACKAGE_NAME zoomsim)
set(CPACK_DEBIAN_SIM_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_SIM_DESCRIPTION
    "offline Zoom emulator for testing Zoom integrations
zoomsim serves Zoom's OAuth (authorization code with PKCE, refresh
rotation, Server-to-Server), the REST endpoints zoomflow uses with Zoom's
errors, paging and rate limits, injected faults and signed webhooks, on
127.0.0.1: a sandbox for tests, benchmarks and trials.")

include(CPack)
