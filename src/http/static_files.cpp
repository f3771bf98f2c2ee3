#include "http/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace emkhana::http {

namespace {

std::string ContentTypeOf(const std::filesystem::path& path) {
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
      {".map", "application/json"},
  };
  auto it = kTypes.find(path.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

}  // namespace

Result<StaticFiles> StaticFiles::Load(const std::string& root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return Error::InvalidArgument(root + ": not a directory");
  StaticFiles out;
  std::size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in) return Error::Unavailable(it->path().string() + ": cannot be read");
    StaticFile file{ss.str(), ContentTypeOf(it->path()), false};
    total += file.body.size();
    if (total > (64u << 20)) return Error::InvalidArgument(root + ": more than 64 MiB");
    const std::string url = "/" + fs::relative(it->path(), root, ec).generic_string();
    file.immutable = url.starts_with("/assets/");  // Vite names these by their content's hash
    out.files_.emplace(url, std::move(file));
  }
  if (ec) return Error::Unavailable(root + ": " + ec.message());
  if (!out.files_.contains("/index.html")) return Error::InvalidArgument(root + ": no index.html");
  return out;
}

const StaticFile* StaticFiles::Find(std::string_view path) const {
  if (path == "/") path = "/index.html";
  if (auto it = files_.find(path); it != files_.end()) return &it->second;
  // A page of the application: lower-case words between single slashes, outside the prefixes
  // the server itself answers. Anything else that names no file is a 404.
  bool page = path.size() > 1 && path.front() == '/' && path.back() != '/';
  for (std::size_t i = 1; page && i < path.size(); ++i) {
    const char c = path[i];
    page = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           (c == '/' && path[i - 1] != '/');
  }
  for (std::string_view reserved : {"/api", "/healthz", "/readyz", "/metrics", "/assets"}) {
    page = page && !(path.starts_with(reserved) &&
                     (path.size() == reserved.size() || path[reserved.size()] == '/'));
  }
  return page ? &files_.find("/index.html")->second : nullptr;
}

}  // namespace emkhana::http
