#include "session/message_build.hpp"

#include <algorithm>
#include <array>
#include <system_error>
#include <utility>

#include "proto/mime_builder.hpp"
#include "scenario/input_files.hpp"
#include "session/line_text.hpp"

namespace ehlo::session {

namespace {

/// A FIFO or a device named as an attachment is refused, not read (or waited on) for ever.
bool read_file(const std::filesystem::path& path, std::size_t max, std::string& out, std::string& error) {
  const auto failed = scenario::read_regular_file(path, max, out);
  if (!failed) return true;
  if (failed->what == scenario::read_failure::kind::unreadable)
    error = "cannot read attachment " + path.string() + ": " + failed->why;
  else
    error =
        "attachment " + path.string() + " is larger than the message size limit (" + std::to_string(max) + " bytes)";
  return false;
}

}  // namespace

std::string lf_to_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

std::string_view guess_type(std::string_view name) noexcept {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> types{{
      {".txt", "text/plain"},
      {".csv", "text/csv"},
      {".htm", "text/html"},
      {".html", "text/html"},
      {".xml", "application/xml"},
      {".json", "application/json"},
      {".pdf", "application/pdf"},
      {".zip", "application/zip"},
      {".gz", "application/gzip"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".svg", "image/svg+xml"},
      {".ics", "text/calendar"},
      {".eml", "message/rfc822"},
  }};
  const std::size_t dot = name.rfind('.');
  if (dot != std::string_view::npos) {
    const std::string_view ext = name.substr(dot);
    for (const auto& [e, t] : types)
      if (iequals(e, ext)) return t;
  }
  return "application/octet-stream";
}

bool build_message(const scenario::message_step& m, const message_inputs& in, std::string& out, std::string& error) {
  std::string text;
  if (m.text) {
    if (!in.expand(*m.text, text, error)) return false;
    out = lf_to_crlf(text);
  } else {
    namespace mime = proto::mime;
    mime::message msg;
    for (const auto& h : m.headers) {
      if (!in.expand(h, text, error)) return false;
      const std::size_t colon = text.find(':');
      if (colon == std::string::npos || colon == 0) {
        error = "header \"" + text + "\" is not \"Name: value\"";
        return false;
      }
      std::string name = text.substr(0, colon);
      std::string value = text.substr(text.find_first_not_of(' ', colon + 1) == std::string::npos
                                          ? text.size()
                                          : text.find_first_not_of(' ', colon + 1));
      // The builder writes Date and Message-ID itself, making them up when
      // not given (as swaks does); given ones take their place.
      if (iequals(name, "Date"))
        msg.date = std::move(value);
      else if (iequals(name, "Message-ID"))
        msg.message_id = std::move(value);
      else
        msg.fields.push_back({std::move(name), std::move(value)});
    }
    std::vector<mime::part> parts;
    std::string body, html;
    if (m.body && !in.expand(*m.body, body, error)) return false;
    if (m.html && !in.expand(*m.html, html, error)) return false;
    if (m.body && m.html)
      parts.push_back(
          mime::multipart("alternative", {mime::text_part(lf_to_crlf(body)), mime::html_part(lf_to_crlf(html))}));
    else if (m.html)
      parts.push_back(mime::html_part(lf_to_crlf(html)));
    else
      parts.push_back(mime::text_part(lf_to_crlf(body)));
    for (const auto& a : m.attachments) {
      std::string bytes;
      if (!a.file.empty()) {
        if (!read_file(in.folder / a.file, in.max_size, bytes, error)) return false;
      } else if (!in.expand(a.content, bytes, error)) {
        return false;
      }
      parts.push_back(
          mime::attachment(std::move(bytes), a.name, a.type.empty() ? std::string(guess_type(a.name)) : a.type));
    }
    msg.body = parts.size() == 1 ? std::move(parts[0]) : mime::multipart("mixed", std::move(parts));
    mime::build_options options;
    options.time = in.now;
    options.seed = in.seed;
    std::error_code ec;
    out = mime::build(msg, options, ec);
    if (ec) {
      error = "cannot build the message: " + ec.message();
      return false;
    }
  }
  if (in.max_size != 0 && out.size() > in.max_size) {
    error = "the message is " + std::to_string(out.size()) + " bytes, more than the limit of " +
            std::to_string(in.max_size);
    return false;
  }
  return true;
}

}  // namespace ehlo::session
