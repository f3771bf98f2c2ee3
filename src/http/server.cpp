#include "http/server.hpp"

#include <fmt/format.h>

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iterator>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace emkhana::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::ptrdiff_t kMaxHeaderFields = 100;

std::int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A connection; `busy` while it answers a request (a stop lets it finish, and closes the others).
// Timeouts are a deadline that one watchdog timer checks for every connection: a timer per read
// and write (Beast's expires_after) costs timer-queue work and a timerfd update per operation.
struct SessionState {
  beast::tcp_stream stream;
  std::atomic<bool> busy = false;
  std::atomic<std::int64_t> deadline_ms = INT64_MAX;  // steady clock; INT64_MAX: none
  void ExpiresAfter(int seconds) { deadline_ms = SteadyMillis() + seconds * 1000LL; }
  void NeverExpires() { deadline_ms = INT64_MAX; }
};

// What the sessions share: the limits, the stop flag, and the open connections.
struct Shared {
  Api& api;
  const ServerOptions& options;
  std::atomic<bool> stopping = false;
  std::atomic<int> sessions = 0;
  std::mutex mu;
  std::set<SessionState*> open;
  std::mutex log_mu;
};

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

// A reply as it goes on the wire: the status line and header, then the body, written together.
// Composed here rather than by Beast's serializer, which cost about as much as the rest of a
// GET (callgrind).
struct Reply {
  std::string head, body;
  std::array<asio::const_buffer, 2> buffers() const {
    return {asio::buffer(head), asio::buffer(body)};
  }
};

// Takes the response's body (the rest stays for the metrics and the log).
Reply MakeReply(Response& r, unsigned version, bool keep_alive) {
  Reply out;
  auto given = [&](std::string_view name) {
    return std::any_of(r.headers.begin(), r.headers.end(),
                       [&](const auto& h) { return beast::iequals(h.first, name); });
  };
  auto add = std::back_inserter(out.head);
  out.head.reserve(320);
  fmt::format_to(add, "HTTP/{}.{} {} {}\r\nServer: emkhana\r\nContent-Type: {}\r\n", version / 10,
                 version % 10, r.status,
                 std::string_view(bhttp::obsolete_reason(static_cast<bhttp::status>(r.status))),
                 r.content_type);
  if (!given("Cache-Control")) out.head += "Cache-Control: no-store\r\n";
  if (!given("X-Content-Type-Options")) out.head += "X-Content-Type-Options: nosniff\r\n";
  for (const auto& [name, value] : r.headers) {
    // Values come from the handlers; a line break would forge a header, so such a field is left
    // out.
    if (name.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      continue;
    }
    fmt::format_to(add, "{}: {}\r\n", name, value);
  }
  if (version >= 11 && !keep_alive) out.head += "Connection: close\r\n";
  if (version < 11 && keep_alive) out.head += "Connection: keep-alive\r\n";
  fmt::format_to(add, "Content-Length: {}\r\n\r\n", r.body.size());
  out.body = std::move(r.body);
  return out;
}

// A request that could not be read: answered as a problem, then the connection is closed.
Response UnreadableRequest(const beast::error_code& ec) {
  const auto code = ec == bhttp::error::body_limit     ? ProblemCode::kBodyTooLarge
                    : ec == bhttp::error::header_limit ? ProblemCode::kHeadersTooLarge
                                                       : ProblemCode::kBadRequest;
  Response r;
  r.status = TypeOf(code).status;
  r.content_type = "application/problem+json";
  r.body = ProblemBody(code, Lang::kRu, ec.message());
  r.route = "unreadable";
  return r;
}

