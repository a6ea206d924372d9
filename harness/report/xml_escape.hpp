// Text and attribute values for an XML 1.0 document, from any bytes.
#pragma once

#include <string>
#include <string_view>

namespace ehlo::report {

/// Character data: any bytes are first made printable (printable.hpp keeps
/// TAB, LF and CR, and replaces what XML 1.0 cannot hold: NUL, ESC, invalid
/// UTF-8...); then & < > become entities (so "]]>" never appears) and CR
/// becomes "&#13;" (a parser would otherwise turn CR LF into LF).
void append_xml_text(std::string& out, std::string_view in);
/// An attribute value between double quotes: as text, and also " ' and TAB,
/// LF as character references, which attribute-value normalisation keeps.
void append_xml_attribute(std::string& out, std::string_view in);

}  // namespace ehlo::report
