// The mutator's words: fuzz/smtp.dict read as libFuzzer reads it, sorted into kinds.
#include "campaign/dictionary.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace cp = ehlo::campaign;

namespace {
bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
}  // namespace

TEST_CASE("dictionary: names sort entries into kinds, escapes are decoded, bad lines are said") {
  std::vector<std::string> errors;
  const auto d = cp::read_dictionary(R"(# a comment
verb_ehlo="EHLO "
code_250="250"
esc_2_1_0="2.1.0 "
eod_lf="\x0a.\x0a"
path_quoted="\x22a b\x22@"
"unnamed"
   kw_size="SIZE"
bad line
verb_x="unterminated
param_q="a\"b\\c"
)",
                                     &errors);
  CHECK(d.verbs == std::vector<std::string>{"EHLO"});
  CHECK(d.codes == std::vector<std::string>{"250"});
  CHECK(d.statuses == std::vector<std::string>{"2.1.0"});
  CHECK(d.end_of_data == std::vector<std::string>{"\n.\n"});
  CHECK(d.paths == std::vector<std::string>{"\"a b\"@"});
  CHECK(d.other == std::vector<std::string>{"unnamed"});
  CHECK(d.keywords == std::vector<std::string>{"SIZE"});
  CHECK(d.params == std::vector<std::string>{"a\"b\\c"});
  REQUIRE(errors.size() == 2);
  CHECK(errors[0] == "line 9: expected name=\"value\" or \"value\"");
  CHECK(errors[1] == "line 10: the value's closing quote is missing");
}

TEST_CASE("dictionary: fuzz/smtp.dict is built in, every line of it read") {
  std::vector<std::string> errors;
  const auto d = cp::read_dictionary(cp::smtp_dictionary_text(), &errors);
  CHECK(errors.empty());
  const auto& built = cp::smtp_dictionary();
  CHECK(built.verbs == d.verbs);
  CHECK(has(built.verbs, "STARTTLS"));
  CHECK(has(built.verbs, "BDAT"));
  CHECK(has(built.prefixes, "MAIL FROM:"));
  CHECK(has(built.keywords, "PIPELINING"));
  CHECK(has(built.params, "BODY=8BITMIME"));
  CHECK(has(built.codes, "354"));
  CHECK(has(built.statuses, "5.7.8"));
  CHECK(has(built.paths, "<>"));
  CHECK(has(built.mechanisms, "CRAM-MD5"));
  CHECK(has(built.sasl, "*"));
  CHECK(has(built.line_ends, "\n"));
  CHECK(has(built.end_of_data, "\r\n.\r\n"));
  CHECK(has(built.end_of_data, std::string("\r\n\0.\r\n", 6)));
}
