// The bytes of a "message" step (scenarios/README.md), before dot-stuffing:
// its text with LF line ends made CRLF, or a MIME message built from its
// headers, bodies and attachments by proto::mime.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "scenario/scenario.hpp"

namespace ehlo::session {

struct message_inputs {
  /// Expands ${...} in a text; false with `error` set when it cannot.
  std::function<bool(std::string_view written, std::string& out, std::string& error)> expand;
  std::filesystem::path folder;  ///< where "file" attachments are read from
  std::int64_t now = 0;          ///< Unix seconds for a Date the headers do not give
  std::uint64_t seed = 0;        ///< MIME boundaries and a Message-ID the headers do not give
  std::size_t max_size = 0;      ///< a message (or an attachment file) larger than this is refused
};

/// Every LF not preceded by CR becomes CRLF.
std::string lf_to_crlf(std::string_view text);

/// The media type a file name suggests ("report.csv" -> "text/csv"), else
/// "application/octet-stream".
std::string_view guess_type(std::string_view name) noexcept;

/// The message's bytes with CRLF line ends, ending in CRLF unless it is
/// empty; false with `error` set.
bool build_message(const scenario::message_step& m, const message_inputs& in, std::string& out, std::string& error);

}  // namespace ehlo::session
