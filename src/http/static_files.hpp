// The web front end's files (web/dist), read into memory once at start-up and served from there:
// the directory is small, and nothing is read from disk per request, so no request can reach a
// file outside it.
//
// Thread-safety: immutable after Load; Find may be called from any number of threads.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace emkhana::http {

struct StaticFile {
  std::string body;
  std::string content_type;
  bool immutable = false;  // a content-hashed asset: cached for a year
};

class StaticFiles {
 public:
  // Every regular file under `root` (at most 64 MiB in all); fails when there is no index.html.
  static Result<StaticFiles> Load(const std::string& root);
  // The file for a URL path: "/" is index.html; a path that names no file but looks like a page
  // of the single-page application ("/citizen/apply": lower-case words, no reserved prefix) is
  // index.html too; nullptr otherwise.
  const StaticFile* Find(std::string_view path) const;
  std::size_t size() const { return files_.size(); }

 private:
  std::map<std::string, StaticFile, std::less<>> files_;  // by URL path ("/assets/x.js")
};

}  // namespace emkhana::http
