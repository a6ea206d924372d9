#include "campaign/state_model.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "proto/command.hpp"
#include "proto/conversation.hpp"
#include "proto/reply.hpp"

namespace ehlo::campaign {

namespace {

constexpr std::size_t start = std::numeric_limits<std::size_t>::max();

std::string_view answered_name(const proto::conversation::answer& a) {
  using answered = proto::conversation::answered;
  switch (a.what) {
    case answered::greeting:
      return "<greeting>";
    case answered::command: {
      const std::string_view v = proto::to_string(a.verb);
      return v.empty() ? std::string_view("?") : v;
    }
    case answered::sasl_response:
      return "AUTH+";
    case answered::message:
      return "<data>";
    case answered::nothing:
      return "<none>";
    case answered::untracked:
      return "<untracked>";
  }
  return "?";
}

std::string dot_quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::optional<std::uint32_t> unaligned_from(const scenario::scenario& sc) {
  for (const auto& s : sc.steps) {
    const auto* c = std::get_if<scenario::command_step>(&s.what);
    const auto* p = std::get_if<scenario::pipeline_step>(&s.what);
    const auto* r = std::get_if<scenario::reply_step>(&s.what);
    const bool raw =
        (c != nullptr && c->raw) || (r != nullptr && r->raw) ||
        (p != nullptr && std::any_of(p->commands.begin(), p->commands.end(), [](const auto& x) { return x.raw; }));
    if (raw || s.fault.ends != scenario::fault_plan::line_end::crlf || !s.fault.inject.empty() || s.fault.cut ||
        std::holds_alternative<scenario::one_of_step>(s.what))
      return s.pos.line;
  }
  return std::nullopt;
}

std::vector<std::string> trace_of(std::span<const scenario::transcript_step> transcript, std::vector<std::size_t>* made,
                                  std::optional<std::uint32_t> unaligned_line) {
  std::vector<std::string> out;
  proto::conversation conv;
  bool tls = false, auth = false, unaligned = false;
  if (made) made->clear();
  for (const auto& step : transcript) {
    if (step.from == scenario::side::client && unaligned_line && step.line >= *unaligned_line) unaligned = true;
    if (step.from == scenario::side::client) {
      if (step.data_not_shown)
        conv.message_end();
      else if (!step.lines.empty())
        conv.client_line(step.lines.front());
    } else if (!step.lines.empty()) {
      const std::string_view first = step.lines.front();
      unsigned code = 0;
      const bool digits = first.size() >= 3 &&
                          std::all_of(first.begin(), first.begin() + 3, [](char c) { return c >= '0' && c <= '9'; });
      if (digits) code = static_cast<unsigned>((first[0] - '0') * 100 + (first[1] - '0') * 10 + (first[2] - '0'));
      const auto a = conv.server_reply(code);
      std::string state(unaligned ? std::string_view("~") : answered_name(a));
      state += ' ';
      state += digits ? std::string(first.substr(0, 3)) : std::string("???");
      if (digits && first.size() > 4) {
        std::size_t length = 0;
        if (proto::parse_enhanced_status(first.substr(4), length)) {
          state += ' ';
          state += first.substr(4, length);
        }
      }
      if (tls) state += " +tls";
      if (auth) state += " +auth";
      out.push_back(std::move(state));
      if (a.what == proto::conversation::answered::command && a.verb == proto::verb::starttls && code == 220) {
        tls = true;
        auth = false;  // RFC 3207 §4.2: what was known before TLS is forgotten
      }
      if (a.verb == proto::verb::auth && code == 235) auth = true;
    }
    if (made) made->push_back(out.size());
  }
  return out;
}

std::string state_at(const std::vector<std::string>& trace, const std::vector<std::size_t>& made,
                     std::optional<std::size_t> step) {
  std::size_t n = trace.size();
  if (step && *step < made.size()) n = made[*step];
  return n == 0 ? std::string("<start>") : trace[n - 1];
}

std::size_t state_model::find(const std::string& name) const {
  const auto it = ids_.find(name);
  return it == ids_.end() ? start - 1 : it->second;
}

std::size_t state_model::id_of(const std::string& name) {
  if (const auto it = ids_.find(name); it != ids_.end()) return it->second;
  if (names_.size() >= limits_.max_states) return start - 1;
  names_.push_back(name);
  ids_.emplace(name, names_.size() - 1);
  return names_.size() - 1;
}

state_model::novelty state_model::novel(const std::vector<std::string>& trace) const {
  novelty n;
  std::vector<std::string> unseen;
  std::size_t from = start;
  std::string from_name;
  std::vector<std::pair<std::string, std::string>> new_edges;
  for (const auto& s : trace) {
    const std::size_t id = find(s);
    const bool known = id != start - 1;
    if (!known && std::find(unseen.begin(), unseen.end(), s) == unseen.end()) {
      if (names_.size() + unseen.size() < limits_.max_states) {
        unseen.push_back(s);
        ++n.states;
      }
    }
    const bool edge_known = known && (from != start - 1) && edges_.contains({from, id});
    if (!edge_known && edges_.size() + new_edges.size() < limits_.max_transitions) {
      std::pair<std::string, std::string> e{from == start ? std::string("<start>") : from_name, s};
      if (std::find(new_edges.begin(), new_edges.end(), e) == new_edges.end()) {
        new_edges.push_back(std::move(e));
        ++n.transitions;
      }
    }
    from = id;
    from_name = s;
  }
  return n;
}

state_model::novelty state_model::learn(const std::vector<std::string>& trace) {
  novelty n;
  std::size_t from = start;
  for (const auto& s : trace) {
    const std::size_t before = names_.size();
    const std::size_t id = id_of(s);
    n.states += names_.size() - before;
    if (id == start - 1) {  // past the limit of states: the trace goes on from nowhere
      from = start - 1;
      continue;
    }
    if (from != start - 1) {
      const auto key = std::make_pair(from, id);
      if (auto it = edges_.find(key); it != edges_.end()) {
        ++it->second;
      } else if (edges_.size() < limits_.max_transitions) {
        edges_.emplace(key, 1);
        ++n.transitions;
      }
    }
    from = id;
  }
  return n;
}

std::string state_model::dot() const {
  std::string out = "digraph smtp {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n";
  out += "  start [shape=point];\n";
  for (std::size_t i = 0; i < names_.size(); ++i)
    out += "  s" + std::to_string(i) + " [label=" + dot_quote(names_[i]) + "];\n";
  for (const auto& [edge, count] : edges_) {
    const std::string from = edge.first == start ? std::string("start") : "s" + std::to_string(edge.first);
    out += "  " + from + " -> s" + std::to_string(edge.second) + " [label=\"" + std::to_string(count) + "\"];\n";
  }
  return out + "}\n";
}

std::string state_model::save() const {
  std::string out;
  for (const auto& n : names_) out += "state\t" + n + "\n";
  for (const auto& [edge, count] : edges_)
    out += "edge\t" + (edge.first == start ? std::string("-") : std::to_string(edge.first)) + "\t" +
           std::to_string(edge.second) + "\t" + std::to_string(count) + "\n";
  return out;
}

bool state_model::restore(std::string_view text) {
  state_model m(limits_);
  const auto number = [](std::string_view s, std::size_t& out) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
  };
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty()) continue;
    if (line.starts_with("state\t")) {
      m.id_of(std::string(line.substr(6)));
      continue;
    }
    if (!line.starts_with("edge\t")) return false;
    line.remove_prefix(5);
    const std::size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    if (t1 == std::string_view::npos || t2 == std::string_view::npos) return false;
    std::size_t a = start, b = 0, count = 0;
    if (line.substr(0, t1) != "-" && !number(line.substr(0, t1), a)) return false;
    if (!number(line.substr(t1 + 1, t2 - t1 - 1), b) || !number(line.substr(t2 + 1), count)) return false;
    if ((a != start && a >= m.names_.size()) || b >= m.names_.size()) return false;
    m.edges_[{a, b}] = count;
  }
  *this = std::move(m);
  return true;
}

}  // namespace ehlo::campaign
