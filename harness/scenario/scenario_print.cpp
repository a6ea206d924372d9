#include "scenario/scenario_print.hpp"

#include "scenario/json.hpp"
#include "scenario/scenario_names.hpp"

namespace ehlo::scenario {

namespace {

class printer {
 public:
  std::string out;

  void document(const scenario& sc) {
    out += "{\n";
    member("version", std::to_string(sc.version));
    member("name", str(sc.name));
    if (!sc.description.empty()) member("description", str(sc.description));
    if (!sc.rfc.empty()) member("rfc", strings(sc.rfc));
    if (!sc.tags.empty()) member("tags", strings(sc.tags));
    if (!sc.vars.empty()) {
      std::string v = "{";
      for (std::size_t i = 0; i < sc.vars.size(); ++i) {
        if (i != 0) v += ", ";
        v += str(sc.vars[i].name) + ": " + (sc.vars[i].value ? str(*sc.vars[i].value) : "null");
      }
      member("vars", v + "}");
    }
    if (!sc.secrets.empty()) member("secrets", strings(sc.secrets));
    if (sc.timeout) member("timeout", str(to_string(*sc.timeout)));
    if (sc.implicit_tls) member("tls", "\"implicit\"");
    if (sc.expect == outcome::fail) member("outcome", "\"fail\"");
    if (!sc.findings.empty()) member("findings", strings(sc.findings));
    out += "  \"steps\": [\n";
    steps(sc.steps, "    ");
    out += "\n  ]\n}\n";
  }

 private:
  static std::string str(std::string_view s) {
    std::string q;
    json::append_quoted(q, s);
    return q;
  }

  static std::string strings(const std::vector<std::string>& list) {
    std::string a = "[";
    for (std::size_t i = 0; i < list.size(); ++i) a += (i != 0 ? ", " : "") + str(list[i]);
    return a + "]";
  }

  void member(std::string_view key, const std::string& value) { out += "  " + str(key) + ": " + value + ",\n"; }

