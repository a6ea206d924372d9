#include "proto/error.hpp"

#include <array>

namespace ehlo::proto {

namespace {
constexpr std::array<std::string_view, 2> messages{"", "need more input"};
const table_category category{"ehlo.proto", messages};
}  // namespace

const std::error_category& error_category() noexcept { return category; }
std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), category}; }

}  // namespace ehlo::proto
