#include "proto/finding.hpp"

#include <ostream>

namespace ehlo::proto {

std::ostream& operator<<(std::ostream& os, const finding& f) {
  os << '[' << (f.broken ? f.broken->id : std::string_view{"?"}) << "] @" << f.offset << ": " << f.what;
  return os;
}

}  // namespace ehlo::proto
