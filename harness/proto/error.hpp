// Errors of the protocol core.
//
// Every parser reports through std::error_code. `error::need_more` is the one
// recoverable condition, shared by all parsers: the input ended before a whole
// unit (reply, command line, quantum...) was seen; call put() again with the
// unconsumed bytes followed by more input. Every other error is sticky: the
// parser returns it again until reset().
//
// Each component has its own error enum and category (reply_error,
// command_error, ...), declared beside its parser. `ehlo::proto::table_category`
// makes such a category from a name and a table of messages.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace ehlo::proto {

enum class error {
  need_more = 1,  ///< not an error: feed more bytes
};

const std::error_category& error_category() noexcept;
std::error_code make_error_code(error e) noexcept;

/// An error category whose messages come from a table indexed by the enum's
/// value (index 0 is unused: error_code 0 means success).
class table_category final : public std::error_category {
 public:
  constexpr table_category(const char* name, std::span<const std::string_view> messages) noexcept
      : name_(name), messages_(messages) {}

  const char* name() const noexcept override { return name_; }
  std::string message(int ev) const override {
    if (ev > 0 && static_cast<std::size_t>(ev) < messages_.size())
      return std::string(messages_[static_cast<std::size_t>(ev)]);
    return "unknown " + std::string(name_) + " error " + std::to_string(ev);
  }

 private:
  const char* name_;
  std::span<const std::string_view> messages_;
};

}  // namespace ehlo::proto

template <>
struct std::is_error_code_enum<ehlo::proto::error> : std::true_type {};

namespace ehlo::proto {
/// True for the one recoverable condition, whatever parser reported it.
inline bool is_need_more(const std::error_code& ec) noexcept { return ec == error::need_more; }
}  // namespace ehlo::proto
