#include "http/server.hpp"

#include <fmt/format.h>

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <type_traits>
#include <vector>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "http/rate_limit.hpp"
#include "http/wire.hpp"

namespace emkhana::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::ptrdiff_t kMaxHeaderFields = 100;
// Descriptors kept free of connections: the database and its WAL, logs, the event loop, and what
// a store opens later (temporary files, a new PostgreSQL connection).
constexpr long kReservedDescriptors = 64;
// How long the listener waits after an accept failed for want of descriptors.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

std::int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A connection; `busy` while it answers a request (a stop lets it finish, and closes the others).
// Timeouts are a deadline that one watchdog timer checks for every connection: a timer per read
// and write (Beast's expires_after) costs timer-queue work and a timerfd update per operation.
struct SessionState {
  tcp::socket&
      socket;  // the lowest layer (under TLS too): cancelling it ends the pending operation
  std::atomic<bool> busy = false;
  std::atomic<std::int64_t> deadline_ms = INT64_MAX;  // steady clock; INT64_MAX: none
  void ExpiresAfter(int seconds) { deadline_ms = SteadyMillis() + seconds * 1000LL; }
  void NeverExpires() { deadline_ms = INT64_MAX; }
};

// What the sessions share: the limits, the stop flag, and the open connections.
struct Shared {
  Shared(Api& a, const ServerOptions& o, asio::io_context& io, int cap, asio::ssl::context* t)
      : api(a),
        options(o),
        tls(t),
        connection_cap(cap),
        tokens(o.rate_limit, o.rate_burst),
        addresses(o.rate_limit, o.rate_burst),
        listener(asio::make_strand(io)),
        listener_pause(listener) {}
  Api& api;
  const ServerOptions& options;
  asio::ssl::context* tls;  // null: plain HTTP
  const int connection_cap;
  RateLimiter tokens;     // requests with a bearer token, by token
  RateLimiter addresses;  // requests without one, and those whose token was refused, by address
  std::atomic<bool> stopping = false;
  std::atomic<int> sessions = 0;  // counted from the accept, so the cap holds
  std::atomic<bool> listener_waiting = false;
  asio::strand<asio::io_context::executor_type> listener;
  asio::steady_timer listener_pause;  // on `listener`: at the cap, or out of descriptors
  std::mutex mu;
  std::set<SessionState*> open;
  std::mutex log_mu;
};

// The accept loop waits at the cap; a closing connection wakes it.
void SessionEnded(Shared& shared) {
  if (--shared.sessions < shared.connection_cap && shared.listener_waiting) {
    asio::post(shared.listener, [&shared] { shared.listener_pause.cancel(); });
  }
}

// The connections allowed: --max-connections, kept below the descriptor limit.
int ConnectionCap(int wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return wanted;
  const long room = static_cast<long>(limit.rlim_cur) - kReservedDescriptors;
  return static_cast<int>(std::clamp<long>(room, 1, wanted));
}

// The rate limit's key for a client address: an IPv6 client usually holds a whole /64.
std::uint64_t AddressKey(const asio::ip::address& address) {
  if (address.is_v6() && !address.to_v6().is_v4_mapped()) {
    const auto bytes = address.to_v6().to_bytes();
    return std::hash<std::string_view>{}(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), 8));
  }
  const auto v4 = address.is_v4() ? address.to_v4()
                                  : asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  return std::hash<std::uint64_t>{}(0x4000'0000'0000'0000ULL | v4.to_uint());
}

void Log(Shared& shared, const boost::json::object& line) {
  std::lock_guard lock(shared.log_mu);
  std::fputs((boost::json::serialize(line) + "\n").c_str(), stderr);
}

