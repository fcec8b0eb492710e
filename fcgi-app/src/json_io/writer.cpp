#include "json_io/writer.h"

#include <json/writer.h>

#include <memory>
#include <sstream>

namespace umkm::json {

std::string write(const Json::Value& value) {
    // Built once per process: the builder's settings are parsed on creation.
    static const std::unique_ptr<Json::StreamWriter> writer = [] {
        Json::StreamWriterBuilder builder;
        builder["indentation"] = "";
        builder["emitUTF8"] = true;
        return std::unique_ptr<Json::StreamWriter>(builder.newStreamWriter());
    }();
    std::ostringstream out;
    writer->write(value, &out);
    return out.str();
}

}  // namespace umkm::json