  void steps(const std::vector<step>& list, const std::string& indent) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i != 0) out += ",\n";
      out += indent;
      one(list[i], indent);
    }
  }

  /// `indent` is the column the step's "{" is at, for lines that wrap.
  void one(const step& s, const std::string& indent) {
    out += '{';
    std::visit([&](const auto& kind) { body(kind, indent); }, s.what);
    fault(s.fault);
    if (!s.note.empty()) out += ", \"note\": " + str(s.note);
    if (s.timeout) out += ", \"timeout\": " + str(to_string(*s.timeout));
    if (s.optional) out += ", \"optional\": true";
    if (s.allowed != 0) {
      std::vector<std::string> names;
      const auto all = allowance_names();
      for (std::size_t bit = 0; bit < all.size(); ++bit)
        if ((s.allowed >> bit) & 1u) names.emplace_back(all[bit]);
      out += ", \"allow\": " + strings(names);
    }
    out += '}';
  }

  void fault(const fault_plan& f) {
    if (f.delay) out += ", \"delay\": " + str(to_string(*f.delay));
    switch (f.how) {
      case fault_plan::split::whole:
        break;
      case fault_plan::split::bytewise:
        out += ", \"chunks\": \"bytewise\"";
        break;
      case fault_plan::split::random:
        out += ", \"chunks\": \"random\"";
        break;
      case fault_plan::split::sizes:
        out += ", \"chunks\": [";
        for (std::size_t i = 0; i < f.chunks.size(); ++i) out += (i != 0 ? ", " : "") + std::to_string(f.chunks[i]);
        out += ']';
        break;
    }
    if (f.gap.count() != 0) out += ", \"gap\": " + str(to_string(f.gap));
    if (f.ends != fault_plan::line_end::crlf)
      out += f.ends == fault_plan::line_end::lf ? ", \"line_end\": \"LF\"" : ", \"line_end\": \"CR\"";
    if (f.cut) out += ", \"cut\": " + std::to_string(*f.cut);
    if (!f.inject.empty()) out += ", \"inject\": " + strings(f.inject);
    if (f.stall) out += ", \"stall\": " + str(to_string(*f.stall));
  }

  void body(const reply_step& r, const std::string& indent) {
    out += "\"S\": ";
    if (r.lines.size() == 1) {
      out += str(r.lines[0]);
    } else {
      // A multi-line reply reads as the transcript does: a line under the other.
      const std::string under(indent.size() + 7, ' ');
      out += '[';
      for (std::size_t i = 0; i < r.lines.size(); ++i) out += (i != 0 ? ",\n" + under : "") + str(r.lines[i]);
      out += ']';
    }
    if (r.raw) out += ", \"raw\": true";
    if (!r.codes.empty()) {
      if (r.codes.size() == 1) {
        out += ", \"code\": " + str(to_string(r.codes[0]));
      } else {
        std::vector<std::string> c;
        for (const auto& p : r.codes) c.push_back(to_string(p));
        out += ", \"code\": " + strings(c);
      }
    }
    if (r.status) out += ", \"status\": " + str(*r.status);
    if (r.text) out += ", \"text\": " + str(*r.text);
    if (!r.offers.empty()) out += ", \"offers\": " + strings(r.offers);
    if (!r.lacks.empty()) out += ", \"lacks\": " + strings(r.lacks);
    if (!r.captures.empty()) {
      out += ", \"capture\": {";
      for (std::size_t i = 0; i < r.captures.size(); ++i)
        out += (i != 0 ? ", " : "") + str(r.captures[i].var) + ": " + str(r.captures[i].regex);
      out += '}';
    }
  }

  void command_keys(const command_step& c) {
    if (c.raw) out += ", \"raw\": true";
    if (c.match != command_match::exact)
      out += c.match == command_match::verb ? ", \"match\": \"verb\"" : ", \"match\": \"any\"";
    if (c.arg) out += ", \"arg\": " + str(*c.arg);
  }

  void body(const command_step& c, const std::string&) {
    out += "\"C\": " + str(c.line);
    command_keys(c);
  }

  void body(const message_step& m, const std::string&) {
    out += "\"message\": ";
    if (m.text) {
      out += str(*m.text);
      return;
    }
    out += '{';
    const char* sep = "";
    const auto key = [&](std::string_view k) {
      out += sep + str(k) + ": ";
      sep = ", ";
    };
    if (!m.headers.empty()) key("headers"), out += strings(m.headers);
    if (m.body) key("body"), out += str(*m.body);
    if (m.html) key("html"), out += str(*m.html);
    if (!m.attachments.empty()) {
      key("attachments");
      out += '[';
      for (std::size_t i = 0; i < m.attachments.size(); ++i) {
        const auto& a = m.attachments[i];
        out += std::string(i != 0 ? ", " : "") + "{\"name\": " + str(a.name);
        if (!a.type.empty()) out += ", \"type\": " + str(a.type);
        out += a.file.empty() ? ", \"content\": " + str(a.content) : ", \"file\": " + str(a.file);
        out += '}';
      }
      out += ']';
    }
    out += '}';
  }

  void body(const bdat_step& b, const std::string&) {
    out += "\"bdat\": " + str(b.chunk);
    if (b.last) out += ", \"last\": true";
  }

  void body(const pipeline_step& p, const std::string&) {
    out += "\"pipeline\": [";
    for (std::size_t i = 0; i < p.commands.size(); ++i) {
      const auto& c = p.commands[i];
      out += i != 0 ? ", " : "";
      if (!c.raw && c.match == command_match::exact && !c.arg) {
        out += str(c.line);
      } else {
        out += "{\"C\": " + str(c.line);
        command_keys(c);
        out += '}';
      }
    }
    out += ']';
  }

  void body(const tls_step& t, const std::string&) { out += t.abort ? "\"tls\": \"abort\"" : "\"tls\": \"start\""; }
  void body(const pause_step& p, const std::string&) { out += "\"pause\": " + str(to_string(p.length)); }
  void body(const close_step& c, const std::string&) { out += c.by_server ? "\"close\": \"S\"" : "\"close\": \"C\""; }
  void body(const silent_step& q, const std::string&) {
    out += (q.by_server ? "\"silent\": \"S\", \"for\": " : "\"silent\": \"C\", \"for\": ") + str(to_string(q.length));
  }

  void body(const one_of_step& o, const std::string& indent) {
    out += "\"one_of\": [\n";
    const std::string inner = indent + "    ";
    for (std::size_t i = 0; i < o.branches.size(); ++i) {
      out += indent + "  [\n";
      steps(o.branches[i], inner);
      out += "\n" + indent + (i + 1 < o.branches.size() ? "  ],\n" : "  ]\n");
    }
    out += indent + "]";
  }
};

}  // namespace

std::string to_string(duration d) {
  const auto ms = d.count();
  if (ms != 0 && ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string to_json(const scenario& sc) {
  printer p;
  p.document(sc);
  return std::move(p.out);
}

}  // namespace ehlo::scenario
