#include "proto/reply_error.hpp"

#include <array>
#include <string_view>

#include "proto/error.hpp"

namespace ehlo::proto {

namespace {
constexpr std::array<std::string_view, 10> messages{
    "",
    "a reply line does not start with a three-digit code",
    "a reply code outside 2xx-5xx or with a second digit above 5",
    "a reply code followed by neither SP, \"-\" nor the line end",
    "the lines of a multi-line reply carry different codes",
    "a reply line ends in a bare LF",
    "a bare CR inside a reply line",
    "a reply line longer than the configured limit",
    "a reply with more lines than the configured limit",
    "a reply longer than the configured limit",
};
const table_category category{"ehlo.reply", messages};
}  // namespace

const std::error_category& reply_error_category() noexcept { return category; }
std::error_code make_error_code(reply_error e) noexcept { return {static_cast<int>(e), category}; }

}  // namespace ehlo::proto