asio::awaitable<void> Session(tcp::socket socket, Shared& shared) {
  const auto& o = shared.options;
  SessionState state{beast::tcp_stream(std::move(socket))};
  auto& stream = state.stream;
  std::string remote;
  {
    beast::error_code ec;
    auto ep = stream.socket().remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
  }
  {
    std::lock_guard lock(shared.mu);
    shared.open.insert(&state);
  }
  // Bytes read ahead (pipelined requests) are capped by the buffer's maximum size.
  beast::flat_buffer buffer(o.header_limit + o.body_limit + 4096);
  ++shared.sessions;
  for (int served = 0; served < o.requests_per_connection && !shared.stopping; ++served) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(o.header_limit));
    parser.body_limit(o.body_limit);
    // The first request must arrive whole within the read timeout; a keep-alive connection may
    // wait for its next one up to the idle timeout.
    state.ExpiresAfter(served == 0 ? o.read_timeout_seconds : o.idle_timeout_seconds);
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kAwait);
    state.busy = true;
    state.NeverExpires();  // the answer may wait for the decision pipeline
    if (ec) {
      if (ec != bhttp::error::end_of_stream && ec != beast::error::timeout &&
          ec != asio::error::operation_aborted && ec != asio::error::connection_reset &&
          ec != asio::error::eof) {
        auto unreadable = UnreadableRequest(ec);
        auto reply = MakeReply(unreadable, 11, false);
        state.ExpiresAfter(o.read_timeout_seconds);
        co_await asio::async_write(stream, reply.buffers(), kAwait);
      }
      break;
    }
    const auto started = std::chrono::steady_clock::now();
    auto& req = parser.get();
    if (std::distance(req.begin(), req.end()) > kMaxHeaderFields) {
      auto unreadable = UnreadableRequest(bhttp::error::header_limit);
      auto reply = MakeReply(unreadable, req.version(), false);
      co_await asio::async_write(stream, reply.buffers(), kAwait);
      break;
    }
    Request request;
    request.method = std::string(req.method_string().substr(0, 32));
    request.target = std::string(req.target());
    request.body = std::move(req.body());
    request.content_type = std::string(req[bhttp::field::content_type]);
    request.authorization = std::string(req[bhttp::field::authorization]);
    request.accept_language = std::string(req[bhttp::field::accept_language]);
    request.idempotency_key = std::string(req["Idempotency-Key"]);
    request.remote = remote;

    Response response;
    auto handled = shared.api.Handle(request);
    if (auto* deferred = std::get_if<Deferred>(&handled)) {
      response = co_await AsyncDecide(shared.api, std::move(*deferred), asio::use_awaitable);
    } else {
      response = std::move(std::get<Response>(handled));
    }
    const bool keep_alive =
        req.keep_alive() && !shared.stopping && served + 1 < o.requests_per_connection;
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
  {
    std::lock_guard lock(shared.mu);
    shared.open.erase(&state);
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  --shared.sessions;
}

asio::awaitable<void> Listen(tcp::acceptor& acceptor, asio::io_context& io, Shared& shared) {
  for (;;) {
    // With one I/O thread there is nothing to serialise: no strand, and its cost, per session.
    const asio::any_io_executor executor = shared.options.threads > 1
                                               ? asio::any_io_executor(asio::make_strand(io))
                                               : asio::any_io_executor(io.get_executor());
    auto [ec, socket] = co_await acceptor.async_accept(executor, kAwait);
    if (ec) {
      if (shared.stopping || !acceptor.is_open()) co_return;
      continue;  // e.g. too many open files: keep serving the others
    }
    auto session_executor = socket.get_executor();
    asio::co_spawn(session_executor, Session(std::move(socket), shared), asio::detached);
  }
}

}  // namespace

int Serve(Api& api, const ServerOptions& options,
          const std::function<void(std::uint16_t)>& on_listening) {
  asio::io_context io(options.threads);
  Shared shared{api, options};
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
  asio::co_spawn(io, Listen(acceptor, io, shared), asio::detached);

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
        asio::post(session->stream.get_executor(), [session, &shared] {
          std::lock_guard inner(shared.mu);
          beast::error_code ignored;
          if (shared.open.contains(session)) session->stream.socket().cancel(ignored);
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
        asio::post(session->stream.get_executor(), [session, &shared] {
          // On the session's strand; it may have ended meanwhile.
          std::lock_guard inner(shared.mu);
          beast::error_code ignored;
          if (shared.open.contains(session) && !session->busy) {
            session->stream.socket().cancel(ignored);
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
    beast::error_code ignored;
    acceptor.close(ignored);
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
