# Cross build for 64-bit Arm (a Raspberry Pi 3/4/5 with a 64-bit OS) on a
# Debian machine: the compiler from crossbuild-essential-arm64 and the
# libraries' arm64 packages installed side by side (multiarch, dpkg
# --add-architecture arm64). ctest runs the built tests under qemu-user.
#
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
#   apt-get install crossbuild-essential-arm64 qemu-user \
#       libfcgi-dev:arm64 libmysqlcppconn-dev:arm64 libjsoncpp-dev:arm64 \
#       libboost-test-dev:arm64 uuid-dev:arm64 libssl-dev:arm64 \
#       libcurl4-openssl-dev:arm64 libsystemd-dev:arm64
#   cmake --build build-arm64 --target umkm-fcgi unit_tests
#   ctest --test-dir build-arm64 -L unit
#
# scripts/test does all of this (its arm64 stage).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Multiarch: arm64 libraries live in /usr/lib/aarch64-linux-gnu beside the
# build machine's own; headers are shared (/usr/include) or per arch.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# qemu-user runs the tests with the multiarch arm64 glibc (libc6:arm64,
# whose loader is /lib/ld-linux-aarch64.so.1), the one the arm64 libraries
# were built against. Not `-L /usr/aarch64-linux-gnu`: that loader is the
# cross toolchain's glibc build, and a loader from one glibc build with the
# libc.so.6 of another corrupts the thread list (the first pthread_create
# then spins for ever).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
