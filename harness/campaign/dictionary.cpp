#include "campaign/dictionary.hpp"

#include <utility>

namespace ehlo::campaign {

namespace {

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// The value between the quotes of `s` (which starts at the opening quote),
/// escapes decoded; false when the line is not one quoted value.
bool unquote(std::string_view s, std::string& out, std::string& why) {
  if (s.size() < 2 || s.front() != '"') {
    why = "expected a quoted value";
    return false;
  }
  out.clear();
  std::size_t i = 1;
  for (; i < s.size() && s[i] != '"'; ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (i + 1 >= s.size()) break;
    const char e = s[++i];
    if (e == '\\' || e == '"') {
      out += e;
    } else if (e == 'x' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 2;
    } else {
      why = std::string("an unknown escape \\") + e;
      return false;
    }
  }
  if (i >= s.size()) {
    why = "the value's closing quote is missing";
    return false;
  }
  const std::string_view rest = s.substr(i + 1);
  if (rest.find_first_not_of(" \t\r") != std::string_view::npos) {
    why = "text after the value";
    return false;
  }
  return true;
}

std::string trimmed(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

void sort_into(dictionary& d, std::string_view name, std::string value) {
  const auto is = [&](std::string_view prefix) { return name.starts_with(prefix); };
  if (is("verb_")) {
    d.verbs.push_back(trimmed(std::move(value)));
  } else if (name == "mail_from" || name == "rcpt_to" || name == "ehlo_colon") {
    d.prefixes.push_back(std::move(value));
  } else if (is("kw_")) {
    d.keywords.push_back(std::move(value));
  } else if (is("param_") || is("xtext_")) {
    d.params.push_back(std::move(value));
  } else if (is("code_")) {
    d.codes.push_back(std::move(value));
  } else if (is("esc_")) {
    d.statuses.push_back(trimmed(std::move(value)));
  } else if (is("path_")) {
    d.paths.push_back(std::move(value));
  } else if (is("mech_")) {
    d.mechanisms.push_back(std::move(value));
  } else if (is("sasl_") || is("b64_") || is("xoauth2_") || name == "ctrl_a" || name == "nul" || name == "cram_chal") {
    d.sasl.push_back(std::move(value));
  } else if (name == "crlf" || name == "lf" || name == "cr") {
    d.line_ends.push_back(std::move(value));
  } else if (is("eod") || name == "dotdot") {
    d.end_of_data.push_back(std::move(value));
  } else {
    d.other.push_back(std::move(value));
  }
}

}  // namespace

dictionary read_dictionary(std::string_view text, std::vector<std::string>* errors) {
  dictionary d;
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++number;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#' || line == "\r") continue;
    std::string_view name;
    if (line.front() != '"') {
      const std::size_t eq = line.find('=');
      if (eq == std::string_view::npos) {
        if (errors) errors->push_back("line " + std::to_string(number) + ": expected name=\"value\" or \"value\"");
        continue;
      }
      name = line.substr(0, eq);
      line.remove_prefix(eq + 1);
    }
    std::string value, why;
    if (!unquote(line, value, why)) {
      if (errors) errors->push_back("line " + std::to_string(number) + ": " + why);
      continue;
    }
    sort_into(d, name, std::move(value));
  }
  return d;
}

const dictionary& smtp_dictionary() {
  static const dictionary d = read_dictionary(smtp_dictionary_text());
  return d;
}

}  // namespace ehlo::campaign
