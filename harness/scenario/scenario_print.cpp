// Model -> JSON. Each object's keys are written in the order of the table of
// keys (scenario_keys.def), each by its writer here, key_<id>, which gives
// the value's JSON text, or nothing when the key is absent or at its default.
#include "scenario/scenario_print.hpp"

#include <optional>

#include "scenario/json.hpp"
#include "scenario/scenario_keys.hpp"

namespace ehlo::scenario {

namespace {

using text = std::optional<std::string>;

class printer {
 public:
  /// The models a writer reads: the object's and the ones around it.
  struct from {
    const scenario* sc = nullptr;
    const step* s = nullptr;
    const command_step* cmd = nullptr;  ///< a C step's, or a pipelined command
    const message_step* msg = nullptr;
    const attachment* att = nullptr;
    const probe_info* probe = nullptr;
    const verdict_mark* mark = nullptr;
    std::string indent;  ///< the column a step's "{" is at, for values that wrap
  };
  using writer = text (printer::*)(const from&);
  static const writer writers[keys::count];

  std::string out;

  void document(const scenario& sc) {
    from f;
    f.sc = &sc;
    out += "{\n";
    const char* sep = "";
    for (const auto& k : keys::table) {
      if (!k.at(keys::at::file)) continue;
      if (const text v = write(k, f)) {
        out += sep + ("  " + str(k.name)) + ": " + *v;
        sep = ",\n";
      }
    }
    out += "\n}\n";
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

  text write(const keys::key& k, const from& f) { return (this->*writers[static_cast<std::size_t>(k.id)])(f); }

  /// {"key": value, ...}: the keys of an object at `place` on one line, in the table's order.
  std::string object(std::uint32_t place, const from& f) {
    std::string o = "{";
    for (const auto& k : keys::table) {
      if (!k.at(place)) continue;
      if (const text v = write(k, f)) o += (o.size() > 1 ? ", " : "") + str(k.name) + ": " + *v;
    }
    return o + "}";
  }

  std::string steps(const std::vector<step>& list, const std::string& indent) {
    std::string o;
    for (std::size_t i = 0; i < list.size(); ++i) {
      from f;
      f.s = &list[i];
      f.cmd = std::get_if<command_step>(&list[i].what);
      f.indent = indent;
      o += (i != 0 ? ",\n" : "") + indent + object(keys::place_of(list[i].what), f);
    }
    return o;
  }

  static text when(bool present, std::string value) { return present ? text(std::move(value)) : std::nullopt; }
  static text list(const std::vector<std::string>& l) { return when(!l.empty(), strings(l)); }
  static text duration_of(const std::optional<duration>& d) { return d ? text(str(to_string(*d))) : std::nullopt; }
  static text flag(bool b) { return when(b, "true"); }

  // ---- the file ----

  text key_schema_ref(const from&) { return std::nullopt; }  // for editors; not kept
  text key_version(const from& f) { return std::to_string(f.sc->version); }
  text key_name(const from& f) { return str(f.sc->name); }
  text key_description(const from& f) { return when(!f.sc->description.empty(), str(f.sc->description)); }
  text key_rfc(const from& f) { return list(f.sc->rfc); }
  text key_tags(const from& f) { return list(f.sc->tags); }
  text key_vars(const from& f) {
    const auto& vars = f.sc->vars;
    if (vars.empty()) return std::nullopt;
    std::string v = "{";
    for (std::size_t i = 0; i < vars.size(); ++i)
      v += (i != 0 ? ", " : "") + str(vars[i].name) + ": " + (vars[i].value ? str(*vars[i].value) : "null");
    return v + "}";
  }
  text key_secrets(const from& f) { return list(f.sc->secrets); }
  text key_file_timeout(const from& f) { return duration_of(f.sc->timeout); }
  text key_file_tls(const from& f) { return when(f.sc->implicit_tls, "\"implicit\""); }
  text key_protocol(const from& f) { return when(f.sc->lmtp, "\"lmtp\""); }
  text key_outcome(const from& f) { return when(f.sc->expect == outcome::fail, "\"fail\""); }
  text key_findings(const from& f) { return list(f.sc->findings); }
  text key_probe(const from& f) {
    if (!f.sc->probe) return std::nullopt;
    from p;
    p.probe = &*f.sc->probe;
    return object(keys::at::probe, p);
  }
  text key_steps(const from& f) { return "[\n" + steps(f.sc->steps, "    ") + "\n  ]"; }

  // ---- the probe ----

  text key_title(const from& f) { return str(f.probe->title); }
  text key_category(const from& f) { return str(f.probe->category); }
  text key_rules(const from& f) { return strings(f.probe->rules); }
  text key_severity(const from& f) { return str(keys::severity_words[static_cast<std::size_t>(f.probe->level)]); }
  text key_checks(const from& f) { return f.probe->checks == side::client ? "\"client\"" : "\"server\""; }
  text key_needs(const from& f) { return list(f.probe->needs); }
  text key_client_uses(const from& f) { return list(f.probe->client_uses); }
  text key_opt_in(const from& f) { return flag(f.probe->opt_in); }
  text key_probe_exit(const from& f) {
    return when(f.probe->exit_zero || f.probe->exit_nonzero, object(keys::at::probe_exit, f));
  }
  text key_exit_zero(const from& f) { return f.probe->exit_zero ? text(verdict(*f.probe->exit_zero)) : std::nullopt; }
  text key_exit_nonzero(const from& f) {
    return f.probe->exit_nonzero ? text(verdict(*f.probe->exit_nonzero)) : std::nullopt;
  }

  /// A word when the mark says no more than its verdict; else an object.
  std::string verdict(const verdict_mark& m) {
    if (m.rule.empty() && !m.level && m.why.empty()) return str(keys::verdict_words[static_cast<std::size_t>(m.is)]);
    from f;
    f.mark = &m;
    return object(keys::at::verdict, f);
  }
  text key_verdict_is(const from& f) { return str(keys::verdict_words[static_cast<std::size_t>(f.mark->is)]); }
  text key_verdict_rule(const from& f) { return when(!f.mark->rule.empty(), str(f.mark->rule)); }
  text key_verdict_severity(const from& f) {
    return f.mark->level ? text(str(keys::severity_words[static_cast<std::size_t>(*f.mark->level)])) : std::nullopt;
  }
  text key_verdict_why(const from& f) { return when(!f.mark->why.empty(), str(f.mark->why)); }

  // ---- steps ----

  text key_note(const from& f) { return when(!f.s->note.empty(), str(f.s->note)); }
  text key_step_timeout(const from& f) { return duration_of(f.s->timeout); }
  text key_optional(const from& f) { return flag(f.s->optional); }
  text key_allow(const from& f) {
    if (f.s->allowed == 0) return std::nullopt;
    std::vector<std::string> names;
    for (const auto& a : keys::allowances)
      if (f.s->allows(a.bit)) names.emplace_back(a.name);
    return strings(names);
  }
  text key_step_verdict(const from& f) { return f.s->mark ? text(verdict(*f.s->mark)) : std::nullopt; }

  text key_fault_delay(const from& f) { return duration_of(f.s->fault.delay); }
  text key_fault_chunks(const from& f) {
    const fault_plan& p = f.s->fault;
    switch (p.how) {
      case fault_plan::split::whole:
        return std::nullopt;
      case fault_plan::split::bytewise:
        return "\"bytewise\"";
      case fault_plan::split::random:
        return "\"random\"";
      case fault_plan::split::sizes:
        break;
    }
    std::string a = "[";
    for (std::size_t i = 0; i < p.chunks.size(); ++i) a += (i != 0 ? ", " : "") + std::to_string(p.chunks[i]);
    return a + "]";
  }
  text key_fault_gap(const from& f) { return when(f.s->fault.gap.count() != 0, str(to_string(f.s->fault.gap))); }
  text key_fault_line_end(const from& f) {
    const auto e = f.s->fault.ends;
    return when(e != fault_plan::line_end::crlf, e == fault_plan::line_end::lf ? "\"LF\"" : "\"CR\"");
  }
  text key_fault_cut(const from& f) { return f.s->fault.cut ? text(std::to_string(*f.s->fault.cut)) : std::nullopt; }
  text key_fault_inject(const from& f) { return list(f.s->fault.inject); }
  text key_fault_stall(const from& f) { return duration_of(f.s->fault.stall); }

  const reply_step& reply(const from& f) { return std::get<reply_step>(f.s->what); }
  text key_S(const from& f) {
    const reply_step& r = reply(f);
    if (r.lines.size() == 1) return str(r.lines[0]);
    // A multi-line reply reads as the transcript does: a line under the other.
    const std::string under(f.indent.size() + 7, ' ');
    std::string a = "[";
    for (std::size_t i = 0; i < r.lines.size(); ++i) a += (i != 0 ? ",\n" + under : "") + str(r.lines[i]);
    return a + "]";
  }
  text key_reply_raw(const from& f) { return flag(reply(f).raw); }
  text key_code(const from& f) {
    const auto& codes = reply(f).codes;
    if (codes.empty()) return std::nullopt;
    if (codes.size() == 1) return str(to_string(codes[0]));
    std::vector<std::string> c;
    for (const auto& p : codes) c.push_back(to_string(p));
    return strings(c);
  }
  text key_status(const from& f) { return reply(f).status ? text(str(*reply(f).status)) : std::nullopt; }
  text key_text(const from& f) { return reply(f).text ? text(str(*reply(f).text)) : std::nullopt; }
  text key_offers(const from& f) { return list(reply(f).offers); }
  text key_lacks(const from& f) { return list(reply(f).lacks); }
  text key_capture(const from& f) {
    const auto& captures = reply(f).captures;
    if (captures.empty()) return std::nullopt;
    std::string o = "{";
    for (std::size_t i = 0; i < captures.size(); ++i)
      o += (i != 0 ? ", " : "") + str(captures[i].var) + ": " + str(captures[i].regex);
    return o + "}";
  }

  text key_C(const from& f) { return str(f.cmd->line); }
  text key_command_raw(const from& f) { return flag(f.cmd->raw); }
  text key_match(const from& f) {
    const auto m = f.cmd->match;
    return when(m != command_match::exact, m == command_match::verb ? "\"verb\"" : "\"any\"");
  }
  text key_arg(const from& f) { return f.cmd->arg ? text(str(*f.cmd->arg)) : std::nullopt; }

  text key_message(const from& f) {
    const auto& m = std::get<message_step>(f.s->what);
    if (m.text) return str(*m.text);
    from mf;
    mf.msg = &m;
    return object(keys::at::built_message, mf);
  }
  text key_headers(const from& f) { return list(f.msg->headers); }
  text key_body(const from& f) { return f.msg->body ? text(str(*f.msg->body)) : std::nullopt; }
  text key_html(const from& f) { return f.msg->html ? text(str(*f.msg->html)) : std::nullopt; }
  text key_attachments(const from& f) {
    const auto& list = f.msg->attachments;
    if (list.empty()) return std::nullopt;
    std::string a = "[";
    for (std::size_t i = 0; i < list.size(); ++i) {
      from af;
      af.att = &list[i];
      a += (i != 0 ? ", " : "") + object(keys::at::attachment, af);
    }
    return a + "]";
  }
  text key_attachment_name(const from& f) { return str(f.att->name); }
  text key_attachment_type(const from& f) { return when(!f.att->type.empty(), str(f.att->type)); }
  text key_attachment_file(const from& f) { return when(!f.att->file.empty(), str(f.att->file)); }
  text key_attachment_content(const from& f) { return when(f.att->file.empty(), str(f.att->content)); }

  text key_bdat(const from& f) { return str(std::get<bdat_step>(f.s->what).chunk); }
  text key_last(const from& f) { return flag(std::get<bdat_step>(f.s->what).last); }

  text key_pipeline(const from& f) {
    const auto& commands = std::get<pipeline_step>(f.s->what).commands;
    std::string a = "[";
    for (std::size_t i = 0; i < commands.size(); ++i) {
      const auto& c = commands[i];
      a += i != 0 ? ", " : "";
      if (!c.raw && c.match == command_match::exact && !c.arg) {
        a += str(c.line);
      } else {
        from cf = f;
        cf.cmd = &c;
        a += object(keys::at::pipelined, cf);
      }
    }
    return a + "]";
  }

  text key_tls(const from& f) { return std::get<tls_step>(f.s->what).abort ? "\"abort\"" : "\"start\""; }
  text key_pause(const from& f) { return str(to_string(std::get<pause_step>(f.s->what).length)); }
  text key_close(const from& f) { return std::get<close_step>(f.s->what).by_server ? "\"S\"" : "\"C\""; }
  text key_silent(const from& f) { return std::get<silent_step>(f.s->what).by_server ? "\"S\"" : "\"C\""; }
  text key_silent_for(const from& f) { return str(to_string(std::get<silent_step>(f.s->what).length)); }

  text key_one_of(const from& f) {
    const auto& branches = std::get<one_of_step>(f.s->what).branches;
    const std::string& indent = f.indent;
    std::string a = "[\n";
    const std::string inner = indent + "    ";
    for (std::size_t i = 0; i < branches.size(); ++i) {
      a += indent + "  [\n";
      a += steps(branches[i], inner);
      a += "\n" + indent + (i + 1 < branches.size() ? "  ],\n" : "  ]\n");
    }
    return a + indent + "]";
  }
};

// Each key's writer, in the order of the table (a key without one does not compile).
const printer::writer printer::writers[keys::count] = {
#define KEY(id, where, name, need, value, schema, description) &printer::key_##id,
#include "scenario/scenario_keys.def"
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
