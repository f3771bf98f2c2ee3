// Scenario lines (scenario/scenario.cpp): the replay's parser over a whole file's text. It never
// throws; a failure names the file and line; every step it accepts has a line number that exists.
#include <algorithm>

#include "common.hpp"
#include "scenario/scenario.hpp"

using namespace emkhana;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = scenario::ParseScenario(text, "fuzz.jsonl");
  if (!parsed) {
    fuzz::FuzzCheck(parsed.error().message.starts_with("fuzz.jsonl:"), "FILE:LINE: message");
    return 0;
  }
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  for (const auto& step : parsed->steps) {
    fuzz::FuzzCheck(step.line >= 1 && step.line <= lines, "a step's line is in the file");
    if (const auto* apply = std::get_if<scenario::ApplyStep>(&step.body)) {
      fuzz::FuzzCheck(!apply->application.id.empty(), "an application has an id");
    }
  }
  return 0;
}
