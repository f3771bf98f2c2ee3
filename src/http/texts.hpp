// The words people read, as one JSON document: each refusal reason (rules/reasons.cpp) and each
// problem title (problem.cpp) in Kazakh, Russian and English. `emkhana texts --json` prints it;
// the web front end imports the copy web/src/generated/texts.json, which the CTest
// web_generated keeps equal to it, so the front end writes no refusal text of its own.
#pragma once

#include <string>

namespace emkhana::http {

// {"reasons": {code: {"kk","ru","en"}}, "problems": {code: {"status","kk","ru","en"}}}, codes
// in their catalogues' order, indented, ending with a newline.
std::string TextsJson();

// The same for people: a code a line, then its texts indented one language a line.
std::string TextsTable();

}  // namespace emkhana::http
