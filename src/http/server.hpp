// The HTTP/1.1 server on Boost.Beast: listener -> session -> Api::Handle, which never sees a
// socket. Limits are set once here: body and header sizes, read and idle timeouts, requests per
// connection, open connections, request rates. A header that two HTTP parsers could read
// differently (Transfer-Encoding other than `chunked`, with Content-Length; a missing or repeated
// Host; obsolete line folding) is refused with a 400 and the connection closed, before any byte
// after it is read as a request. SIGTERM or SIGINT (or Stop) stops accepting, lets each connection
// finish the request it is answering (decisions in flight become durable), then drains the
// pipeline.
//
// This file and server.cpp are the only ones that include Beast: it is slow to compile.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "http/api.hpp"

namespace emkhana::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (printed when listening)
  int threads = 1;            // I/O threads
  std::size_t body_limit = 64 * 1024;
  std::size_t header_limit = 8 * 1024;
  int read_timeout_seconds = 10;  // a whole request must arrive within this
  int idle_timeout_seconds = 60;  // a keep-alive connection may wait this long for the next
  int requests_per_connection = 100'000;
  // Open connections; at the cap no more are accepted until one closes. Kept below the limit of
  // open files (RLIMIT_NOFILE) less a reserve for the database.
  int max_connections = 1000;
  // Requests per second and burst, per bearer token, and per client address (IPv6: per /64) for
  // requests without a token or with a refused one; over it: 429 with Retry-After. 0: no limit.
  double rate_limit = 0;
  double rate_burst = 0;
  bool access_log = false;  // a JSON line per request on stderr
  // PEM files: HTTPS only (TLS 1.2 and 1.3) when given, plain HTTP when empty.
  std::string tls_cert, tls_key;
};

// Runs until stopped by a signal. `on_listening(port)` is called once the socket listens.
// Returns 0 after a clean shutdown, 2 if the address or the TLS certificate and key cannot be
// used.
int Serve(Api& api, const ServerOptions& options,
          const std::function<void(std::uint16_t)>& on_listening);

}  // namespace emkhana::http
