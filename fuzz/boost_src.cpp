// Boost.JSON and Boost.URL compiled here, with the fuzzer's instrumentation, so that libFuzzer
// sees coverage inside the parsers (these definitions take the place of the shared libraries').
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
