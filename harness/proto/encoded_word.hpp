// RFC 2047 encoded words ("=?UTF-8?B?w6k=?=") for header text that is not
// plain ASCII, and the folding of unstructured header text (RFC 5322 §2.2.3).
//
// The writer encodes a whole value as a run of encoded words or not at all:
// whitespace between adjacent encoded words is dropped by readers (§6.2),
// so the spaces of the text travel inside the words, and decoding gives back
// exactly the bytes that were encoded. Each word holds whole UTF-8 characters
// (§5: a character is never split across words) and is at most 75 characters;
// each line that holds words is at most 76 (§2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/finding.hpp"

namespace ehlo::proto::mime {

enum class word_encoding {
  automatic,  ///< whichever of B and Q is shorter for the text
  b,          ///< base64
  q,          ///< RFC 2047 §4.2 Q, restricted to the characters §5(3) allows in a phrase
};

/// The longest encoded word, and the longest line that holds one (RFC 2047 §2).
inline constexpr std::size_t max_word = 75;
inline constexpr std::size_t max_word_line = 76;

/// Whether unstructured text cannot be sent as it is: it holds a control
/// character but HTAB, DEL, or an 8-bit byte; it starts or ends with
/// whitespace (which readers strip); it holds "=?" (a reader could take it for
/// an encoded word); or a run without whitespace is too long to fold (> 76).
bool needs_encoded_words(std::string_view text) noexcept;

/// Appends text as encoded words, each preceded by one space (or a fold, CRLF
/// SP, when the line would pass 76 columns). `column` is the length of out's
/// last line so far and is updated. Empty text appends nothing.
void append_encoded_words(std::string& out, std::size_t& column, std::string_view text,
                          word_encoding encoding = word_encoding::automatic);

/// Appends an unstructured field body (Subject, Comments, an X- field): as it
/// is, folded at its whitespace before 78 columns, or as encoded words when
/// needs_encoded_words(text). Written after the field's colon; every line it
/// starts begins with whitespace, so it can never begin a header field or a
/// boundary delimiter line.
void append_unstructured(std::string& out, std::size_t& column, std::string_view text,
                         word_encoding encoding = word_encoding::automatic);

/// Decodes one encoded word (the whole token, any charset, B or Q, either
/// case) into out (the charset's bytes, untranslated). False, out unchanged,
/// when token is not a well-formed encoded word.
bool decode_word(std::string_view token, std::string& out);

/// The text of an unstructured field body: unfolded, leading and trailing
/// whitespace removed, encoded words decoded and the whitespace between two
/// adjacent ones dropped. A token that looks like an encoded word ("=?...?=")
/// but is malformed stays as written; it and a word longer than 75 characters
/// are findings (rule 2047) in log, at `offset` (the field's offset).
std::string decode_text(std::string_view field_body, finding_log* log = nullptr, std::uint64_t offset = 0);

}  // namespace ehlo::proto::mime