std::int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Waits for a deferred decision without blocking the I/O thread: the pipeline calls back on its
// own thread, and the reply is posted back to the session's strand.
template <class Token>
auto AsyncDecide(Api& api, Deferred deferred, Token&& token) {
  return asio::async_initiate<Token, void(Response)>(
      [&api](auto handler, Deferred d) {
        auto executor = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        api.Submit(std::move(d), [shared, executor](Response r) mutable {
          asio::post(executor, [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
        });
      },
      token, std::move(deferred));
}

template <class Stream>
constexpr bool kIsTls = !std::is_same_v<Stream, beast::tcp_stream>;

// A connection, plain (beast::tcp_stream) or TLS (beast::ssl_stream over it): one template, so
// that the plain path stays as it was.
template <class Stream>
asio::awaitable<void> Session(Stream stream, Shared& shared) {
  const auto& o = shared.options;
  SessionState state{beast::get_lowest_layer(stream).socket()};
  std::string remote;
  std::uint64_t address_key = 0;
  {
    beast::error_code ec;
    auto ep = state.socket.remote_endpoint(ec);
    if (!ec) {
      remote = ep.address().to_string();
      address_key = AddressKey(ep.address());
    }
  }
  {
    std::lock_guard lock(shared.mu);
    shared.open.insert(&state);
  }
  // Bytes read ahead (pipelined requests) are capped by the buffer's maximum size.
  beast::flat_buffer buffer(o.header_limit + o.body_limit + 4096);
  bool secured = true;
  if constexpr (kIsTls<Stream>) {
    // The handshake counts against the first request's read timeout.
    state.ExpiresAfter(o.read_timeout_seconds);
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kAwait);
    secured = !hec;
  }
  for (int served = 0; secured && served < o.requests_per_connection && !shared.stopping;
       ++served) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(o.header_limit));
    parser.body_limit(o.body_limit);
    // The first request must arrive whole within the read timeout; a keep-alive connection may
    // wait for its next one up to the idle timeout.
    state.ExpiresAfter(served == 0 ? o.read_timeout_seconds : o.idle_timeout_seconds);
    // The header first, its raw bytes checked before they are consumed: nothing after a header
    // that is refused (a body that could hide a second request) is ever parsed.
    // The parser takes the start line as soon as it is whole, and the fields once the header is:
    // what it used is consumed even when it needs more, or the start line would be fed again as
    // a field. Folding is looked for across those pieces.
    beast::error_code ec;
    bool folded = false;
    bool at_line_start = false;  // the bytes consumed so far end a line
    for (;;) {
      if (buffer.size() > 0) {
        const auto used = parser.put(buffer.data(), ec);
        if (ec == bhttp::error::need_more) ec = {};
        if (ec) break;
        if (used > 0) {
          const auto* raw = static_cast<const char*>(buffer.data().data());
          folded = folded || HasObsFold(raw, used) ||
                   (at_line_start && (raw[0] == ' ' || raw[0] == '\t'));
          at_line_start = raw[used - 1] == '\n';
          buffer.consume(used);
        }
        if (parser.is_header_done()) break;
        if (used > 0 && buffer.size() > 0) continue;  // the fields may be whole already
      }
      if (buffer.size() >= buffer.max_size()) {
        ec = bhttp::error::header_limit;
        break;
      }
      auto [rec, n] = co_await stream.async_read_some(
          buffer.prepare(std::min<std::size_t>(65536, buffer.max_size() - buffer.size())), kAwait);
      buffer.commit(n);
      if (rec == asio::error::eof) {
        ec = buffer.size() > 0 ? bhttp::error::partial_message : bhttp::error::end_of_stream;
        break;
      }
      if (rec) {
        ec = rec;
        break;
      }
    }
    std::string_view refused;
    std::ptrdiff_t fields = 0;
    if (!ec) {
      refused = folded ? "obsolete line folding" : Ambiguity(parser.get(), fields);
      if (fields > kMaxHeaderFields) ec = bhttp::error::header_limit;
    }
    if (!ec && refused.empty() && !parser.is_done()) {
      auto [bec, n] = co_await bhttp::async_read(stream, buffer, parser, kAwait);
      ec = bec;
    }
    state.busy = true;
    state.NeverExpires();  // the answer may wait for the decision pipeline
    if (ec || !refused.empty()) {
      if (!refused.empty() ||
          (ec != bhttp::error::end_of_stream && ec != beast::error::timeout &&
           ec != asio::error::operation_aborted && ec != asio::error::connection_reset &&
           ec != asio::error::eof && ec != asio::ssl::error::stream_truncated)) {
        auto unreadable = UnreadableRequest(ec, refused);
        auto reply = MakeReply(unreadable, 11, false);
        state.ExpiresAfter(o.read_timeout_seconds);
        co_await asio::async_write(stream, reply.buffers(), kAwait);
      }
      break;
    }
    const auto started = std::chrono::steady_clock::now();
    auto& req = parser.get();
    Request request;
    request.method = std::string(req.method_string().substr(0, 32));
    request.target = std::string(req.target());
    request.body = std::move(req.body());
    request.content_type = std::string(req[bhttp::field::content_type]);
    request.authorization = std::string(req[bhttp::field::authorization]);
    request.accept_language = std::string(req[bhttp::field::accept_language]);
    request.idempotency_key = std::string(req["Idempotency-Key"]);
    request.remote = remote;

    // The rate limits: a request with a token is counted against its token (an address may hold
    // many users), one without against its address; an address whose refused tokens have used
    // up its allowance is refused whatever token it sends next.
    Response response;
    int retry_after = 0;
    std::uint64_t token_key = 0;
    if (shared.tokens.enabled()) {
      const auto now = SteadyMicros();
      if (request.authorization.empty()) {
        retry_after = shared.addresses.Take(address_key, now);
      } else {
        token_key = std::hash<std::string_view>{}(request.authorization);
        retry_after = shared.addresses.Peek(address_key, now);
        if (retry_after == 0) retry_after = shared.tokens.Take(token_key, now);
      }
    }
    if (retry_after > 0) {
      response = RateLimited(retry_after, request.accept_language);
    } else {
      auto handled = shared.api.Handle(request);
      if (auto* deferred = std::get_if<Deferred>(&handled)) {
        response = co_await AsyncDecide(shared.api, std::move(*deferred), asio::use_awaitable);
      } else {
        response = std::move(std::get<Response>(handled));
      }
      if (token_key != 0 && response.status == 401) {
        (void)shared.addresses.Take(address_key, SteadyMicros());
      }
    }
    const bool keep_alive = req.keep_alive() && !shared.stopping && !response.close &&
                            served + 1 < o.requests_per_connection;
    auto reply = MakeReply(response, req.version(), keep_alive);
    state.ExpiresAfter(o.read_timeout_seconds);
    auto [wec, written] = co_await asio::async_write(stream, reply.buffers(), kAwait);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    shared.api.Observe(response, seconds);
    if (o.access_log) {
      std::lock_guard lock(shared.log_mu);
      std::fputs((shared.api.AccessLogLine(request, response, seconds) + "\n").c_str(), stderr);
    } else if (response.status >= 500) {
      Log(shared, {{"ts", NowMillis()},
                   {"level", "error"},
                   {"remote", remote},
                   {"method", request.method},
                   {"route", response.route},
                   {"status", response.status}});
    }
    state.busy = false;
    if (wec || !keep_alive) break;
  }
  if constexpr (kIsTls<Stream>) {
    // close_notify, without waiting long for the peer's.
    if (secured) {
      state.ExpiresAfter(1);
      co_await stream.async_shutdown(kAwait);
    }
  }
  {
    std::lock_guard lock(shared.mu);
    shared.open.erase(&state);
  }
  beast::error_code ignored;
  state.socket.shutdown(tcp::socket::shutdown_send, ignored);
  state.socket.close(ignored);  // the descriptor is free before the listener is woken
  SessionEnded(shared);
}

