#include "proto/mime_error.hpp"

#include <array>

#include "proto/error.hpp"

namespace ehlo::proto::mime {

namespace {

constexpr std::array<std::string_view, 14> messages{
    "",
    "a MIME header block is longer than the limit",
    "multiparts are nested deeper than the limit",
    "a multipart has more body parts than the limit",
    "a boundary delimiter line is longer than the limit",
    "a header line is neither a field, a continuation nor the empty line",
    "a header field name is empty, too long, or holds a character that is not allowed",
    "a header field value holds a character that is not allowed",
    "an address holds a character that cannot appear in an addr-spec",
    "a content type or charset is not a token \"/\" token",
    "a multipart has no body parts",
    "parts were given to a part that is not multipart",
    "the requested transfer encoding cannot carry the body",
    "\"=\" in quoted-printable is not followed by two hex digits or a line break",
};
const table_category category{"ehlo.mime", messages};

}  // namespace

const std::error_category& error_category() noexcept { return category; }
std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), category}; }

}  // namespace ehlo::proto::mime
