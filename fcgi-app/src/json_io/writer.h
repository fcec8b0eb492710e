// Compact JSON text for responses (jsoncpp, no indentation, UTF-8 kept as is).
#pragma once

#include <json/value.h>

#include <string>

namespace umkm::json {

std::string write(const Json::Value& value);

}  // namespace umkm::json