// Accepts connections up to the cap; at the cap it accepts nothing until one closes (the
// kernel's backlog holds the newcomers, who wait rather than being turned away). Runs on
// `shared.listener`.
asio::awaitable<void> Listen(tcp::acceptor& acceptor, asio::io_context& io, Shared& shared) {
  bool out_of_descriptors = false;
  for (;;) {
    while (shared.sessions >= shared.connection_cap && !shared.stopping) {
      shared.listener_waiting = true;
      shared.listener_pause.expires_after(std::chrono::seconds(1));
      if (shared.sessions >= shared.connection_cap) {
        co_await shared.listener_pause.async_wait(kAwait);
      }
      shared.listener_waiting = false;
    }
    // With one I/O thread there is nothing to serialise: no strand, and its cost, per session.
    const asio::any_io_executor executor = shared.options.threads > 1
                                               ? asio::any_io_executor(asio::make_strand(io))
                                               : asio::any_io_executor(io.get_executor());
    auto [ec, socket] = co_await acceptor.async_accept(executor, kAwait);
    if (ec) {
      if (shared.stopping || !acceptor.is_open()) co_return;
      const int e = ec.value();
      if (ec.category() == boost::system::system_category() &&
          (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM)) {
        // Retrying at once would spin: the pending connection stays ready until a descriptor
        // is free. Wait for connections to close.
        if (!out_of_descriptors) {
          Log(shared, {{"ts", NowMillis()},
                       {"level", "warning"},
                       {"event", "accept_backoff"},
                       {"error", ec.message()},
                       {"connections", shared.sessions.load()}});
        }
        out_of_descriptors = true;
        shared.listener_pause.expires_after(kAcceptBackoff);
        co_await shared.listener_pause.async_wait(kAwait);
      }
      continue;  // e.g. a connection reset before it was accepted
    }
    out_of_descriptors = false;
    ++shared.sessions;
    auto session_executor = socket.get_executor();
    if (shared.tls) {
      asio::co_spawn(
          session_executor,
          Session(beast::ssl_stream<beast::tcp_stream>(std::move(socket), *shared.tls), shared),
          asio::detached);
    } else {
      asio::co_spawn(session_executor, Session(beast::tcp_stream(std::move(socket)), shared),
                     asio::detached);
    }
  }
}

