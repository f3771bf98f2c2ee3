// `emkhana audit verify`: reads the whole audit trail and checks its hash chain and the decisions
// it vouches for (storage/audit_chain.hpp). Exit 0: intact; 1: the first problem found, named;
// 2: the database cannot be read.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "storage/audit_chain.hpp"
#include "storage/store.hpp"

namespace emkhana::cli {

int RunAuditVerify(const AuditOptions& o) {
  storage::AuditVerifyOptions options;
  if (!o.anchor.empty()) {
    // SEQ:HASH, as an earlier verify printed its head.
    const auto colon = o.anchor.find(':');
    try {
      options.anchor_seq = std::stoll(o.anchor.substr(0, colon));
    } catch (const std::exception&) {
      options.anchor_seq = 0;
    }
    if (colon == std::string::npos || options.anchor_seq <= 0 ||
        o.anchor.size() - colon - 1 != 64) {
      std::cerr << "audit verify: --anchor expects SEQ:HASH (a head printed by verify)\n";
      return 2;
    }
    options.anchor_hash = o.anchor.substr(colon + 1);
  }
  if (isatty(STDERR_FILENO)) {
    options.progress = [](std::int64_t n) {
      std::fprintf(stderr, "\r%lld entries read", (long long)n);
    };
  }
  auto store = storage::OpenStore(o.db);
  if (!store) {
    std::cerr << storage::RedactLocation(o.db) << ": " << store.error().message << "\n";
    return 2;
  }
  auto verdict = storage::VerifyAuditChain(**store, options);
  if (options.progress) std::fputc('\n', stderr);
  if (!verdict) {
    std::cerr << storage::RedactLocation(o.db) << ": " << verdict.error().message << "\n";
    return 2;
  }
  if (!verdict->intact) {
    std::cout << fmt::format("audit trail BROKEN: {}\n", verdict->problem);
    std::cout << fmt::format("checked before it: {} entries, {} decisions\n", verdict->entries,
                             verdict->decisions);
    return 1;
  }
  std::cout << fmt::format(
      "audit trail intact: {} entries ({} older than the chain), {} decisions "
      "vouched for\n",
      verdict->entries, verdict->legacy, verdict->decisions);
  if (verdict->head_seq > 0) {
    std::cout << fmt::format("head: {}:{}\n", verdict->head_seq, verdict->head_hash);
  }
  return 0;
}

}  // namespace emkhana::cli
