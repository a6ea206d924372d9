#include "load/session_meter.hpp"

namespace ehlo::load {

session_meter::session_meter(session::client_session& cs, load_recorder& rec, time connected)
    : cs_(cs), rec_(rec), before_(connected), queued_(cs.awaiting()) {
  timer_.connected(connected);
}

void session_meter::after(session::action::kind k, bool ok, time now) {
  using answered = proto::conversation::answered;
  // The lines this write carried: those queued before it. The session plays
  // its next step as soon as it is told a write went (sent()), so what it
  // awaits now may hold the lines of the next write too.
  if (k == session::action::send && ok) timer_.sent(now, queued_);
  if (k == session::action::start_tls && ok && !greeted_) timer_.connected(now);
  for (const auto& ev : cs_.replies()) {
    greeted_ = true;
    if (const auto sample = timer_.reply(now, ev.what, ev.verb)) rec_.step(sample->step, sample->us);
    if (ev.what == answered::message || (ev.what == answered::command && ev.verb == proto::verb::bdat && ev.last))
      rec_.message(ev.code / 100 == 2);
  }
  cs_.clear_replies();
  timer_.settle(cs_.awaiting());
  if (k == session::action::start_tls && ok) rec_.step(step_kind::tls, micros(before_, now));
  before_ = now;
  queued_ = cs_.awaiting();
}

}  // namespace ehlo::load
