// The words mutations draw from: fuzz/smtp.dict, the dictionary the in-process
// fuzz targets give libFuzzer, read here too so that there is one list of
// them. The file is built into the program (smtp_dictionary()); its entries
// are sorted into kinds by the prefix of their names (verb_, kw_, param_,
// code_, esc_, path_, mech_, ...), which is how the file groups them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ehlo::campaign {

struct dictionary {
  std::vector<std::string> verbs;        ///< verb_*: "HELO", "EHLO", "BDAT" (trailing space trimmed)
  std::vector<std::string> prefixes;     ///< "MAIL FROM:", "RCPT TO:", "EHLO: "
  std::vector<std::string> keywords;     ///< kw_*: EHLO keywords, "PIPELINING", "AUTH="
  std::vector<std::string> params;       ///< param_*, xtext_*: "BODY=8BITMIME", "ENVID="
  std::vector<std::string> codes;        ///< code_*: "250", "199", "2500"
  std::vector<std::string> statuses;     ///< esc_*: "2.1.0" (trailing space trimmed)
  std::vector<std::string> paths;        ///< path_*: "<>", "<Postmaster>", "[IPv6:2001:db8::1]"
  std::vector<std::string> mechanisms;   ///< mech_*: "PLAIN", "XOAUTH2"
  std::vector<std::string> sasl;         ///< sasl_*, b64_*, xoauth2_*, ...: SASL responses and pieces
  std::vector<std::string> line_ends;    ///< crlf, lf, cr
  std::vector<std::string> end_of_data;  ///< eod*, dotdot: end-of-data look-alikes (the smuggling family)
  std::vector<std::string> other;        ///< entries of no kind above (unnamed ones too)
};

/// Reads libFuzzer/AFL dictionary text: `name="value"` or `"value"` per line,
/// `#` comments, `\\`, `\"` and `\xNN` escapes. A line it cannot read is
/// skipped, and said in `errors` ("line 12: ...") when given.
dictionary read_dictionary(std::string_view text, std::vector<std::string>* errors = nullptr);

/// fuzz/smtp.dict as it was when the program was built.
const dictionary& smtp_dictionary();
/// Its text.
std::string_view smtp_dictionary_text() noexcept;

}  // namespace ehlo::campaign