// TLS 1.2 and 1.3 only, with the certificate chain and key of the options; empty if they
// cannot be used (the reason on stderr).
std::optional<asio::ssl::context> TlsContext(const ServerOptions& options) {
  std::optional<asio::ssl::context> tls(std::in_place, asio::ssl::context::tls_server);
  tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression |
                   asio::ssl::context::single_dh_use);
  beast::error_code ec;
  if (SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION) != 1) {
    ec = beast::error_code(static_cast<int>(ERR_get_error()), asio::error::get_ssl_category());
  }
  if (!ec) tls->use_certificate_chain_file(options.tls_cert, ec);
  if (!ec) tls->use_private_key_file(options.tls_key, asio::ssl::context::pem, ec);
  if (!ec && SSL_CTX_check_private_key(tls->native_handle()) != 1) {
    ec = beast::error_code(static_cast<int>(ERR_get_error()), asio::error::get_ssl_category());
  }
  if (ec) {
    std::fprintf(stderr, "serve: TLS: --tls-cert %s, --tls-key %s: %s\n", options.tls_cert.c_str(),
                 options.tls_key.c_str(), ec.message().c_str());
    return std::nullopt;
  }
  return tls;
}

}  // namespace

int Serve(Api& api, const ServerOptions& options,
          const std::function<void(std::uint16_t)>& on_listening) {
  asio::io_context io(options.threads);
  const int cap = ConnectionCap(options.max_connections);
  if (cap < options.max_connections) {
    std::fprintf(stderr,
                 "serve: at most %d connections (the limit of open files, ulimit -n, less %ld "
                 "kept for the database)\n",
                 cap, kReservedDescriptors);
  }
  std::optional<asio::ssl::context> tls;
  if (!options.tls_cert.empty()) {
    tls = TlsContext(options);
    if (!tls) return 2;
  }
  Shared shared(api, options, io, cap, tls ? &*tls : nullptr);
  tcp::acceptor acceptor(io);
  beast::error_code ec;
  const auto address = asio::ip::make_address(options.address, ec);
  if (ec) {
    std::fprintf(stderr, "serve: %s is not an address\n", options.address.c_str());
    return 2;
  }
  const tcp::endpoint endpoint(address, options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "serve: cannot listen on %s:%u: %s\n", options.address.c_str(),
                 options.port, ec.message().c_str());
    return 2;
  }
  asio::co_spawn(shared.listener, Listen(acceptor, io, shared), asio::detached);

  // The watchdog: four times a second, connections past their deadline are cancelled (on their
  // own executor); their pending read or write ends and the session closes.
  asio::steady_timer watchdog(io);
  std::function<void()> check_deadlines = [&] {
    const auto now = SteadyMillis();
    {
      std::lock_guard lock(shared.mu);
      for (auto* session : shared.open) {
        if (session->deadline_ms > now) continue;
        session->deadline_ms = -1;  // expired: cancelled once
        asio::post(session->socket.get_executor(), [session, &shared] {
          std::lock_guard inner(shared.mu);
          beast::error_code ignored;
          if (shared.open.contains(session)) session->socket.cancel(ignored);
        });
      }
    }
    if (shared.stopping && shared.sessions == 0) return;
    watchdog.expires_after(std::chrono::milliseconds(250));
    watchdog.async_wait([&](beast::error_code wait_error) {
      if (!wait_error) check_deadlines();
    });
  };
  check_deadlines();

  // Graceful stop: no new connections; idle keep-alive connections are closed; the others
  // finish the request they are answering; then the pipeline drains and the threads end.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  asio::steady_timer drain(io);
  std::function<void()> wait_for_sessions = [&] {
    {
      std::lock_guard lock(shared.mu);
      for (auto* session : shared.open) {
        if (session->busy) continue;
        asio::post(session->socket.get_executor(), [session, &shared] {
          // On the session's strand; it may have ended meanwhile.
          std::lock_guard inner(shared.mu);
          beast::error_code ignored;
          if (shared.open.contains(session) && !session->busy) {
            session->socket.cancel(ignored);
          }
        });
      }
    }
    if (shared.sessions == 0) {
      api.Drain();
      watchdog.cancel();
      io.stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(20));
    drain.async_wait([&](beast::error_code) { wait_for_sessions(); });
  };
  signals.async_wait([&](beast::error_code, int signal) {
    Log(shared,
        {{"ts", NowMillis()}, {"level", "info"}, {"event", "stopping"}, {"signal", signal}});
    shared.stopping = true;
    api.BeginStop();
    asio::post(shared.listener, [&] {
      beast::error_code ignored;
      acceptor.close(ignored);
      shared.listener_pause.cancel();
    });
    wait_for_sessions();
  });

  on_listening(acceptor.local_endpoint().port());
  std::vector<std::thread> threads;
  for (int i = 1; i < options.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  Log(shared, {{"ts", NowMillis()}, {"level", "info"}, {"event", "stopped"}});
  return 0;
}

}  // namespace emkhana::http
