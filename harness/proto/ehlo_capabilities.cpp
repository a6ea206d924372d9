#include "proto/ehlo_capabilities.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <utility>

#include "proto/rules.hpp"

namespace ehlo::proto {

namespace {

constexpr std::array<std::pair<keyword, std::string_view>, 11> names{{
    {keyword::size, "SIZE"},
    {keyword::auth, "AUTH"},
    {keyword::pipelining, "PIPELINING"},
    {keyword::starttls, "STARTTLS"},
    {keyword::eightbitmime, "8BITMIME"},
    {keyword::smtputf8, "SMTPUTF8"},
    {keyword::dsn, "DSN"},
    {keyword::chunking, "CHUNKING"},
    {keyword::binarymime, "BINARYMIME"},
    {keyword::enhancedstatuscodes, "ENHANCEDSTATUSCODES"},
    {keyword::requiretls, "REQUIRETLS"},
}};

constexpr char upper(char c) noexcept { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
constexpr bool is_alnum(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (upper(a[i]) != upper(b[i])) return false;
  return true;
}

bool is_ehlo_keyword(std::string_view s) noexcept {
  if (s.empty() || !is_alnum(s[0])) return false;
  for (const char c : s)
    if (!is_alnum(c) && c != '-') return false;
  return true;
}

/// ehlo-param *( SP ehlo-param ), ehlo-param = 1*(%d33-126); an empty string is no parameters.
bool are_ehlo_params(std::string_view s) noexcept {
  bool after_space = true;
  for (const char c : s) {
    if (c == ' ') {
      if (after_space) return false;  // leading or doubled SP: an empty parameter
      after_space = true;
    } else if (c < 33 || c > 126) {
      return false;
    } else {
      after_space = false;
    }
  }
  return s.empty() || !after_space;
}

/// A decimal number of octets without overflow.
std::optional<std::uint64_t> parse_size(std::string_view s) noexcept {
  if (s.empty() || s.size() > 19) return std::nullopt;  // 19 digits always fit in 64 bits
  std::uint64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

}  // namespace

std::string_view keyword_name(keyword k) noexcept {
  for (const auto& [key, name] : names)
    if (key == k) return name;
  return {};
}

keyword keyword_of(std::string_view name) noexcept {
  for (const auto& [key, spelt] : names)
    if (iequals(name, spelt)) return key;
  return keyword::unknown;
}

ehlo_capabilities::ehlo_capabilities(const ehlo_capabilities& other)
    : text_(other.text_),
      domain_(other.domain_),
      greeting_(other.greeting_),
      caps_(other.caps_),
      mechanisms_(other.mechanisms_),
      size_(other.size_),
      size_seen_(other.size_seen_) {
  rebase(reinterpret_cast<std::uintptr_t>(other.text_.data()));
}

ehlo_capabilities::ehlo_capabilities(ehlo_capabilities&& other) noexcept
    : domain_(other.domain_),
      greeting_(other.greeting_),
      caps_(std::move(other.caps_)),
      mechanisms_(std::move(other.mechanisms_)),
      size_(other.size_),
      size_seen_(other.size_seen_) {
  // A short string moves by copying its bytes, so the views must follow them.
  const auto old_base = reinterpret_cast<std::uintptr_t>(other.text_.data());
  text_ = std::move(other.text_);
  rebase(old_base);
  other.clear();
}

ehlo_capabilities& ehlo_capabilities::operator=(const ehlo_capabilities& other) {
  if (this != &other) *this = ehlo_capabilities(other);
  return *this;
}

ehlo_capabilities& ehlo_capabilities::operator=(ehlo_capabilities&& other) noexcept {
  if (this == &other) return *this;
  const auto old_base = reinterpret_cast<std::uintptr_t>(other.text_.data());
  text_ = std::move(other.text_);
  domain_ = other.domain_;
  greeting_ = other.greeting_;
  caps_ = std::move(other.caps_);
  mechanisms_ = std::move(other.mechanisms_);
  size_ = other.size_;
  size_seen_ = other.size_seen_;
  rebase(old_base);
  other.clear();
  return *this;
}

void ehlo_capabilities::rebase(std::uintptr_t old_base) noexcept {
  // Addresses, not pointers: the old buffer may be gone, only its offsets matter.
  const auto move_view = [&](std::string_view& v) {
    if (v.data() != nullptr) v = {text_.data() + (reinterpret_cast<std::uintptr_t>(v.data()) - old_base), v.size()};
  };
  move_view(domain_);
  move_view(greeting_);
  for (auto& c : caps_) {
    move_view(c.name);
    move_view(c.params);
  }
  for (auto& m : mechanisms_) move_view(m);
}

void ehlo_capabilities::clear() noexcept {
  text_.clear();
  domain_ = {};
  greeting_ = {};
  caps_.clear();
  mechanisms_.clear();
  size_.reset();
  size_seen_ = false;
}

const capability* ehlo_capabilities::find(keyword k) const noexcept {
  for (const auto& c : caps_)
    if (c.key == k) return &c;
  return nullptr;
}

const capability* ehlo_capabilities::find(std::string_view name) const noexcept {
  for (const auto& c : caps_)
    if (iequals(c.name, name)) return &c;
  return nullptr;
}

bool ehlo_capabilities::offers(std::string_view what) const noexcept {
  const std::size_t sp = what.find(' ');
  const std::string_view kw = what.substr(0, sp);
  const std::string_view param = sp == std::string_view::npos ? std::string_view() : what.substr(sp + 1);
  if (param.empty()) return has(kw);
  if (iequals(kw, "AUTH"))
    return std::any_of(mechanisms_.begin(), mechanisms_.end(), [&](std::string_view m) { return iequals(m, param); });
  for (const auto& c : caps_) {
    if (!iequals(c.name, kw)) continue;
    for (std::string_view rest = c.params; !rest.empty();) {
      const std::size_t end = rest.find(' ');
      if (iequals(rest.substr(0, end), param)) return true;
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    }
  }
  return false;
}

bool ehlo_capabilities::decode(const reply& r, finding_log& findings) {
  clear();
  if (r.code != 250 || r.lines.empty()) return false;
  text_.assign(r.raw);
  const std::less<> before;
  const char* const raw_end = r.raw.data() + r.raw.size();
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    const std::string_view line = r.lines[i];
    // The parser's lines are views into raw; a hand-made reply's may not be.
    if (before(line.data(), r.raw.data()) || before(raw_end, line.data() + line.size())) continue;
    const std::string_view copy{text_.data() + (line.data() - r.raw.data()), line.size()};
    if (i == 0) {
      const auto sp = copy.find(' ');
      domain_ = copy.substr(0, sp);
      greeting_ = sp == std::string_view::npos ? copy.substr(copy.size()) : copy.substr(sp + 1);
    } else {
      decode_line(copy, r, findings);
    }
  }
  return true;
}

void ehlo_capabilities::decode_line(std::string_view line, const reply& r, finding_log& findings) {
  const std::uint64_t offset = r.offset + static_cast<std::uint64_t>(line.data() - text_.data());
  const auto sp = line.find(' ');
  capability c;
  c.name = line.substr(0, sp);
  c.params = sp == std::string_view::npos ? line.substr(line.size()) : line.substr(sp + 1);
  if (!is_ehlo_keyword(c.name)) {
    if (c.name.size() >= 5 && iequals(c.name.substr(0, 5), "AUTH=")) {
      findings.add(rules::ehlo_keyword, "the pre-standard AUTH= form", offset);
      c.params = line.substr(5);
      c.name = line.substr(0, 4);
    } else {
      findings.add(rules::ehlo_keyword, "an EHLO line whose keyword is not ehlo-keyword syntax", offset);
    }
  }
  if (!are_ehlo_params(c.params))
    findings.add(rules::ehlo_keyword, "EHLO parameters that are not SP-separated printable US-ASCII",
                 offset + static_cast<std::uint64_t>(c.params.data() - line.data()));
  c.key = keyword_of(c.name);

  if (c.key == keyword::size && !size_seen_ && !c.params.empty()) {
    size_ = parse_size(c.params);
    if (!size_)
      findings.add(rules::ehlo_size, "a SIZE parameter that is not a decimal number",
                   offset + static_cast<std::uint64_t>(c.params.data() - line.data()));
  }
  if (c.key == keyword::auth) {
    std::string_view rest = c.params;
    while (!rest.empty()) {
      const auto end = rest.find(' ');
      const std::string_view mech = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
      if (mech.empty() || mechanisms_.size() == max_mechanisms) continue;
      bool seen = false;
      for (const auto m : mechanisms_) seen = seen || iequals(m, mech);
      if (!seen) mechanisms_.push_back(mech);
    }
  }
  if (c.key == keyword::size) size_seen_ = true;
  caps_.push_back(c);
}

}  // namespace ehlo::proto
