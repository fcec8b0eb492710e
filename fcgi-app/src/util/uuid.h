#pragma once

#include <string>

namespace umkm::util {

// A random (version 4) UUID in lower-case text, from libuuid.
std::string uuid_v4();

}  // namespace umkm::util
