// The server role: sends the S steps and checks every command against the C
// steps (scenarios/README.md).
//
// Commands are read with proto::command_parser and matched per the step's
// "match" (exact: the verb in any case and the rest byte for byte; verb;
// any) and "arg" (a regex over the whole argument). After DATA got a 3xx,
// C steps are data lines compared byte for byte, and a "message" step reads a
// whole message with proto::data::reader (strict end of data, unstuffed),
// kept with its envelope for the spool. A "bdat" step reads BDAT and exactly
// the octets it announces. A line that answers AUTH's 334 is read as a SASL
// response. A pipeline's commands are read one at a time, each answered (by
// the next S step after the pipeline) before the next is read, so a client
// that waits for each reply passes too. "capture" on an S step applies to
// what was sent, so both roles of a self-play end with the same variables.
//
// Findings: the command parser's and the data reader's; bytes after the
// STARTTLS command line that came before the handshake (RFC 3207 §5,
// discarded).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "proto/command_parser.hpp"
#include "proto/data_reader.hpp"
#include "session/session.hpp"

namespace ehlo::session {

class server_session final : public session {
 public:
  /// Copies the scenario and settings; next() then says what to do first.
  explicit server_session(const scenario::scenario& sc, const settings& s = {});

  /// The messages the client sent, in order (at most settings::max_messages).
  std::span<const kept_message> messages() const noexcept { return messages_; }
  std::size_t messages_dropped() const noexcept { return messages_dropped_; }

 private:
  /// A command line or a data line as read, owned.
  struct line_unit {
    enum class kind : std::uint8_t { command, sasl_response, data } what = kind::command;
    std::string line;      ///< without its line end
    std::size_t size = 0;  ///< with it
    proto::verb verb = proto::verb::unknown;
    std::uint64_t chunk_size = 0;  ///< BDAT
    bool last = false;             ///< BDAT ... LAST
    std::error_code syntax;
    proto::finding_log findings;  ///< the parser's, at its offsets
  };
  enum class taken : std::uint8_t { line, raw, message, bdat, close };

  fit match(const step_cursor& at, mismatch& why) override;
  void commit() override;
  void play(const scenario::step& s) override;
  bool stream() override;
  void drop_unit() override;
  bool holds_unit() const override { return have_unit_; }
  void restart_parsers() override;

  fit read_command(const step_cursor& at, mismatch& why);
  void learn_reply(std::string_view out);
  void check_header_octets();
  fit read_data_line(const step_cursor& at, mismatch& why);
  fit check_line(const scenario::command_step& c, mismatch& why);
  fit check_bdat(const scenario::bdat_step& b, mismatch& why);
  fit match_raw(const step_cursor& at, std::string_view expected, mismatch& why);
  fit closed_while(const step_cursor& at, mismatch& why);
  void commit_line();
  void next_command();
  bool stream_message();
  bool stream_chunk();
  void feed_data(std::string_view wire, std::uint64_t at);
  void begin_message();
  void keep_message();
  void resync() noexcept;

  proto::command_parser parser_;
  std::uint64_t parser_base_ = 0;  ///< stream offset of the parser's offset 0
  line_unit unit_;
  bool have_unit_ = false;
  taken taken_ = taken::line;
  std::string raw_expected_;
  std::size_t data_scan_ = 0;  ///< bytes of input() already searched for a data line's CRLF

  proto::data::reader data_;
  std::uint64_t data_base_ = 0;     ///< stream offset where data_ started
  std::uint64_t message_base_ = 0;  ///< stream offset where the message being read started
  std::size_t data_findings_ = 0;   ///< data_'s findings already reported
  std::string data_carry_;          ///< data line bytes data_ left for the next line
  bool data_lines_ = false;         ///< data_ is reading C data lines
  kept_message current_;            ///< the message being read
  bool bdat_open_ = false;          ///< BDAT chunks without LAST were read
  std::uint64_t chunk_left_ = 0;
  bool chunk_last_ = false;
  std::vector<kept_message> messages_;
  std::size_t messages_dropped_ = 0;
};

}  // namespace ehlo::session
